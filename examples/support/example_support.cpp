#include "example_support.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <iostream>

namespace exsdk::examples {

namespace {

[[noreturn]] void usage_error(const std::string& message) {
    std::cerr << "error: " << message << " (see --help)\n";
    std::exit(2);
}

std::string env(const char* name) {
    const char* v = std::getenv(name);
    return v != nullptr ? v : "";
}

exsdk::credentials from_env(const char* key_var, const char* secret_var) {
    exsdk::credentials c;
    c.api_key = env(key_var);
    c.secret = exsdk::secret(env(secret_var));
    if (c.api_key.empty() || c.secret.empty()) {
        usage_error(std::string("set ") + key_var + " and " + secret_var +
                    " to run against a real exchange");
    }
    return c;
}

} // namespace

std::int64_t options::number(std::string_view name, std::int64_t fallback) const {
    const auto it = numbers.find(name);
    return it != numbers.end() ? it->second : fallback;
}

std::optional<options> parse_options(int argc, char** argv, std::string_view usage,
                                     std::initializer_list<std::string_view> integer_options) {
    options o;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (arg == "--help" || arg == "-h") {
            std::cout << usage;
            return std::nullopt;
        }
        auto value = [&]() -> std::string_view {
            if (i + 1 >= argc) {
                usage_error("option " + std::string(arg) + " needs a value");
            }
            return argv[++i];
        };
        if (arg == "--base-url") {
            o.woox_url = o.bingx_url = value();
        } else if (arg == "--woox-url") {
            o.woox_url = value();
        } else if (arg == "--bingx-url") {
            o.bingx_url = value();
        } else if (arg == "--ca-file") {
            o.ca_file = value();
        } else if (std::find(integer_options.begin(), integer_options.end(), arg) !=
                   integer_options.end()) {
            const std::string_view text = value();
            std::int64_t n = 0;
            const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
            if (ec != std::errc() || ptr != text.data() + text.size() || n < 1) {
                usage_error("option " + std::string(arg) + " needs an integer >= 1");
            }
            o.numbers[std::string(arg)] = n;
        } else {
            usage_error("unknown argument (argument " + std::to_string(i) + ")");
        }
    }
    o.embedded_mock = o.woox_url.empty() && o.bingx_url.empty();
    return o;
}

exsdk::credentials woox_credentials(const options& o) {
    if (o.use_mock()) {
        // The mock's public demo key (the spec's WOO X signing test-vector key).
        return {"AbmyVJGUpN064ks5ELjLfA==", exsdk::secret("QHKRXHPAW1MC9YGZMAT8YDJG2HPR")};
    }
    return from_env("EXSDK_WOOX_API_KEY", "EXSDK_WOOX_SECRET");
}

exsdk::credentials bingx_credentials(const options& o) {
    if (o.use_mock()) {
        return {"bingx-demo-api-key-0001",
                exsdk::secret("mheO6dR8ovSsxZQCOYEFCtelpuxcWGTfHw7te326y6jOwq5WpvFQ9JNljoTwBXZGv5"
                              "It07m9RXSPpDQEK2w")};
    }
    return from_env("EXSDK_BINGX_API_KEY", "EXSDK_BINGX_SECRET");
}

std::string format_time(clock::wall_time t) {
    const auto ms = to_epoch_ms(t);
    const std::time_t secs = static_cast<std::time_t>(ms / 1000);
    std::tm tm{};
    ::gmtime_r(&secs, &tm);
    char buf[64];
    const auto n = std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
    char out[96];
    std::snprintf(out, sizeof out, "%.*s.%03d UTC", static_cast<int>(n), buf,
                  static_cast<int>(ms % 1000));
    return out;
}

std::string shorten(std::string_view key, std::size_t n) {
    if (key.size() <= n) {
        return std::string(key);
    }
    return std::string(key.substr(0, n)) + "...";
}

std::size_t max_in_window(std::vector<std::int64_t> times, std::int64_t window_ms) {
    std::sort(times.begin(), times.end());
    std::size_t best = 0;
    std::size_t j = 0;
    for (std::size_t i = 0; i < times.size(); ++i) {
        while (times[i] - times[j] >= window_ms) {
            ++j;
        }
        best = std::max(best, i - j + 1);
    }
    return best;
}

bool run_until(boost::asio::io_context& ioc, const std::shared_ptr<clock>& clk,
               const std::function<bool()>& done) {
    manual_clock* manual = clk->scheduler();
    if (manual == nullptr) {
        while (!done() && !ioc.stopped()) {
            ioc.run_one();
        }
        return done();
    }
    for (;;) {
        // Run everything that is ready, including what that makes ready.
        for (;;) {
            if (ioc.stopped()) {
                ioc.restart();
            }
            if (ioc.poll() == 0) {
                break;
            }
        }
        if (done() || !manual->advance_to_next()) {
            return done();
        }
    }
}

} // namespace exsdk::examples

#include "detail/answer_check.hpp"
#include "detail/logger.hpp"

#include <exsdk/bingx/protocol.hpp>
#include <exsdk/woox/protocol.hpp>

#include <array>

namespace exsdk::detail {

logger::logger(const log_config& cfg, std::string_view source, std::shared_ptr<clock> clk)
    : cfg_(cfg), min_(cfg.enabled() ? cfg.level : log_level::off), source_(source),
      clock_(clk ? std::move(clk) : system_clock()) {}

void logger::write(log_level l, std::string_view name,
                   std::initializer_list<log_field> fields) const noexcept {
    try {
        log_event e;
        e.level = l;
        e.source = source_;
        e.name = name;
        e.time = clock_->wall_now();
        e.fields = std::span<const log_field>(fields.begin(), fields.size());
        cfg_.sink(e);
    } catch (...) {
        // The application's sink failed: nothing the SDK can do about it, and nothing it may
        // let change the call it was reporting.
    }
}

std::string shorten_key(std::string_view key) {
    if (key.size() <= 8) {
        return "***(" + std::to_string(key.size()) + ")";
    }
    return std::string(key.substr(0, 6)) + "...(" + std::to_string(key.size()) + ")";
}

std::string display_path(std::string_view target, bool shorten_keys) {
    const auto q = target.find('?');
    std::string out(target.substr(0, q));
    if (q == std::string_view::npos) {
        return out;
    }
    static constexpr std::array<std::string_view, 3> dropped{bingx::protocol::signature_param,
                                                             bingx::protocol::timestamp_param,
                                                             bingx::protocol::recv_window_param};
    static constexpr std::array<std::string_view, 2> keys{bingx::protocol::listen_key_param,
                                                          woox::protocol::stream_key_param};
    std::string_view query = target.substr(q + 1);
    char sep = '?';
    while (!query.empty()) {
        const auto amp = query.find('&');
        const std::string_view param = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
        const auto eq = param.find('=');
        const std::string_view name = param.substr(0, eq);
        bool drop = false;
        for (auto d : dropped) {
            drop = drop || name == d;
        }
        if (drop) {
            continue;
        }
        out += sep;
        sep = '&';
        bool is_key = false;
        for (auto k : keys) {
            is_key = is_key || name == k;
        }
        if (shorten_keys && is_key && eq != std::string_view::npos) {
            out.append(name).append("=").append(shorten_key(param.substr(eq + 1)));
        } else {
            out.append(param);
        }
    }
    return out;
}

std::string_view key_param(std::string_view target) {
    const auto q = target.find('?');
    if (q == std::string_view::npos) {
        return {};
    }
    std::string_view query = target.substr(q + 1);
    while (!query.empty()) {
        const auto amp = query.find('&');
        const std::string_view param = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
        for (std::string_view name : {std::string_view("listenKey="), std::string_view("key=")}) {
            if (param.starts_with(name)) {
                return param.substr(name.size());
            }
        }
    }
    return {};
}

std::string loggable_text(std::string text, std::string_view key) {
    text = scrub_signatures(std::move(text));
    if (key.size() > 8) {
        const std::string short_key = shorten_key(key);
        for (auto at = text.find(key); at != std::string::npos;
             at = text.find(key, at + short_key.size())) {
            text.replace(at, key.size(), short_key);
        }
    }
    return text;
}

double to_ms(clock::duration d) noexcept {
    return std::chrono::duration<double, std::milli>(d).count();
}

} // namespace exsdk::detail

#include "support.hpp"

#include <exsdk/hmac_sha256.hpp>

#include <boost/json/parse.hpp>

#include <thread>

namespace mocktest {

std::string woox_sign(std::string_view secret, std::string_view ts, std::string_view method,
                      std::string_view target, std::string_view body) {
    return exsdk::hmac_sha256(secret).sign_hex({ts, method, target, body});
}

header_list woox_headers(std::string_view key, std::string_view secret, std::int64_t ts,
                         std::string_view method, std::string_view target, std::string_view body) {
    const std::string t = std::to_string(ts);
    header_list h{{"x-api-key", std::string(key)},
                  {"x-api-timestamp", t},
                  {"x-api-signature", woox_sign(secret, t, method, target, body)}};
    if (!body.empty()) {
        h.emplace_back("Content-Type", "application/json");
    }
    return h;
}

std::string bingx_signed(std::string_view secret, std::string_view params) {
    return std::string(params) + "&signature=" + exsdk::hmac_sha256(secret).sign_hex({params});
}

boost::json::value parse_json(const std::string& body) {
    boost::system::error_code ec;
    auto v = boost::json::parse(body, ec);
    EXPECT_FALSE(ec) << "not JSON: " << body;
    return v;
}

bool wait_until(const std::function<bool()>& pred) {
    const auto limit = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (!pred()) {
        if (std::chrono::steady_clock::now() > limit) {
            ADD_FAILURE() << "condition not reached";
            return false;
        }
        std::this_thread::yield();
    }
    return true;
}

mock_fixture::mock_fixture() : clock(std::make_shared<exsdk::manual_clock>(t0)) {}

void mock_fixture::TearDown() {
    srv_.reset();
}

exsdk::mock::config mock_fixture::base_config() const {
    exsdk::mock::config cfg;
    cfg.clock = clock;
    cfg.seed = 42;
    // Tests move the clock by hours; keep-alive connections would be closed as idle, and a
    // blocking test client would race that close. Tests of the idle timeout set it themselves.
    cfg.idle_timeout = std::chrono::hours(24 * 365);
    return cfg;
}

void mock_fixture::start(exsdk::mock::config cfg) {
    srv_ = std::make_unique<exsdk::mock::threaded_server>(std::move(cfg));
}

http_client mock_fixture::client(std::string local_address) {
    client_options o;
    o.local_address = std::move(local_address);
    return http_client("127.0.0.1", port(), o);
}

http_response mock_fixture::woox(http_client& c, std::string_view method, std::string_view target,
                                 std::string_view body, std::string_view key,
                                 std::string_view secret, std::int64_t ts) {
    return c.request(method, target,
                     woox_headers(key, secret, ts < 0 ? now_ms() : ts, method, target, body), body);
}

http_response mock_fixture::bingx(http_client& c, std::string_view method, std::string_view path,
                                  std::string params, std::string_view key, std::string_view secret,
                                  bool sign, bool add_timestamp) {
    if (add_timestamp) {
        params = params.empty() ? "timestamp=" + std::to_string(now_ms())
                                : params + "&timestamp=" + std::to_string(now_ms());
    }
    if (sign) {
        params = bingx_signed(secret, params);
    }
    std::string target(path);
    if (!params.empty()) {
        target += "?" + params;
    }
    header_list h;
    if (!key.empty()) {
        h.emplace_back("X-BX-APIKEY", std::string(key));
    }
    return c.request(method, target, h);
}

} // namespace mocktest

// Shared helpers of the mock exchange tests: demo credentials, signing exactly as the spec says
// (with exsdk::hmac_sha256, never SDK code), a fixture that runs the mock on its own thread with
// a manual clock, and JSON access.
#pragma once

#include "http_client.hpp"

#include <exsdk/hmac_sha256.hpp>
#include <exsdk/manual_clock.hpp>
#include <exsdk/mock/server.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace mocktest {

using namespace std::chrono_literals;

/// The manual clock's start: 2023-11-14T22:13:20Z.
inline constexpr std::int64_t t0 = 1'700'000'000'000;

namespace demo {
inline constexpr std::string_view woox_key = "AbmyVJGUpN064ks5ELjLfA==";
inline constexpr std::string_view woox_secret = "QHKRXHPAW1MC9YGZMAT8YDJG2HPR";
inline constexpr std::string_view woox_trade_key = "WooxTradeOnlyDemoKey0001==";
inline constexpr std::string_view woox_trade_secret = "WOOXTRADEONLYDEMOSECRET00001";
inline constexpr std::int64_t woox_user_id = 12523;
inline constexpr std::string_view bingx_key = "bingx-demo-api-key-0001";
inline constexpr std::string_view bingx_secret =
    "mheO6dR8ovSsxZQCOYEFCtelpuxcWGTfHw7te326y6jOwq5WpvFQ9JNljoTwBXZGv5It07m9RXSPpDQEK2w";
inline constexpr std::string_view bingx_key2 = "bingx-demo-api-key-0002";
inline constexpr std::string_view bingx_secret2 =
    "UuGuyEGt6ZEkpUObCYCmIfh0elYsZVh80jlYwpJuRZEw70t6vomMH7Sjmf94ztSI";
} // namespace demo

/// WOO X: lowercase hex HMAC-SHA256(secret, timestamp + METHOD + path_with_query + body).
std::string woox_sign(std::string_view secret, std::string_view ts, std::string_view method,
                      std::string_view target, std::string_view body);
/// The three auth headers (plus Content-Type for bodies).
header_list woox_headers(std::string_view key, std::string_view secret, std::int64_t ts,
                         std::string_view method, std::string_view target, std::string_view body);

/// BingX: `params` + "&signature=" + hex HMAC-SHA256(secret, params).
std::string bingx_signed(std::string_view secret, std::string_view params);

boost::json::value parse_json(const std::string& body);

/// Spins (yielding, no sleep) until `pred` holds; fails the test after 20 s of real time, so a
/// bug shows up as a failure instead of a hang. Never used to measure behaviour.
bool wait_until(const std::function<bool()>& pred);

/// A mock on its own thread with a manual clock at t0 (unless the test changes cfg first).
class mock_fixture : public ::testing::Test {
protected:
    mock_fixture();
    void TearDown() override;

    /// Starts the server with `cfg` (base_config() otherwise: the manual clock at t0, seed 42,
    /// a one-year idle timeout).
    void start(exsdk::mock::config cfg);
    void start() { start(base_config()); }
    exsdk::mock::config base_config() const;

    exsdk::mock::server& server() { return srv_->get(); }
    std::uint16_t port() const { return srv_->get().port(); }
    std::int64_t now_ms() const { return clock->wall_ms(); }
    void advance(std::chrono::milliseconds d) { clock->advance(d); }

    http_client client(std::string local_address = {});

    /// A signed WOO X request at the clock's current time (or `ts`).
    http_response woox(http_client& c, std::string_view method, std::string_view target,
                       std::string_view body = {}, std::string_view key = demo::woox_key,
                       std::string_view secret = demo::woox_secret, std::int64_t ts = -1);
    /// A BingX request: `params` are signed (with timestamp=now appended first when
    /// `add_timestamp`), unless `sign` is false.
    http_response bingx(http_client& c, std::string_view method, std::string_view path,
                        std::string params = {}, std::string_view key = demo::bingx_key,
                        std::string_view secret = demo::bingx_secret, bool sign = true,
                        bool add_timestamp = true);

    std::shared_ptr<exsdk::manual_clock> clock;
    std::unique_ptr<exsdk::mock::threaded_server> srv_;
};

} // namespace mocktest

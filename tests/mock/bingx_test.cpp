// BingX user data stream REST (spec section 2) against the running mock over real sockets:
// every error code, check order, 204/404 answers, listen-key lifecycle, the three 100410 forms,
// the disabled period, the 20-errors block and the rate-limit headers.
#include "bingx_answers.hpp"
#include "support.hpp"

#include <exsdk/bingx/protocol.hpp>

#include <algorithm>

namespace mocktest {
namespace {

namespace p = exsdk::bingx::protocol;
namespace answers = exsdk::mock::bingx_answers;
namespace json = boost::json;

constexpr std::string_view uds = "/openApi/user/auth/userDataStream";

class bingx_test : public mock_fixture {
protected:
    void SetUp() override { start(); }

    /// Asserts a BingX business error: HTTP 200, code, exact msg, timestamp = the mock's time.
    void expect_error(const http_response& r, std::int64_t code, std::string_view msg) {
        EXPECT_EQ(r.status, 200u) << r.body;
        auto v = parse_json(r.body);
        ASSERT_TRUE(v.is_object()) << r.body;
        EXPECT_EQ(v.at("code").as_int64(), code) << r.body;
        EXPECT_EQ(v.at("msg").as_string(), msg) << r.body;
        EXPECT_EQ(v.at("timestamp").as_int64(), now_ms());
        EXPECT_TRUE(r.has_header("X-RateLimit-Requests-Remain"));
        EXPECT_TRUE(r.has_header("X-RateLimit-Requests-Expire"));
    }

    std::string generate(http_client& c, std::string_view key = demo::bingx_key,
                         std::string_view secret = demo::bingx_secret) {
        auto r = bingx(c, "POST", uds, {}, key, secret);
        EXPECT_EQ(r.status, 200u) << r.body;
        return std::string(parse_json(r.body).at("listenKey").as_string());
    }

    static std::string disabled(std::int64_t unblock_ms) {
        return std::string(p::message::disabled_period_prefix) + std::to_string(unblock_ms);
    }
    static std::string blocked_msg(int over, std::int64_t code, std::int64_t window_ms,
                                   std::int64_t retry_ms) {
        return "over " + std::to_string(over) + " error code:" + std::to_string(code) +
               " requests within " + std::to_string(window_ms) +
               " ms for this api, please verify and fix it ,can retry after time: " +
               std::to_string(retry_ms);
    }
    static std::string blocked(std::int64_t code, std::int64_t retry_ms) {
        return std::string(p::message::error_block_prefix) + std::to_string(code) +
               std::string(p::message::error_block_middle) + std::to_string(retry_ms);
    }
};

// ---- signing ------------------------------------------------------------------------------

TEST(bingx_signing, spec_test_vectors) {
    EXPECT_EQ(bingx_signed(demo::bingx_secret,
                           "symbol=BTC-USDT&timestamp=1667872120843&side=LONG&leverage=6"),
              "symbol=BTC-USDT&timestamp=1667872120843&side=LONG&leverage=6&signature="
              "4f581ecdb1fa09b9d6e57886b6f70cffed17f82b93399722939e49a38edec2bf");
    EXPECT_EQ(bingx_signed(demo::bingx_secret2,
                           "quoteOrderQty=20&side=BUY&symbol=ETHUSDT&timestamp=1649404670162&type="
                           "MARKET"),
              "quoteOrderQty=20&side=BUY&symbol=ETHUSDT&timestamp=1649404670162&type=MARKET&"
              "signature=428a3c383bde514baff0d10d3c20e5adfaacaf799e324546dafe5ccc480dd827");
}

TEST_F(bingx_test, accepts_the_spec_test_vector_query_verbatim) {
    // Extra parameters are ignored by userDataStream, but the signature covers them.
    clock->set_ms(1667872120843);
    auto c = client();
    auto r =
        c.request("POST",
                  std::string(uds) +
                      "?symbol=BTC-USDT&timestamp=1667872120843&side=LONG&leverage=6&"
                      "signature=4f581ecdb1fa09b9d6e57886b6f70cffed17f82b93399722939e49a38edec2bf",
                  {{"X-BX-APIKEY", std::string(demo::bingx_key)}});
    EXPECT_EQ(r.status, 200u);
    EXPECT_TRUE(parse_json(r.body).as_object().contains("listenKey")) << r.body;
}

TEST_F(bingx_test, signature_forms_raw_decoded_and_sorted) {
    auto c = client();
    const auto ts = std::to_string(now_ms());
    // Received order, unsorted.
    EXPECT_EQ(bingx(c, "POST", uds, "b=2&a=1", demo::bingx_key, demo::bingx_secret).status, 200u);
    // The client signed the sorted form but sent another order.
    auto sorted = exsdk::hmac_sha256(demo::bingx_secret).sign_hex({"a=1&b=2&timestamp=" + ts});
    auto r =
        c.request("POST", std::string(uds) + "?timestamp=" + ts + "&b=2&a=1&signature=" + sorted,
                  {{"X-BX-APIKEY", std::string(demo::bingx_key)}});
    EXPECT_EQ(parse_json(r.body).as_object().contains("listenKey"), true) << r.body;
    advance(1s);
    // Percent-encoded value, signed over the decoded text.
    const auto ts2 = std::to_string(now_ms());
    auto dec = exsdk::hmac_sha256(demo::bingx_secret).sign_hex({"note=a b&timestamp=" + ts2});
    r = c.request("POST", std::string(uds) + "?note=a%20b&timestamp=" + ts2 + "&signature=" + dec,
                  {{"X-BX-APIKEY", std::string(demo::bingx_key)}});
    EXPECT_TRUE(parse_json(r.body).as_object().contains("listenKey")) << r.body;
    // Raw means raw: an empty component and a key without value are signed as received.
    advance(1s);
    const auto ts3 = std::to_string(now_ms());
    const std::string raw = "flag&&timestamp=" + ts3;
    auto rs = exsdk::hmac_sha256(demo::bingx_secret).sign_hex({raw});
    r = c.request("POST", std::string(uds) + "?" + raw + "&signature=" + rs,
                  {{"X-BX-APIKEY", std::string(demo::bingx_key)}});
    EXPECT_TRUE(parse_json(r.body).as_object().contains("listenKey")) << r.body;
    // The signature need not be last.
    advance(1s);
    const auto ts4 = std::to_string(now_ms());
    auto mid = exsdk::hmac_sha256(demo::bingx_secret).sign_hex({"a=1&timestamp=" + ts4});
    r = c.request("POST", std::string(uds) + "?a=1&signature=" + mid + "&timestamp=" + ts4,
                  {{"X-BX-APIKEY", std::string(demo::bingx_key)}});
    EXPECT_TRUE(parse_json(r.body).as_object().contains("listenKey")) << r.body;
    // Upper-case hex.
    auto up = bingx_signed(demo::bingx_secret, "timestamp=" + ts2);
    std::transform(up.begin() + static_cast<std::ptrdiff_t>(up.find("signature=") + 10), up.end(),
                   up.begin() + static_cast<std::ptrdiff_t>(up.find("signature=") + 10),
                   [](unsigned char ch) { return static_cast<char>(std::toupper(ch)); });
    r = c.request("POST", std::string(uds) + "?" + up,
                  {{"X-BX-APIKEY", std::string(demo::bingx_key)}});
    EXPECT_TRUE(parse_json(r.body).as_object().contains("listenKey")) << r.body;
}

// ---- success shapes -----------------------------------------------------------------------

TEST_F(bingx_test, server_time_is_public) {
    auto c = client();
    auto r = c.request("GET", p::server_time_path);
    ASSERT_EQ(r.status, 200u);
    EXPECT_EQ(parse_json(r.body), json::parse(R"({"code":0,"msg":"","data":{"serverTime":)" +
                                              std::to_string(t0) + "}}"));
    EXPECT_EQ(r.header("X-RateLimit-Requests-Remain"), "2000"); // IP group, nothing counted
    EXPECT_EQ(r.header("X-RateLimit-Requests-Expire"), "0");
}

TEST_F(bingx_test, generate_with_the_key_alone_or_signed) {
    auto c = client();
    auto r = bingx(c, "POST", uds, {}, demo::bingx_key, {}, false, false); // legacy: key only
    ASSERT_EQ(r.status, 200u);
    auto v = parse_json(r.body);
    ASSERT_EQ(v.as_object().size(), 1u) << "bare {\"listenKey\":..} shape: " << r.body;
    const auto key = std::string(v.at("listenKey").as_string());
    ASSERT_EQ(key.size(), 64u);
    EXPECT_TRUE(std::all_of(key.begin(), key.end(), [](char ch) {
        return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f');
    })) << key;
    auto st = server().find_listen_key(key);
    ASSERT_TRUE(st);
    EXPECT_EQ(st->exchange, "bingx");
    EXPECT_EQ(st->account_id, 1001);
    EXPECT_EQ(st->expires_ms, t0 + 3600 * 1000);
    EXPECT_EQ(generate(c).size(), 64u); // signed
}

TEST_F(bingx_test, extend_and_delete_answer_200_with_an_empty_body) {
    auto c = client();
    const auto key = generate(c);
    advance(30min);
    auto r = bingx(c, "PUT", uds, "listenKey=" + key);
    EXPECT_EQ(r.status, 200u);
    EXPECT_TRUE(r.body.empty());
    EXPECT_EQ(r.header("Content-Length"), "0");
    EXPECT_EQ(server().find_listen_key(key)->expires_ms, now_ms() + 3600 * 1000);
    r = bingx(c, "DELETE", uds, "listenKey=" + key);
    EXPECT_EQ(r.status, 200u);
    EXPECT_TRUE(r.body.empty());
    EXPECT_FALSE(server().find_listen_key(key));
    advance(1s);
    r = bingx(c, "PUT", uds, "listenKey=" + key);
    EXPECT_EQ(r.status, 404u);
    EXPECT_TRUE(r.body.empty());
}

TEST_F(bingx_test, missing_listen_key_answers_204_unknown_answers_404) {
    auto c = client();
    for (auto m : {"PUT", "DELETE"}) {
        auto r = bingx(c, m, uds);
        EXPECT_EQ(r.status, 204u) << m << " " << r.body;
        EXPECT_TRUE(r.body.empty());
        r = bingx(c, m, uds, "listenKey=");
        EXPECT_EQ(r.status, 204u) << m;
        advance(1s); // 2/s per UID and method
        r = bingx(c, m, uds, "listenKey=" + std::string(64, 'a'));
        EXPECT_EQ(r.status, 404u) << m;
        EXPECT_TRUE(r.body.empty());
        EXPECT_TRUE(r.has_header("X-RateLimit-Requests-Remain"));
        advance(1s);
    }
}

TEST_F(bingx_test, listen_key_lives_60_minutes_from_generate_or_last_extend) {
    auto c = client();
    const auto key = generate(c);
    advance(60min - 1ms);
    EXPECT_EQ(bingx(c, "PUT", uds, "listenKey=" + key).status, 200u); // extended to now + 60 min
    advance(60min - 1ms);
    EXPECT_TRUE(server().find_listen_key(key));
    advance(1ms);
    EXPECT_FALSE(server().find_listen_key(key));
    EXPECT_EQ(bingx(c, "PUT", uds, "listenKey=" + key).status, 404u);
    EXPECT_EQ(bingx(c, "DELETE", uds, "listenKey=" + key).status, 404u);
}

TEST_F(bingx_test, another_accounts_key_is_unknown) {
    auto c = client();
    const auto key = generate(c);
    EXPECT_EQ(
        bingx(c, "PUT", uds, "listenKey=" + key, demo::bingx_key2, demo::bingx_secret2).status,
        404u);
    EXPECT_EQ(
        bingx(c, "DELETE", uds, "listenKey=" + key, demo::bingx_key2, demo::bingx_secret2).status,
        404u);
    EXPECT_TRUE(server().find_listen_key(key));
}

// ---- errors, in the documented order ------------------------------------------------------

TEST_F(bingx_test, missing_or_unknown_api_key_100413) {
    auto c = client();
    expect_error(bingx(c, "POST", uds, {}, "", demo::bingx_secret), 100413,
                 p::message::incorrect_api_key);
    expect_error(bingx(c, "POST", uds, {}, "nope", demo::bingx_secret), 100413,
                 p::message::incorrect_api_key);
    // Key checked before anything else: no signature, no timestamp.
    expect_error(bingx(c, "PUT", uds, {}, "nope", {}, false, false), 100413,
                 p::message::incorrect_api_key);
}

TEST_F(bingx_test, put_and_delete_must_be_signed_100412) {
    auto c = client();
    for (auto m : {"PUT", "DELETE"}) {
        expect_error(bingx(c, m, uds, "listenKey=abc", demo::bingx_key, {}, false, true), 100412,
                     p::message::null_signature);
        // Before the timestamp check.
        expect_error(bingx(c, m, uds, "listenKey=abc", demo::bingx_key, {}, false, false), 100412,
                     p::message::null_signature);
        expect_error(
            bingx(c, m, uds, "listenKey=abc&signature=", demo::bingx_key, {}, false, false), 100412,
            p::message::null_signature);
    }
}

TEST_F(bingx_test, timestamp_missing_100421_not_numeric_80014) {
    auto c = client();
    expect_error(bingx(c, "POST", uds, "a=1", demo::bingx_key, demo::bingx_secret, true, false),
                 100421, p::message::timestamp_mismatch);
    expect_error(bingx(c, "PUT", uds, "listenKey=x&timestamp=12ab", demo::bingx_key,
                       demo::bingx_secret, true, false),
                 80014, p::message::timestamp_invalid);
    // Numeric format is checked before the signature.
    expect_error(bingx(c, "PUT", uds, "listenKey=x&timestamp=12ab&signature=00", demo::bingx_key,
                       {}, false, false),
                 80014, p::message::timestamp_invalid);
    expect_error(bingx(c, "POST", uds, "recvWindow=soon", demo::bingx_key, demo::bingx_secret),
                 80014, answers::recv_window_invalid);
    // An unsigned POST may carry a timestamp; it is checked too.
    expect_error(bingx(c, "POST", uds, "timestamp=x", demo::bingx_key, {}, false, false), 80014,
                 p::message::timestamp_invalid);
}

TEST_F(bingx_test, a_repeated_parameter_counts_with_its_first_value) {
    // Decision (docs/mock-exchange.md): timestamp twice, both signed: the first one is judged.
    auto c = client();
    const auto fresh = "timestamp=" + std::to_string(t0);
    const auto stale = "timestamp=" + std::to_string(t0 - 60000);
    auto r = bingx(c, "POST", uds, fresh + "&" + stale, demo::bingx_key, demo::bingx_secret, true,
                   false);
    EXPECT_EQ(r.status, 200u) << r.body;
    EXPECT_TRUE(parse_json(r.body).as_object().contains("listenKey")) << r.body;
    expect_error(bingx(c, "POST", uds, stale + "&" + fresh, demo::bingx_key, demo::bingx_secret,
                       true, false),
                 100421, p::message::timestamp_mismatch);
    // The same for listenKey: the first names the key.
    const auto key = generate(c);
    r = bingx(c, "PUT", uds, "listenKey=" + key + "&listenKey=nope");
    EXPECT_EQ(r.status, 200u) << r.body;
    r = bingx(c, "PUT", uds, "listenKey=nope&listenKey=" + key);
    EXPECT_EQ(r.status, 404u) << r.body;
}

TEST_F(bingx_test, wrong_signature_100001) {
    auto c = client();
    expect_error(bingx(c, "POST", uds, {}, demo::bingx_key, demo::bingx_secret2), 100001,
                 p::message::signature_failed);
    expect_error(bingx(c, "PUT", uds, "listenKey=x", demo::bingx_key, "nope"), 100001,
                 p::message::signature_failed);
    // Bad signature AND stale timestamp: the signature answers (earlier check).
    const auto stale = "timestamp=" + std::to_string(t0 - 60000);
    expect_error(
        bingx(c, "POST", uds, bingx_signed("nope", stale), demo::bingx_key, {}, false, false),
        100001, p::message::signature_failed);
}

TEST_F(bingx_test, recv_window_and_future_limit_100421) {
    auto c = client();
    auto at = [&](std::int64_t ts, std::string extra = {}) {
        std::string q = "timestamp=" + std::to_string(ts) + extra;
        return bingx(c, "POST", uds, q, demo::bingx_key, demo::bingx_secret, true, false);
    };
    EXPECT_EQ(at(t0 - 5000).status, 200u);
    expect_error(at(t0 - 5001), 100421, p::message::timestamp_mismatch);
    EXPECT_EQ(at(t0 - 9000, "&recvWindow=10000").status, 200u);
    advance(1s);
    expect_error(at(now_ms() - 1001, "&recvWindow=1000"), 100421, p::message::timestamp_mismatch);
    EXPECT_EQ(at(now_ms() + 1000).status, 200u);
    expect_error(at(now_ms() + 1001), 100421, p::message::timestamp_mismatch);
}

TEST_F(bingx_test, ip_whitelist_100419_before_permission_100004) {
    auto a = exsdk::mock::accounts::demo();
    a.bingx[0].api_keys[0].allowed_ips = {"127.0.0.1"};
    a.bingx[1].api_keys[0].permissions = {"TRADE"};
    a.bingx[1].api_keys[0].allowed_ips = {"127.0.0.1"};
    server().set_accounts(a);
    auto from2 = client("127.0.0.2");
    expect_error(bingx(from2, "POST", uds), 100419, p::message::ip_not_whitelisted);
    // No READ and wrong IP: the IP answers first.
    expect_error(bingx(from2, "POST", uds, {}, demo::bingx_key2, demo::bingx_secret2), 100419,
                 p::message::ip_not_whitelisted);
    auto from1 = client("127.0.0.1");
    EXPECT_EQ(bingx(from1, "POST", uds).status, 200u);
    expect_error(bingx(from1, "POST", uds, {}, demo::bingx_key2, demo::bingx_secret2), 100004,
                 p::message::permission_denied);
}

TEST_F(bingx_test, malformed_query_80014) {
    auto c = client();
    auto r = c.request("PUT", std::string(uds) + "?listenKey=%zz&timestamp=1",
                       {{"X-BX-APIKEY", std::string(demo::bingx_key)}});
    expect_error(r, 80014, answers::invalid_parameters);
}

TEST_F(bingx_test, unknown_path_404_and_wrong_method_405_in_the_bingx_envelope) {
    auto c = client();
    auto r = c.request("GET", "/openApi/spot/v1/nope");
    EXPECT_EQ(r.status, 404u);
    auto v = parse_json(r.body);
    EXPECT_EQ(v.at("code").as_int64(), answers::api_not_exist_code);
    EXPECT_EQ(v.at("msg").as_string(), answers::api_not_exist);
    EXPECT_TRUE(r.has_header("X-RateLimit-Requests-Remain"));
    r = c.request("GET", uds);
    EXPECT_EQ(r.status, 405u);
    EXPECT_EQ(parse_json(r.body).at("code").as_int64(), answers::api_not_exist_code);
    EXPECT_EQ(r.header("Allow"), "POST, PUT, DELETE");
    r = c.request("POST", p::server_time_path, {}, "");
    EXPECT_EQ(r.status, 405u);
}

// ---- rate limits: the three 100410 forms --------------------------------------------------

TEST_F(bingx_test, uid_limit_2_per_s_then_disabled_period) {
    auto c = client();
    generate(c);
    generate(c);
    // Third in the same second: "rate limited", and a 5 s disabled period opens.
    expect_error(bingx(c, "POST", uds), 100410, p::message::rate_limited);
    const std::int64_t unblock = now_ms() + 5000;
    advance(1s); // the 2/s window is free again, but the endpoint is disabled
    expect_error(bingx(c, "POST", uds), 100410, disabled(unblock));
    advance(3999ms); // calls during the period do not extend it
    expect_error(bingx(c, "POST", uds), 100410, disabled(unblock));
    advance(1ms);
    EXPECT_EQ(bingx(c, "POST", uds).status, 200u);
    EXPECT_EQ(parse_json(bingx(c, "POST", uds).body).as_object().contains("listenKey"), true);
}

TEST_F(bingx_test, uid_limit_is_per_method_per_uid_and_counts_only_authenticated_calls) {
    auto c = client();
    for (int i = 0; i < 10; ++i) { // strangers and bad signatures do not consume it
        expect_error(bingx(c, "POST", uds, {}, demo::bingx_key, "wrong"), 100001,
                     p::message::signature_failed);
    }
    const auto key = generate(c);
    generate(c);
    // PUT and DELETE have their own windows.
    EXPECT_EQ(bingx(c, "PUT", uds, "listenKey=" + key).status, 200u);
    EXPECT_EQ(bingx(c, "PUT", uds, "listenKey=" + key).status, 200u);
    EXPECT_EQ(bingx(c, "DELETE", uds, "listenKey=" + key).status, 200u);
    // Another UID is not affected.
    generate(c, demo::bingx_key2, demo::bingx_secret2);
    expect_error(bingx(c, "POST", uds), 100410, p::message::rate_limited);
    expect_error(bingx(c, "PUT", uds, "listenKey=" + key), 100410, p::message::rate_limited);
    // The disabled period is per UID + endpoint: DELETE still has room for one more.
    EXPECT_EQ(bingx(c, "DELETE", uds, "listenKey=" + key).status, 404u);
}

TEST_F(bingx_test, uid_limit_shared_across_methods_when_configured) {
    srv_.reset();
    auto cfg = base_config();
    cfg.limits.bingx_uid_shared_across_methods = true;
    start(cfg);
    auto c = client();
    const auto key = generate(c);
    EXPECT_EQ(bingx(c, "PUT", uds, "listenKey=" + key).status, 200u);
    expect_error(bingx(c, "DELETE", uds, "listenKey=" + key), 100410, p::message::rate_limited);
}

TEST_F(bingx_test, ip_group_and_ip_endpoint_limits) {
    srv_.reset();
    auto cfg = base_config();
    cfg.limits.bingx_uid = {};               // off, to reach the IP limits
    cfg.limits.bingx_ip_endpoint = {3, 10s}; // per IP and endpoint
    cfg.limits.bingx_ip_group = {5, 10s};    // per IP over the group
    cfg.limits.bingx_disabled_period = 0ms;  // no disabled period: see each limit directly
    start(cfg);
    auto c = client();
    const auto key = generate(c);
    generate(c, demo::bingx_key2, demo::bingx_secret2); // another UID, same IP
    generate(c);
    expect_error(bingx(c, "POST", uds), 100410, p::message::rate_limited); // 4th POST from IP
    EXPECT_EQ(bingx(c, "PUT", uds, "listenKey=" + key).status, 200u);      // group: 4
    EXPECT_EQ(bingx(c, "PUT", uds, "listenKey=" + key).status, 200u);      // group: 5
    expect_error(bingx(c, "DELETE", uds, "listenKey=" + key), 100410, p::message::rate_limited);
    // Another IP has its own group.
    auto other = client("127.0.0.2");
    EXPECT_EQ(bingx(other, "DELETE", uds, "listenKey=" + key).status, 200u);
    advance(10s);
    EXPECT_EQ(bingx(c, "POST", uds).status, 200u);
}

TEST_F(bingx_test, error_block_after_20_errors_in_480_s) {
    auto c = client();
    const std::int64_t first = now_ms();
    // 21 authenticated error answers to PUT (unknown key: 404), 1 s apart (2/s allows it).
    for (int i = 0; i < 21; ++i) {
        auto r = bingx(c, "PUT", uds, "listenKey=" + std::string(64, 'f'));
        ASSERT_EQ(r.status, 404u) << i << " " << r.body;
        advance(1s);
    }
    // The endpoint is blocked for this API key until 480 s after the first counted error.
    const auto key = generate(c);
    expect_error(bingx(c, "PUT", uds, "listenKey=" + key), 100410, blocked(404, first + 480000));
    // Other endpoints and other API keys are not blocked.
    EXPECT_EQ(bingx(c, "DELETE", uds, "listenKey=" + std::string(64, 'f')).status, 404u);
    advance(1s);
    // Until the retry time passes.
    clock->set_ms(first + 480000 - 1);
    expect_error(bingx(c, "PUT", uds, "listenKey=" + key), 100410, blocked(404, first + 480000));
    clock->set_ms(first + 480000 + 480000); // all counted errors left the window
    EXPECT_EQ(bingx(c, "PUT", uds, "listenKey=" + key).status, 200u);
}

TEST_F(bingx_test, error_block_names_the_most_repeated_code) {
    srv_.reset();
    auto cfg = base_config();
    cfg.limits.bingx_error_threshold = 4; // configurable: "over 4 ... within 60000 ms"
    cfg.limits.bingx_error_window = 60s;
    start(cfg);
    auto c = client();
    const std::int64_t first = now_ms();
    for (int i = 0; i < 5; ++i) { // 204, 204, 204, 404, 404
        auto r = bingx(c, "DELETE", uds, i < 3 ? std::string() : "listenKey=nope");
        ASSERT_EQ(r.status, i < 3 ? 204u : 404u);
        advance(1s);
    }
    auto r = bingx(c, "DELETE", uds, "listenKey=nope");
    expect_error(r, 100410,
                 "over 4 error code:204 requests within 60000 ms for this api, please verify and "
                 "fix it ,can retry after time: " +
                     std::to_string(first + 60000));
}

TEST_F(bingx_test, retries_inside_the_block_prolong_it) {
    srv_.reset();
    auto cfg = base_config();
    cfg.limits.bingx_error_threshold = 2;
    cfg.limits.bingx_error_window = 10s;
    start(cfg);
    auto c = client();
    const std::int64_t first = now_ms();
    for (int i = 0; i < 3; ++i) {
        EXPECT_EQ(bingx(c, "PUT", uds).status, 204u);
        advance(1s);
    }
    // Blocked until first + 10 s. Keep retrying every second inside the block.
    for (int i = 0; i < 7; ++i) {
        expect_error(bingx(c, "PUT", uds), 100410, blocked_msg(2, 204, 10000, first + 10000));
        advance(1s);
    }
    // At first + 10 s the block ends, but the retries (100410 answers) are still in the window:
    // the next error blocks again at once, naming 100410, until 10 s after the oldest counted.
    ASSERT_EQ(now_ms(), first + 10000);
    EXPECT_EQ(bingx(c, "PUT", uds).status, 204u);
    expect_error(bingx(c, "PUT", uds), 100410, blocked_msg(2, 100410, 10000, first + 11000));
}

// ---- rate-limit headers -------------------------------------------------------------------

TEST_F(bingx_test, rate_limit_headers_on_every_answer) {
    auto c = client();
    auto r = bingx(c, "POST", uds);
    EXPECT_EQ(r.header("X-RateLimit-Requests-Remain"), "1");
    EXPECT_EQ(r.header("X-RateLimit-Requests-Expire"), "1000");
    advance(400ms);
    r = bingx(c, "POST", uds);
    EXPECT_EQ(r.header("X-RateLimit-Requests-Remain"), "0");
    EXPECT_EQ(r.header("X-RateLimit-Requests-Expire"), "600");
    // Known key but failed authentication: still the UID window's values.
    r = bingx(c, "POST", uds, {}, demo::bingx_key, "wrong");
    EXPECT_EQ(r.header("X-RateLimit-Requests-Remain"), "0");
    // Unknown key: the IP group's values (2 counted from this IP).
    r = bingx(c, "POST", uds, {}, "nope");
    EXPECT_EQ(r.header("X-RateLimit-Requests-Remain"), "1998");
    EXPECT_EQ(r.header("X-RateLimit-Requests-Expire"), "9600");
}

} // namespace
} // namespace mocktest

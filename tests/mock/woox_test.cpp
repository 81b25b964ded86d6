// WOO X REST (spec section 1) against the running mock over real sockets: every error row,
// every check-order decision, listen-key lifecycle, credentials pagination, rate limits.
#include "support.hpp"
#include "woox_answers.hpp"

#include <exsdk/woox/protocol.hpp>

namespace mocktest {
namespace {

namespace p = exsdk::woox::protocol;
namespace answers = exsdk::mock::woox_answers;
namespace json = boost::json;

constexpr std::string_view listen_key = "/v3/account/listenKey";
constexpr std::string_view credentials = "/v3/account/credentials";
constexpr std::string_view body = R"({"type":"WEBSOCKET"})";

class woox_test : public mock_fixture {
protected:
    void SetUp() override { start(); }

    /// Asserts a WOO X error envelope: HTTP status, numeric code, message.
    static void expect_error(const http_response& r, unsigned status, std::int64_t code,
                             std::string_view message) {
        EXPECT_EQ(r.status, status) << r.body;
        auto v = parse_json(r.body);
        ASSERT_TRUE(v.is_object()) << r.body;
        EXPECT_EQ(v.at("success"), false);
        ASSERT_TRUE(v.at("code").is_int64()) << "code must be a JSON number: " << r.body;
        EXPECT_EQ(v.at("code").as_int64(), code);
        EXPECT_EQ(v.at("message").as_string(), message);
        EXPECT_EQ(v.as_object().size(), 3u) << r.body;
    }
};

// ---- signing ------------------------------------------------------------------------------

TEST(woox_signing, spec_test_vectors) {
    EXPECT_EQ(
        woox_sign(demo::woox_secret, "1578565539808", "GET", "/v3/algo/orders?algoType=STOP", ""),
        "fddab579aff8c193f920c2d4f0cda6a21a60f06fd9c3916541ecc4f6461f5977");
    EXPECT_EQ(woox_sign(demo::woox_secret, "1578565539808", "POST", "/v3/account/listenKey", body),
              "228a2c6bb9e2e77cd796e3c500cdbc29cabbccc379d3854c387930103f055649");
}

TEST_F(woox_test, accepts_the_spec_test_vector_request_verbatim) {
    clock->set_ms(1578565539808);
    auto c = client();
    auto r = c.request(
        "POST", listen_key,
        {{"x-api-key", std::string(demo::woox_key)},
         {"x-api-timestamp", "1578565539808"},
         {"x-api-signature", "228a2c6bb9e2e77cd796e3c500cdbc29cabbccc379d3854c387930103f055649"},
         {"Content-Type", "application/json"}},
        body);
    EXPECT_EQ(r.status, 200u) << r.body;
}

TEST_F(woox_test, signature_hex_is_compared_case_insensitively) {
    auto c = client();
    auto h = woox_headers(demo::woox_key, demo::woox_secret, now_ms(), "POST", listen_key, body);
    for (auto& ch : h[2].second) {
        ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    }
    EXPECT_EQ(c.request("POST", listen_key, h, body).status, 200u);
}

// ---- public endpoint ----------------------------------------------------------------------

TEST_F(woox_test, system_info_is_public_and_carries_the_server_time) {
    auto c = client();
    auto r = c.request("GET", p::system_info_path);
    ASSERT_EQ(r.status, 200u);
    auto v = parse_json(r.body);
    EXPECT_EQ(v.at("success"), true);
    EXPECT_EQ(v.at("timestamp").as_int64(), t0);
    EXPECT_EQ(v.at("data").at("status").as_int64(), 0);
    EXPECT_EQ(v.at("data").at("msg").as_string(), answers::system_ok);
}

// ---- listen key ---------------------------------------------------------------------------

TEST_F(woox_test, listen_key_success_shape_and_24h_expiry) {
    auto c = client();
    auto r = woox(c, "POST", listen_key, body);
    ASSERT_EQ(r.status, 200u) << r.body;
    auto v = parse_json(r.body);
    EXPECT_EQ(v.at("success"), true);
    EXPECT_EQ(v.at("timestamp").as_int64(), t0);
    const auto key = std::string(v.at("data").at("authKey").as_string());
    EXPECT_FALSE(key.empty());
    EXPECT_EQ(v.at("data").at("expiredTime").as_int64(), t0 + 24 * 3600 * 1000LL);
    auto st = server().find_listen_key(key);
    ASSERT_TRUE(st);
    EXPECT_EQ(st->exchange, "woox");
    EXPECT_EQ(st->api_key, demo::woox_key);
    EXPECT_EQ(st->account_id, demo::woox_user_id);
}

TEST_F(woox_test, listen_key_expires_after_24_hours) {
    auto c = client();
    auto r = woox(c, "POST", listen_key, body);
    const auto key = std::string(parse_json(r.body).at("data").at("authKey").as_string());
    advance(24h - 1ms);
    EXPECT_TRUE(server().find_listen_key(key));
    advance(1ms);
    EXPECT_FALSE(server().find_listen_key(key));
    EXPECT_TRUE(server().listen_keys().empty());
}

TEST_F(woox_test, a_new_key_immediately_expires_the_previous_key_of_the_same_api_key) {
    auto c = client();
    const auto k1 = std::string(
        parse_json(woox(c, "POST", listen_key, body).body).at("data").at("authKey").as_string());
    advance(1s);
    const auto k2 = std::string(
        parse_json(woox(c, "POST", listen_key, body).body).at("data").at("authKey").as_string());
    EXPECT_NE(k1, k2);
    EXPECT_FALSE(server().find_listen_key(k1));
    ASSERT_TRUE(server().find_listen_key(k2));
    EXPECT_EQ(server().find_listen_key(k2)->expires_ms, t0 + 1000 + 24 * 3600 * 1000LL);
}

TEST_F(woox_test, replacement_is_scoped_to_the_api_key_not_the_account) {
    auto a = exsdk::mock::accounts::demo();
    a.woox[0].api_keys.push_back({"SecondReadKey", "SECONDSECRET", {"READ"}, {}});
    server().set_accounts(a);
    auto c = client();
    const auto k1 = std::string(
        parse_json(woox(c, "POST", listen_key, body).body).at("data").at("authKey").as_string());
    auto r = woox(c, "POST", listen_key, body, "SecondReadKey", "SECONDSECRET");
    ASSERT_EQ(r.status, 200u) << r.body;
    EXPECT_TRUE(server().find_listen_key(k1));
    EXPECT_EQ(server().listen_keys().size(), 2u);
}

TEST_F(woox_test, listen_key_body_validation) {
    auto c = client();
    // Any JSON formatting of {"type":"WEBSOCKET"} is accepted.
    EXPECT_EQ(woox(c, "POST", listen_key, R"( { "type" : "WEBSOCKET" } )").status, 200u);
    advance(10s);
    expect_error(woox(c, "POST", listen_key, R"({"type":"WEBSOCKET")"), 400, -1005,
                 p::message::invalid_parameter); // malformed JSON
    expect_error(woox(c, "POST", listen_key, ""), 400, -1005, p::message::invalid_parameter);
    expect_error(woox(c, "POST", listen_key, R"({"type":"SPOT"})"), 400, -1005,
                 p::message::invalid_parameter);
    expect_error(woox(c, "POST", listen_key, "{}"), 400, -1005, p::message::invalid_parameter);
    advance(10s);
    expect_error(woox(c, "POST", listen_key, R"({"type":1})"), 400, -1005,
                 p::message::invalid_parameter);
    expect_error(woox(c, "POST", listen_key, R"(["WEBSOCKET"])"), 400, -1005,
                 p::message::invalid_parameter);
    expect_error(woox(c, "POST", listen_key, R"({"type":"WEBSOCKET","extra":1})"), 400, -1004,
                 p::message::unknown_parameter);
    EXPECT_TRUE(server().listen_keys().size() == 1u);
}

// ---- authentication errors, in the documented order ---------------------------------------

TEST_F(woox_test, missing_auth_headers_answer_1002) {
    auto c = client();
    const auto full =
        woox_headers(demo::woox_key, demo::woox_secret, now_ms(), "GET", credentials, "");
    for (std::size_t drop = 0; drop < 3; ++drop) {
        header_list h;
        for (std::size_t i = 0; i < full.size(); ++i) {
            if (i != drop) {
                h.push_back(full[i]);
            }
        }
        expect_error(c.request("GET", credentials, h), 401, -1002,
                     p::message::missing_auth_headers);
    }
    auto empty_key = full;
    empty_key[0].second = "";
    expect_error(c.request("GET", credentials, empty_key), 401, -1002,
                 p::message::missing_auth_headers);
}

TEST_F(woox_test, unknown_key_answers_1002) {
    auto c = client();
    expect_error(woox(c, "GET", credentials, "", "NoSuchKey==", demo::woox_secret), 401, -1002,
                 p::message::unauthorized);
}

TEST_F(woox_test, malformed_timestamp_answers_1002) {
    auto c = client();
    for (std::string ts : {"170000000000", "17000000000000", "17000000000x0", "-700000000000"}) {
        auto h = woox_headers(demo::woox_key, demo::woox_secret, 0, "GET", credentials, "");
        h[1].second = ts;
        h[2].second = woox_sign(demo::woox_secret, ts, "GET", credentials, "");
        expect_error(c.request("GET", credentials, h), 401, -1002, p::message::malformed_timestamp);
    }
}

TEST_F(woox_test, wrong_signature_answers_1001) {
    auto c = client();
    expect_error(woox(c, "GET", credentials, "", demo::woox_key, "WRONGSECRET"), 401, -1001,
                 p::message::invalid_signature);
    // Signed over a different target (query not included) fails too.
    auto h = woox_headers(demo::woox_key, demo::woox_secret, now_ms(), "GET", credentials, "");
    expect_error(c.request("GET", std::string(credentials) + "?page=1", h), 401, -1001,
                 p::message::invalid_signature);
}

TEST_F(woox_test, timestamp_window_is_5000_ms_either_way) {
    auto c = client();
    EXPECT_EQ(woox(c, "GET", credentials, "", demo::woox_key, demo::woox_secret, t0 - 5000).status,
              200u);
    EXPECT_EQ(woox(c, "GET", credentials, "", demo::woox_key, demo::woox_secret, t0 + 5000).status,
              200u);
    expect_error(woox(c, "GET", credentials, "", demo::woox_key, demo::woox_secret, t0 - 5001), 401,
                 -1002, p::message::stale_timestamp);
    expect_error(woox(c, "GET", credentials, "", demo::woox_key, demo::woox_secret, t0 + 5001), 401,
                 -1002, p::message::stale_timestamp);
}

TEST_F(woox_test, timestamp_window_is_configurable) {
    srv_.reset();
    auto cfg = base_config();
    cfg.woox_timestamp_window = 100ms;
    start(cfg);
    auto c = client();
    EXPECT_EQ(woox(c, "GET", credentials, "", demo::woox_key, demo::woox_secret, t0 - 100).status,
              200u);
    expect_error(woox(c, "GET", credentials, "", demo::woox_key, demo::woox_secret, t0 - 101), 401,
                 -1002, p::message::stale_timestamp);
}

TEST_F(woox_test, check_order_signature_before_timestamp_window) {
    auto c = client();
    // Bad signature AND stale timestamp: the earlier check (signature) answers.
    expect_error(woox(c, "GET", credentials, "", demo::woox_key, "WRONG", t0 - 60000), 401, -1001,
                 p::message::invalid_signature);
    // Malformed timestamp AND bad signature: the timestamp format is checked first.
    auto h = woox_headers(demo::woox_key, "WRONG", t0, "GET", credentials, "");
    h[1].second = "abc";
    expect_error(c.request("GET", credentials, h), 401, -1002, p::message::malformed_timestamp);
    // Unknown key AND malformed timestamp: the key is checked first.
    h[0].second = "Unknown==";
    expect_error(c.request("GET", credentials, h), 401, -1002, p::message::unauthorized);
}

TEST_F(woox_test, ip_whitelist_is_checked_against_the_peer_address) {
    // The trade-only demo key is bound to 127.0.0.1: from 127.0.0.2 the IP check fails
    // (and comes before the permission check).
    auto from2 = client("127.0.0.2");
    expect_error(woox(from2, "GET", credentials, "", demo::woox_trade_key, demo::woox_trade_secret),
                 401, -1002, p::message::ip_not_allowed);
    // From 127.0.0.1 the IP passes and the missing READ permission answers.
    auto from1 = client("127.0.0.1");
    expect_error(woox(from1, "GET", credentials, "", demo::woox_trade_key, demo::woox_trade_secret),
                 401, -1002, p::message::permission_denied);
    // A READ key allowed only from 127.0.0.2 works from there, not from 127.0.0.1.
    auto a = exsdk::mock::accounts::demo();
    a.woox[0].api_keys[0].allowed_ips = {"127.0.0.2"};
    server().set_accounts(a);
    EXPECT_EQ(woox(from2, "GET", credentials).status, 200u);
    expect_error(woox(from1, "GET", credentials), 401, -1002, p::message::ip_not_allowed);
}

TEST_F(woox_test, key_without_read_answers_1002_on_both_endpoints) {
    auto c = client("127.0.0.1");
    expect_error(woox(c, "POST", listen_key, body, demo::woox_trade_key, demo::woox_trade_secret),
                 401, -1002, p::message::permission_denied);
}

// ---- rate limits --------------------------------------------------------------------------

TEST_F(woox_test, listen_key_limit_is_5_per_10_s_sliding) {
    auto c = client();
    for (int i = 0; i < 5; ++i) {
        ASSERT_EQ(woox(c, "POST", listen_key, body).status, 200u) << i;
        advance(1s); // starts at t0 .. t0+4s
    }
    advance(5s - 1ms); // t0 + 9.999 s: five starts still inside (now - 10 s, now]
    expect_error(woox(c, "POST", listen_key, body), 429, -1003, p::message::too_many_requests);
    advance(1ms); // t0 + 10 s: the start at t0 left the window
    EXPECT_EQ(woox(c, "POST", listen_key, body).status, 200u);
    expect_error(woox(c, "POST", listen_key, body), 429, -1003, p::message::too_many_requests);
}

TEST_F(woox_test, credentials_limit_is_10_per_60_s_per_account_and_endpoint) {
    auto c = client();
    for (int i = 0; i < 10; ++i) {
        ASSERT_EQ(woox(c, "GET", credentials).status, 200u) << i;
    }
    expect_error(woox(c, "GET", credentials), 429, -1003, p::message::too_many_requests);
    // Another endpoint of the same account has its own window.
    EXPECT_EQ(woox(c, "POST", listen_key, body).status, 200u);
    // Another key of the same account shares the account's window.
    auto a = exsdk::mock::accounts::demo();
    a.woox[0].api_keys.push_back({"SecondReadKey", "SECONDSECRET", {"READ"}, {}});
    server().set_accounts(a);
    expect_error(woox(c, "GET", credentials, "", "SecondReadKey", "SECONDSECRET"), 429, -1003,
                 p::message::too_many_requests);
    advance(60s);
    EXPECT_EQ(woox(c, "GET", credentials).status, 200u);
}

TEST_F(woox_test, unauthenticated_requests_do_not_consume_the_limit) {
    auto c = client();
    for (int i = 0; i < 20; ++i) {
        expect_error(woox(c, "POST", listen_key, body, demo::woox_key, "WRONG"), 401, -1001,
                     p::message::invalid_signature);
    }
    for (int i = 0; i < 5; ++i) {
        EXPECT_EQ(woox(c, "POST", listen_key, body).status, 200u) << i;
    }
}

TEST_F(woox_test, rate_limit_comes_before_parameter_validation) {
    auto c = client();
    for (int i = 0; i < 5; ++i) {
        // Authenticated requests with a bad body still count.
        expect_error(woox(c, "POST", listen_key, "{}"), 400, -1005, p::message::invalid_parameter);
    }
    expect_error(woox(c, "POST", listen_key, "{}"), 429, -1003, p::message::too_many_requests);
}

TEST_F(woox_test, limits_can_be_overridden_and_switched_off) {
    srv_.reset();
    auto cfg = base_config();
    cfg.limits.woox_listen_key = {2, 1000ms};
    cfg.limits.woox_credentials = {}; // off
    start(cfg);
    auto c = client();
    EXPECT_EQ(woox(c, "POST", listen_key, body).status, 200u);
    EXPECT_EQ(woox(c, "POST", listen_key, body).status, 200u);
    EXPECT_EQ(woox(c, "POST", listen_key, body).status, 429u);
    for (int i = 0; i < 30; ++i) {
        ASSERT_EQ(woox(c, "GET", credentials).status, 200u);
    }
    srv_.reset();
    cfg.limits.enabled = false;
    cfg.limits.woox_credentials = p::credentials_limit;
    start(cfg);
    auto c2 = client();
    for (int i = 0; i < 30; ++i) {
        ASSERT_EQ(woox(c2, "POST", listen_key, body).status, 200u);
    }
}

// ---- credentials --------------------------------------------------------------------------

TEST_F(woox_test, credentials_lists_every_key_of_the_account_and_hides_empty_allowed_ips) {
    auto c = client();
    auto r = woox(c, "GET", credentials);
    ASSERT_EQ(r.status, 200u) << r.body;
    auto v = parse_json(r.body);
    EXPECT_EQ(v.at("success"), true);
    EXPECT_EQ(v.at("timestamp").as_int64(), t0);
    const auto& rows = v.at("data").at("rows").as_array();
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0].at("accountName").as_string(), "Main");
    EXPECT_EQ(rows[0].at("userId").as_int64(), demo::woox_user_id);
    EXPECT_EQ(rows[0].at("apiKey").as_string(), demo::woox_key);
    EXPECT_EQ(rows[0].at("permissions"), json::parse(R"(["READ","TRADE"])"));
    EXPECT_FALSE(rows[0].as_object().contains("allowedIPs")) << r.body;
    EXPECT_EQ(rows[1].at("apiKey").as_string(), demo::woox_trade_key);
    EXPECT_EQ(rows[1].at("permissions"), json::parse(R"(["TRADE"])"));
    EXPECT_EQ(rows[1].at("allowedIPs"), json::parse(R"(["127.0.0.1"])"));
    EXPECT_EQ(v.at("data").at("meta"),
              json::parse(R"({"total":2,"recordsPerPage":25,"currentPage":1})"));
}

TEST_F(woox_test, credentials_pagination) {
    auto c = client();
    auto page = [&](std::string q) {
        auto r = woox(c, "GET", std::string(credentials) + q);
        EXPECT_EQ(r.status, 200u) << r.body;
        return parse_json(r.body).at("data");
    };
    auto d = page("?page=2&size=1");
    ASSERT_EQ(d.at("rows").as_array().size(), 1u);
    EXPECT_EQ(d.at("rows").as_array()[0].at("apiKey").as_string(), demo::woox_trade_key);
    EXPECT_EQ(d.at("meta"), json::parse(R"({"total":2,"recordsPerPage":1,"currentPage":2})"));
    d = page("?size=1");
    EXPECT_EQ(d.at("rows").as_array()[0].at("apiKey").as_string(), demo::woox_key);
    d = page("?page=3&size=1");
    EXPECT_TRUE(d.at("rows").as_array().empty());
    EXPECT_EQ(d.at("meta").at("total").as_int64(), 2);
    d = page("?page=1&size=1000");
    EXPECT_EQ(d.at("rows").as_array().size(), 2u);
}

TEST_F(woox_test, credentials_parameter_errors) {
    srv_.reset();
    auto cfg = base_config();
    cfg.limits.enabled = false;
    start(cfg);
    auto c = client();
    for (std::string q : {"?page=0", "?size=0", "?size=1001", "?page=abc", "?page=", "?page=-1",
                          "?size=1.5", "?page=1&page=2", "?page=%zz"}) {
        expect_error(woox(c, "GET", std::string(credentials) + q), 400, -1005,
                     p::message::invalid_parameter);
    }
    expect_error(woox(c, "GET", std::string(credentials) + "?page=1&limit=5"), 400, -1004,
                 p::message::unknown_parameter);
}

// ---- routing ------------------------------------------------------------------------------

TEST_F(woox_test, unknown_path_404_and_wrong_method_405_in_the_woox_envelope) {
    auto c = client();
    expect_error(c.request("GET", "/v3/nope"), 404, -1006, answers::path_not_found);
    auto r = c.request("GET", listen_key);
    expect_error(r, 405, -1000, answers::method_not_allowed);
    EXPECT_EQ(r.header("Allow"), "POST");
    expect_error(c.request("DELETE", credentials), 405, -1000, answers::method_not_allowed);
    expect_error(c.request("POST", p::system_info_path, {}, "{}"), 405, -1000,
                 answers::method_not_allowed);
}

TEST_F(woox_test, answers_are_journaled_without_secrets) {
    auto c = client();
    woox(c, "POST", listen_key, body);
    woox(c, "GET", credentials, "", demo::woox_key, "WRONG");
    const auto j = server().journal();
    ASSERT_EQ(j.size(), 2u);
    EXPECT_EQ(j[0].exchange, "woox");
    EXPECT_EQ(j[0].kind, "rest");
    EXPECT_EQ(j[0].method, "POST");
    EXPECT_EQ(j[0].target, listen_key);
    EXPECT_EQ(j[0].api_key, demo::woox_key);
    EXPECT_EQ(j[0].peer, "127.0.0.1");
    EXPECT_EQ(j[0].http_status, 200);
    EXPECT_EQ(j[0].code, 0);
    EXPECT_EQ(j[0].time_ms, t0);
    EXPECT_EQ(j[1].http_status, 401);
    EXPECT_EQ(j[1].code, -1001);
    for (const auto& e : j) {
        EXPECT_EQ(e.target.find(demo::woox_secret), std::string::npos);
    }
}

} // namespace
} // namespace mocktest

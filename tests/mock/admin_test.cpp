// The admin API (/__admin/...) and the C++ control surface that mirrors it: clock, accounts,
// faults (respond / delay / drop, count K, matching), journal, listen keys, reset, --no-admin.
#include "support.hpp"

#include <exsdk/woox/protocol.hpp>

#include <future>

namespace mocktest {
namespace {

namespace json = boost::json;
namespace mock = exsdk::mock;

constexpr std::string_view listen_key = "/v3/account/listenKey";
constexpr std::string_view credentials = "/v3/account/credentials";
constexpr std::string_view system_info = "/v3/public/systemInfo";
constexpr std::string_view uds = "/openApi/user/auth/userDataStream";
constexpr std::string_view body = R"({"type":"WEBSOCKET"})";

class admin_test : public mock_fixture {
protected:
    void SetUp() override { start(); }

    http_response admin(std::string_view method, std::string_view path, std::string_view b = {}) {
        auto c = client();
        return c.request(method, path, {{"Content-Type", "application/json"}}, b);
    }
    /// Asserts a 4xx admin error: {"error":"..."} containing `part`.
    static void expect_admin_error(const http_response& r, unsigned status, std::string_view part) {
        EXPECT_EQ(r.status, status) << r.body;
        auto v = parse_json(r.body);
        ASSERT_TRUE(v.is_object() && v.as_object().contains("error")) << r.body;
        EXPECT_NE(std::string(v.at("error").as_string()).find(part), std::string::npos) << r.body;
    }
};

TEST_F(admin_test, health) {
    auto r = admin("GET", "/__admin/health");
    ASSERT_EQ(r.status, 200u);
    auto v = parse_json(r.body);
    EXPECT_EQ(v.at("status").as_string(), "ok");
    EXPECT_EQ(v.at("time_ms").as_int64(), t0);
    EXPECT_EQ(v.at("clock").as_string(), "manual");
    EXPECT_EQ(v.at("connections").as_int64(), 1);
    EXPECT_EQ(r.header("Content-Type"), "application/json");
    expect_admin_error(admin("POST", "/__admin/health"), 405, "GET");
    expect_admin_error(admin("GET", "/__admin/nope"), 404, "unknown admin endpoint");
}

TEST_F(admin_test, clock_get_set_advance) {
    auto r = admin("GET", "/__admin/clock");
    EXPECT_EQ(parse_json(r.body), json::parse(R"({"now_ms":1700000000000,"manual":true})"));
    r = admin("POST", "/__admin/clock", R"({"advance":1500})");
    EXPECT_EQ(parse_json(r.body).at("now_ms").as_int64(), t0 + 1500);
    EXPECT_EQ(clock->wall_ms(), t0 + 1500);
    r = admin("POST", "/__admin/clock", R"({"set":1800000000000})");
    EXPECT_EQ(parse_json(r.body).at("now_ms").as_int64(), 1800000000000);
    r = admin("POST", "/__admin/clock", R"({"set":1600000000000})"); // backwards is allowed
    EXPECT_EQ(clock->wall_ms(), 1600000000000);
    expect_admin_error(admin("POST", "/__admin/clock", "{"), 400, "not valid JSON");
    expect_admin_error(admin("POST", "/__admin/clock", R"({"advance":-1})"), 400, "non-negative");
    expect_admin_error(admin("POST", "/__admin/clock", R"({"advance":"1"})"), 400, "integer");
    expect_admin_error(admin("POST", "/__admin/clock", R"({"set":1,"advance":1})"), 400, "exactly");
    expect_admin_error(admin("POST", "/__admin/clock", R"({"tick":1})"), 400, "exactly");
    // Found while fuzzing: a huge value overflowed the clock's nanoseconds (undefined
    // behaviour). The clock moves at most to 2200-01-01T00:00:00Z.
    expect_admin_error(admin("POST", "/__admin/clock", R"({"set":9223372036854775807})"), 400,
                       "2200-01-01");
    expect_admin_error(admin("POST", "/__admin/clock", R"({"advance":9223372036854775807})"), 400,
                       "2200-01-01");
    r = admin("POST", "/__admin/clock", R"({"set":7258118400000})");
    EXPECT_EQ(r.status, 200u) << r.body;
    expect_admin_error(admin("POST", "/__admin/clock", R"({"advance":1})"), 400, "2200-01-01");
    EXPECT_EQ(clock->wall_ms(), 7258118400000);
    expect_admin_error(admin("DELETE", "/__admin/clock"), 405, "GET, POST");
}

TEST_F(admin_test, advancing_the_clock_expires_keys_and_frees_windows) {
    auto c = client();
    for (int i = 0; i < 5; ++i) {
        ASSERT_EQ(woox(c, "POST", listen_key, body).status, 200u);
    }
    ASSERT_EQ(woox(c, "POST", listen_key, body).status, 429u);
    admin("POST", "/__admin/clock", R"({"advance":10000})");
    auto r = woox(c, "POST", listen_key, body);
    ASSERT_EQ(r.status, 200u);
    const auto key = std::string(parse_json(r.body).at("data").at("authKey").as_string());
    admin("POST", "/__admin/clock", R"({"advance":86400000})");
    EXPECT_FALSE(server().find_listen_key(key));
}

TEST(admin_system_clock, clock_changes_answer_409) {
    mock::threaded_server srv(mock::config{});
    http_client c(srv.base_url());
    auto r = c.request("POST", "/__admin/clock", {}, R"({"advance":1})");
    EXPECT_EQ(r.status, 409u);
    EXPECT_NE(r.body.find("manual"), std::string::npos);
    r = c.request("GET", "/__admin/clock");
    EXPECT_EQ(parse_json(r.body).at("manual"), false);
    EXPECT_EQ(parse_json(c.request("GET", "/__admin/health").body).at("clock").as_string(),
              "system");
}

TEST_F(admin_test, accounts_get_never_shows_secrets) {
    auto r = admin("GET", "/__admin/accounts");
    ASSERT_EQ(r.status, 200u);
    EXPECT_EQ(r.body.find(demo::woox_secret), std::string::npos);
    EXPECT_EQ(r.body.find(demo::bingx_secret), std::string::npos);
    EXPECT_EQ(r.body.find("secret"), std::string::npos);
    auto v = parse_json(r.body);
    EXPECT_EQ(v.at("woox").as_array()[0].at("userId").as_int64(), 12523);
    EXPECT_EQ(v.at("bingx").as_array().size(), 2u);
}

TEST_F(admin_test, accounts_post_replaces_every_account) {
    const std::string file = R"({"woox":[{"userId":7,"accountName":"Sub","apiKeys":[
        {"apiKey":"K7","secret":"S7","permissions":["READ"],"allowedIPs":[]}]}],
        "bingx":[{"uid":9,"apiKeys":[{"apiKey":"B9","secret":"T9","permissions":["READ"]}]}]})";
    auto r = admin("POST", "/__admin/accounts", file);
    ASSERT_EQ(r.status, 200u) << r.body;
    EXPECT_EQ(r.body.find("S7"), std::string::npos);
    auto c = client();
    auto ok = woox(c, "GET", credentials, "", "K7", "S7");
    ASSERT_EQ(ok.status, 200u) << ok.body;
    EXPECT_EQ(parse_json(ok.body).at("data").at("rows").as_array()[0].at("accountName").as_string(),
              "Sub");
    EXPECT_EQ(woox(c, "GET", credentials).status, 401u); // the demo key is gone
    EXPECT_EQ(bingx(c, "POST", uds, {}, "B9", "T9").status, 200u);
    EXPECT_EQ(server().get_accounts().woox[0].api_keys[0].secret, "S7");
}

TEST_F(admin_test, accounts_post_rejects_bad_input_with_the_field_name) {
    expect_admin_error(admin("POST", "/__admin/accounts", "[1"), 400, "not valid JSON");
    expect_admin_error(admin("POST", "/__admin/accounts", R"({"woox":[{"userId":"x"}]})"), 400,
                       "woox[0].userId");
    expect_admin_error(
        admin(
            "POST", "/__admin/accounts",
            R"({"bingx":[{"uid":1,"apiKeys":[{"apiKey":"a","secret":"b","allowedIPs":["nope"]}]}]})"),
        400, "bingx[0].apiKeys[0].allowedIPs[0]");
    // The accounts did not change.
    EXPECT_EQ(server().get_accounts(), mock::accounts::demo());
}

TEST_F(admin_test, replacing_accounts_revokes_listen_keys_of_removed_api_keys) {
    auto c = client();
    auto r = woox(c, "POST", listen_key, body);
    const auto wkey = std::string(parse_json(r.body).at("data").at("authKey").as_string());
    auto b = bingx(c, "POST", uds);
    const auto bkey = std::string(parse_json(b.body).at("listenKey").as_string());
    auto a = mock::accounts::demo();
    a.woox.clear();
    server().set_accounts(a);
    EXPECT_FALSE(server().find_listen_key(wkey));
    EXPECT_TRUE(server().find_listen_key(bkey));
}

TEST_F(admin_test, listen_keys_endpoint) {
    auto c = client();
    woox(c, "POST", listen_key, body);
    bingx(c, "POST", uds);
    auto v = parse_json(admin("GET", "/__admin/listen_keys").body);
    const auto& keys = v.at("listen_keys").as_array();
    ASSERT_EQ(keys.size(), 2u);
    EXPECT_EQ(keys[0].at("exchange").as_string(), "woox");
    EXPECT_EQ(keys[0].at("account_id").as_int64(), 12523);
    EXPECT_EQ(keys[0].at("expires_ms").as_int64(), t0 + 86400000);
    EXPECT_EQ(keys[1].at("exchange").as_string(), "bingx");
    EXPECT_EQ(keys[1].at("expires_ms").as_int64(), t0 + 3600000);
}

// ---- faults -------------------------------------------------------------------------------

TEST_F(admin_test, respond_fault_for_the_next_k_matching_requests) {
    auto r = admin("POST", "/__admin/faults",
                   R"({"exchange":"woox","method":"post","path":"/v3/account/listenKey",
                       "action":"respond","status":503,"body":{"success":false,"code":-1000,"message":"down"},"count":2})");
    ASSERT_EQ(r.status, 200u) << r.body;
    EXPECT_EQ(parse_json(r.body), json::parse(R"({"added":1,"pending":1})"));
    auto c = client();
    // Not matching: another path, another exchange.
    EXPECT_EQ(woox(c, "GET", credentials).status, 200u);
    EXPECT_EQ(bingx(c, "POST", uds).status, 200u);
    for (int i = 0; i < 2; ++i) {
        auto f = woox(c, "POST", listen_key, body);
        EXPECT_EQ(f.status, 503u);
        EXPECT_EQ(parse_json(f.body),
                  json::parse(R"({"success":false,"code":-1000,"message":"down"})"));
    }
    EXPECT_EQ(woox(c, "POST", listen_key, body).status, 200u); // count used up
    auto j = server().journal();
    ASSERT_EQ(j.size(), 5u);
    EXPECT_EQ(j[2].fault, "respond");
    EXPECT_EQ(j[2].http_status, 503);
    EXPECT_EQ(j[2].code, -1000); // the code the injected body carries
    EXPECT_EQ(j[4].fault, "");
    EXPECT_EQ(parse_json(admin("GET", "/__admin/faults").body).at("faults").as_array().size(), 0u);
}

TEST_F(admin_test, faults_match_any_when_fields_are_empty_and_never_touch_admin) {
    server().add_fault({"", "", "", mock::fault::action::respond, 418, "{}", 0ms, 3});
    auto c = client();
    EXPECT_EQ(c.request("GET", system_info).status, 418u);
    EXPECT_EQ(c.request("GET", "/openApi/swap/v2/server/time").status, 418u);
    EXPECT_EQ(admin("GET", "/__admin/health").status, 200u); // admin is never faulted
    EXPECT_EQ(c.request("GET", "/anything").status, 418u);
    EXPECT_EQ(c.request("GET", system_info).status, 200u);
}

TEST_F(admin_test, drop_fault_closes_the_connection_without_an_answer) {
    admin("POST", "/__admin/faults", R"({"path":"/v3/public/systemInfo","action":"drop"})");
    auto c = client();
    c.send_raw("GET /v3/public/systemInfo HTTP/1.1\r\nHost: a\r\n\r\n");
    EXPECT_TRUE(c.wait_closed());
    auto j = server().journal();
    ASSERT_EQ(j.size(), 1u);
    EXPECT_EQ(j[0].fault, "drop");
    EXPECT_EQ(j[0].http_status, 0);
    EXPECT_EQ(c.request("GET", system_info).status, 200u); // new connection, fault used up
}

TEST_F(admin_test, delay_fault_waits_on_the_mocks_clock_then_answers_normally) {
    server().add_fault({"bingx", "GET", "", mock::fault::action::delay, 0, {}, 3000ms, 1});
    auto c = client();
    auto fut = std::async(std::launch::async,
                          [&] { return c.request("GET", "/openApi/swap/v2/server/time"); });
    ASSERT_TRUE(wait_until([&] {
        auto d = clock->next_deadline();
        return d && *d == clock->now() + 3s; // the delay is waiting on the clock
    }));
    EXPECT_EQ(fut.wait_for(0s), std::future_status::timeout); // not answered before time moves
    advance(3s);
    auto r = fut.get();
    EXPECT_EQ(r.status, 200u);
    // Answered normally, at the time after the delay.
    EXPECT_EQ(parse_json(r.body).at("data").at("serverTime").as_int64(), t0 + 3000);
    auto j = server().journal();
    ASSERT_EQ(j.size(), 1u);
    EXPECT_EQ(j[0].fault, "delay");
    EXPECT_EQ(j[0].http_status, 200);
}

TEST_F(admin_test, stop_cancels_a_pending_delay) {
    server().add_fault({"", "", "", mock::fault::action::delay, 0, {}, 3600000ms, 1});
    auto c = client();
    c.send_raw("GET /v3/public/systemInfo HTTP/1.1\r\nHost: a\r\n\r\n");
    // The connection's watchdog and the delay.
    ASSERT_TRUE(wait_until([&] { return clock->pending() == 2; }));
    srv_->stop(); // returns: nothing of the server is left waiting
    EXPECT_TRUE(c.wait_closed());
    EXPECT_EQ(clock->pending(), 0u);
}

TEST_F(admin_test, fault_input_errors) {
    expect_admin_error(admin("POST", "/__admin/faults", R"({"action":"explode"})"), 400,
                       "fault.action");
    expect_admin_error(admin("POST", "/__admin/faults", R"({"count":0})"), 400, "count");
    // One prefix, and the range the docs give (a 1xx is not a final answer).
    auto r = admin("POST", "/__admin/faults", R"({"status":99})");
    EXPECT_EQ(r.status, 400u);
    EXPECT_EQ(parse_json(r.body),
              json::parse(R"({"error":"fault: status must be in 200..599, got 99"})"));
    expect_admin_error(admin("POST", "/__admin/faults", R"({"status":150})"), 400,
                       "status must be in 200..599, got 150");
    expect_admin_error(admin("POST", "/__admin/faults", R"([{"status":600}])"), 400,
                       "faults[0]: status must be in 200..599, got 600");
    expect_admin_error(admin("POST", "/__admin/faults", R"({"status":5000000000})"), 400,
                       "got 2147483647");
    EXPECT_EQ(admin("POST", "/__admin/faults", R"({"status":200,"count":1})").status, 200u);
    admin("DELETE", "/__admin/faults");
    expect_admin_error(admin("POST", "/__admin/faults", R"({"exchange":"binance"})"), 400,
                       "exchange");
    expect_admin_error(admin("POST", "/__admin/faults", R"([{"status":500},{"colour":1}])"), 400,
                       "faults[1].colour");
    expect_admin_error(admin("POST", "/__admin/faults", "nope"), 400, "not valid JSON");
    EXPECT_TRUE(server().faults().empty());
    EXPECT_THROW(server().add_fault({"", "", "", mock::fault::action::respond, 500, {}, 0ms, 0}),
                 std::invalid_argument);
    try {
        server().add_fault({"", "", "", mock::fault::action::respond, 99, {}, 0ms, 1});
        ADD_FAILURE() << "status 99 accepted";
    } catch (const std::invalid_argument& e) {
        EXPECT_STREQ(e.what(), "fault: status must be in 200..599, got 99");
    }
    EXPECT_TRUE(server().faults().empty());
}

// A proxy's page in front of the exchange: a respond fault whose body starts with '<' is sent
// as text/html.
TEST_F(admin_test, respond_fault_with_an_html_body_plays_a_proxy_page) {
    auto r = admin("POST", "/__admin/faults",
                   R"([{"path":"/v3/public/systemInfo","status":404,)"
                   R"("body":"<html><title>404 Not Found</title></html>"},)"
                   R"({"path":"/v3/public/systemInfo","status":500,"body":{"success":false}}])");
    ASSERT_EQ(r.status, 200u) << r.body;
    auto c = client();
    auto page = c.request("GET", system_info);
    EXPECT_EQ(page.status, 404u);
    EXPECT_EQ(page.header("Content-Type"), "text/html; charset=utf-8");
    EXPECT_EQ(page.body, "<html><title>404 Not Found</title></html>");
    auto json_answer = c.request("GET", system_info);
    EXPECT_EQ(json_answer.status, 500u);
    EXPECT_EQ(json_answer.header("Content-Type"), "application/json");
}

TEST_F(admin_test, faults_list_and_delete) {
    admin("POST", "/__admin/faults", R"([{"status":500,"count":2},{"action":"drop"}])");
    auto v = parse_json(admin("GET", "/__admin/faults").body);
    ASSERT_EQ(v.at("faults").as_array().size(), 2u);
    EXPECT_EQ(v.at("faults").as_array()[0].at("count").as_int64(), 2);
    EXPECT_EQ(v.at("faults").as_array()[1].at("action").as_string(), "drop");
    EXPECT_EQ(server().faults().size(), 2u);
    EXPECT_EQ(parse_json(admin("DELETE", "/__admin/faults").body), json::parse(R"({"cleared":2})"));
    EXPECT_TRUE(server().faults().empty());
    server().add_fault({});
    server().clear_faults();
    EXPECT_TRUE(server().faults().empty());
}

// ---- journal and reset --------------------------------------------------------------------

TEST_F(admin_test, journal_records_exchange_requests_not_admin_ones) {
    auto c = client();
    c.request("GET", system_info);
    bingx(c, "POST", uds, {}, "unknown-key");
    admin("GET", "/__admin/health");
    auto v = parse_json(admin("GET", "/__admin/journal").body);
    const auto& e = v.at("entries").as_array();
    ASSERT_EQ(e.size(), 2u);
    EXPECT_EQ(e[0].at("exchange").as_string(), "woox");
    EXPECT_EQ(e[0].at("kind").as_string(), "rest");
    EXPECT_EQ(e[0].at("method").as_string(), "GET");
    EXPECT_EQ(e[0].at("target").as_string(), system_info);
    EXPECT_EQ(e[0].at("http_status").as_int64(), 200);
    EXPECT_EQ(e[0].at("peer").as_string(), "127.0.0.1");
    EXPECT_EQ(e[1].at("exchange").as_string(), "bingx");
    EXPECT_EQ(e[1].at("api_key").as_string(), "unknown-key");
    EXPECT_EQ(e[1].at("code").as_int64(), 100413);
    EXPECT_EQ(e[1].at("time_ms").as_int64(), t0);
    EXPECT_EQ(parse_json(admin("DELETE", "/__admin/journal").body),
              json::parse(R"({"cleared":2})"));
    EXPECT_TRUE(server().journal().empty());
    c.request("GET", system_info);
    EXPECT_EQ(server().journal().size(), 1u);
    server().clear_journal();
    EXPECT_TRUE(server().journal().empty());
}

TEST_F(admin_test, journal_capacity_keeps_the_most_recent) {
    srv_.reset();
    auto cfg = base_config();
    cfg.journal_capacity = 3;
    start(cfg);
    auto c = client();
    for (int i = 0; i < 5; ++i) {
        c.request("GET", "/v3/public/systemInfo?i=" + std::to_string(i));
    }
    auto j = server().journal();
    ASSERT_EQ(j.size(), 3u);
    EXPECT_EQ(j[0].target, "/v3/public/systemInfo?i=2");
}

TEST_F(admin_test, reset_restores_the_start_state_but_not_the_clock_or_accounts) {
    auto c = client();
    for (int i = 0; i < 5; ++i) {
        woox(c, "POST", listen_key, body);
    }
    ASSERT_EQ(woox(c, "POST", listen_key, body).status, 429u);
    bingx(c, "POST", uds);
    server().add_fault({"", "", "/x", mock::fault::action::drop, 0, {}, 0ms, 1});
    auto a = mock::accounts::demo();
    a.bingx.pop_back();
    server().set_accounts(a);
    advance(1s);
    auto r = admin("POST", "/__admin/reset");
    EXPECT_EQ(parse_json(r.body), json::parse(R"({"reset":true,"accounts":false})"));
    EXPECT_TRUE(server().listen_keys().empty());
    EXPECT_TRUE(server().journal().empty());
    EXPECT_TRUE(server().faults().empty());
    EXPECT_EQ(clock->wall_ms(), t0 + 1000);
    EXPECT_EQ(server().get_accounts().bingx.size(), 1u);
    EXPECT_EQ(woox(c, "POST", listen_key, body).status, 200u); // the window is empty again
    // {"accounts":true} also restores the start-up accounts.
    r = admin("POST", "/__admin/reset", R"({"accounts":true})");
    EXPECT_EQ(server().get_accounts(), mock::accounts::demo());
    expect_admin_error(admin("POST", "/__admin/reset", R"({"all":1})"), 400, "accounts");
    server().reset(); // the C++ form
    EXPECT_TRUE(server().listen_keys().empty());
}

TEST_F(admin_test, no_admin_answers_404) {
    srv_.reset();
    auto cfg = base_config();
    cfg.admin = false;
    start(cfg);
    auto r = admin("GET", "/__admin/health");
    EXPECT_EQ(r.status, 404u);
    r = admin("POST", "/__admin/reset");
    EXPECT_EQ(r.status, 404u);
}

} // namespace
} // namespace mocktest

// The streams' control surface: POST /__admin/events and server::push_event (validation, order,
// threads), POST /__admin/streams/drop and server::drop_streams (network loss), GET
// /__admin/streams, the journal's stream kinds, reset and stop with sockets open.
#include "stream_support.hpp"
#include "support/prometheus_check.hpp"

#include <exsdk/mock/stream_push.hpp>

#include <mutex>
#include <stdexcept>
#include <thread>

namespace mocktest {
namespace {

namespace json = boost::json;
namespace mock = exsdk::mock;

class stream_admin_test : public stream_fixture {
protected:
    /// Asserts a 4xx admin error: {"error":"..."} containing `part`.
    static void expect_admin_error(const http_response& r, unsigned status, std::string_view part) {
        EXPECT_EQ(r.status, status) << r.body;
        auto v = parse_json(r.body);
        ASSERT_TRUE(v.is_object() && v.as_object().contains("error")) << r.body;
        EXPECT_NE(std::string(v.at("error").as_string()).find(part), std::string::npos) << r.body;
    }

    ws_client subscribed_woox(std::string_view topics = R"(["balance"])") {
        auto c = open_woox(woox_key());
        c.send(R"({"id":"s","cmd":"SUBSCRIBE","params":)" + std::string(topics) + "}");
        EXPECT_EQ(frame_json(c.next()).at("success"), json::value(true));
        return c;
    }
};

TEST_F(stream_admin_test, events_are_delivered_in_order_with_data_verbatim) {
    auto w = subscribed_woox();
    auto b = open_swap(bingx_key());
    auto r = admin("POST", "/__admin/events",
                   R"({"exchange":"woox","apiKey":"AbmyVJGUpN064ks5ELjLfA==","topic":"balance",)"
                   R"("data":{"balances":[{"t":"USDT","h":100.50,"f":"0.5"}]}})");
    EXPECT_EQ(r.status, 200u);
    EXPECT_EQ(r.body, R"({"delivered":1})");
    EXPECT_EQ(r.header("Content-Type"), "application/json");
    EXPECT_EQ(w.next().data, R"({"topic":"balance","ts":1700000000000,"data":)"
                             R"({"balances":[{"t":"USDT","h":100.50,"f":"0.5"}]}})");
    // An array: delivered in order, to both exchanges.
    r = admin("POST", "/__admin/events",
              R"([{"exchange":"bingx","accountId":1001,"topic":"ACCOUNT_UPDATE","data":{"n":1}},)"
              R"( {"exchange":"woox","accountId":12523,"topic":"balance","data":{"n":2}},)"
              R"( {"exchange":"bingx","apiKey":"bingx-demo-api-key-0001","topic":"X","data":)"
              R"( { "n" : 3 , "s":"a,}]" }},)"
              R"( {"exchange":"woox","accountId":12523,"topic":"position"}])");
    EXPECT_EQ(r.body, R"({"delivered":3})");
    EXPECT_EQ(frame_json(w.next()).at("data"), json::parse(R"({"n":2})"));
    auto ev = b.next();
    EXPECT_EQ(ev.data, R"({"e":"ACCOUNT_UPDATE","E":1700000000000,"n":1})");
    EXPECT_EQ(b.next().data, R"({"e":"X","E":1700000000000,"n":3,"s":"a,}]"})");
    EXPECT_EQ(admin("POST", "/__admin/events", "[]").body, R"({"delivered":0})");
    // Pushes are not journaled.
    for (const auto& e : server().journal()) {
        EXPECT_TRUE(e.kind == "rest" || e.kind == "stream_connect" || e.kind == "stream_subscribe")
            << e.kind;
    }
}

TEST_F(stream_admin_test, bad_events_are_400_and_deliver_nothing) {
    auto w = subscribed_woox();
    expect_admin_error(admin("POST", "/__admin/events", "{"), 400, "not valid JSON");
    expect_admin_error(admin("POST", "/__admin/events", "3"), 400, "must be a JSON object");
    expect_admin_error(
        admin("POST", "/__admin/events", R"({"exchange":"kraken","accountId":1,"topic":"t"})"), 400,
        R"(exchange must be "woox" or "bingx")");
    expect_admin_error(admin("POST", "/__admin/events", R"({"exchange":"woox","accountId":12523})"),
                       400, "topic must not be empty");
    expect_admin_error(admin("POST", "/__admin/events", R"({"exchange":"woox","topic":"balance"})"),
                       400, "an apiKey or an accountId is required");
    expect_admin_error(admin("POST", "/__admin/events",
                             R"({"exchange":"woox","apiKey":"nope","topic":"balance"})"),
                       400, "unknown woox apiKey");
    expect_admin_error(admin("POST", "/__admin/events",
                             R"({"exchange":"woox","apiKey":"bingx-demo-api-key-0001",)"
                             R"("topic":"balance"})"),
                       400, "unknown woox apiKey");
    expect_admin_error(admin("POST", "/__admin/events",
                             R"({"exchange":"bingx","accountId":12523,"topic":"balance"})"),
                       400, "unknown bingx accountId 12523");
    expect_admin_error(
        admin("POST", "/__admin/events", R"({"exchange":"woox","accountId":-1,"topic":"balance"})"),
        400, "accountId: must be a positive integer");
    expect_admin_error(admin("POST", "/__admin/events",
                             R"({"exchange":"woox","accountId":12523,"topic":"balance",)"
                             R"("data":[1]})"),
                       400, "data: must be a JSON object");
    expect_admin_error(admin("POST", "/__admin/events",
                             R"({"exchange":"woox","accountId":12523,"topic":"balance","x":1})"),
                       400, "x: unknown field");
    expect_admin_error(admin("POST", "/__admin/events",
                             R"({"exchange":"woox","apiKey":"AbmyVJGUpN064ks5ELjLfA==",)"
                             R"("accountId":5,"topic":"balance"})"),
                       400, "another account");
    // One bad event in an array: nothing is delivered.
    expect_admin_error(admin("POST", "/__admin/events",
                             R"([{"exchange":"woox","accountId":12523,"topic":"balance"},)"
                             R"({"exchange":"woox","accountId":12523}])"),
                       400, "events[1]: topic must not be empty");
    expect_admin_error(admin("GET", "/__admin/events"), 405, "POST");
    w.send(R"({"cmd":"PING"})");
    EXPECT_EQ(frame_json(w.next()).at("cmd").as_string(), "PONG"); // nothing came before

    // The C++ surface checks the same things.
    mock::stream_push p;
    p.exchange = "woox";
    p.account_id = 12523;
    p.topic = "balance";
    p.data = "[1]";
    EXPECT_THROW(server().push_event(p), std::invalid_argument);
    p.data = "{";
    EXPECT_THROW(server().push_event(p), std::invalid_argument);
    p.data = "";
    p.exchange = "WOOX";
    EXPECT_THROW(server().push_event(p), std::invalid_argument);
    p.exchange = "woox";
    p.topic.clear();
    EXPECT_THROW(server().push_event(p), std::invalid_argument);
    p.topic = "bal\xff"
              "ance"; // frames are JSON, so topics are UTF-8 text
    EXPECT_THROW(server().push_event(p), std::invalid_argument);
    p.topic = "balance";
    p.account_id = 0;
    EXPECT_THROW(server().push_event(p), std::invalid_argument);
    p.account_id = 12523;
    EXPECT_EQ(server().push_event(p), 1u);
    EXPECT_EQ(frame_json(w.next()).at("data"), json::object());
}

TEST_F(stream_admin_test, pushes_from_several_threads_keep_each_threads_order) {
    auto w = subscribed_woox();
    auto b = open_swap(bingx_key());
    constexpr int per_thread = 400;
    auto pusher = [&](int thread) {
        for (int i = 0; i < per_thread; ++i) {
            const auto data =
                R"({"t":)" + std::to_string(thread) + R"(,"n":)" + std::to_string(i) + "}";
            mock::stream_push p{"woox", "", 12523, "balance", data};
            ASSERT_EQ(server().push_event(p), 1u);
            mock::stream_push q{"bingx", "", 1001, "ORDER_TRADE_UPDATE", data};
            ASSERT_EQ(server().push_event(q), 1u);
        }
    };
    std::thread t1(pusher, 1);
    std::thread t2(pusher, 2);
    pusher(3);
    t1.join();
    t2.join();
    for (auto* c : {&w, &b}) {
        int next[4] = {0, 0, 0, 0};
        for (int i = 0; i < 3 * per_thread; ++i) {
            auto v = frame_json(c->next());
            const auto& d = v.as_object().contains("data") ? v.at("data") : v;
            const auto t = d.at("t").as_int64();
            ASSERT_EQ(d.at("n").as_int64(), next[t]++) << "thread " << t;
        }
    }
}

TEST_F(stream_admin_test, drop_cuts_sockets_without_a_close_frame) {
    auto key = woox_key();
    auto w1 = open_woox(key);
    auto w2 = open_woox(key);
    auto s = open_swap(bingx_key());
    auto s2 = open_spot(bingx_key(demo::bingx_key2, demo::bingx_secret2));
    EXPECT_EQ(server().stream_count(), 4u);
    EXPECT_EQ(server().stream_count("woox"), 2u);
    EXPECT_EQ(server().stream_count("bingx"), 2u);
    EXPECT_THROW(server().stream_count("kraken"), std::invalid_argument);

    auto r = admin("POST", "/__admin/streams/drop", R"({"apiKey":"bingx-demo-api-key-0002"})");
    EXPECT_EQ(r.body, R"({"dropped":1})");
    auto ev = s2.next();
    EXPECT_EQ(ev.what, ws_event::kind::error) << ev.reason; // no close frame: EOF or reset
    EXPECT_EQ(server().stream_count(), 3u);

    EXPECT_EQ(server().drop_streams("woox"), 2u);
    for (auto* c : {&w1, &w2}) {
        EXPECT_EQ(c->next().what, ws_event::kind::error);
    }
    EXPECT_EQ(server().stream_count(), 1u);
    EXPECT_THROW(server().drop_streams("kraken"), std::invalid_argument);
    EXPECT_EQ(server().drop_streams("woox"), 0u);

    EXPECT_EQ(admin("POST", "/__admin/streams/drop").body, R"({"dropped":1})"); // all
    EXPECT_EQ(s.next().what, ws_event::kind::error);
    EXPECT_EQ(server().stream_count(), 0u);

    expect_admin_error(admin("POST", "/__admin/streams/drop", R"({"exchange":"kraken"})"), 400,
                       "exchange must be");
    expect_admin_error(admin("POST", "/__admin/streams/drop", R"({"apikey":"x"})"), 400,
                       "body must be");
    expect_admin_error(admin("GET", "/__admin/streams/drop"), 405, "POST");

    ASSERT_TRUE(wait_until([&] { return entries("stream_close").size() == 4; }));
    for (const auto& e : entries("stream_close")) {
        EXPECT_EQ(e.method, "server");
        EXPECT_EQ(e.code, 1006);
        EXPECT_EQ(e.fault, "drop");
    }
    // The SDK reconnects with the same key: allowed (the key is still valid).
    auto again = ws();
    EXPECT_TRUE(again.connect("/v3/private?key=" + key));
}

TEST_F(stream_admin_test, streams_are_listed) {
    auto w = subscribed_woox(R"(["balance","executionreport"])");
    advance(2s);
    auto key = bingx_key();
    auto s = open_spot(key);
    s.send(R"({"id":"1","reqType":"sub","dataType":"spot.executionReport"})");
    s.next();
    auto r = admin("GET", "/__admin/streams");
    ASSERT_EQ(r.status, 200u);
    auto v = parse_json(r.body);
    const auto& list = v.at("streams").as_array();
    ASSERT_EQ(list.size(), 2u);
    const auto woox_key_text = std::string(server().streams()[0].listen_key);
    EXPECT_EQ(list[0], json::parse(R"({"id":1,"exchange":"woox","path":"/v3/private",)"
                                   R"("listen_key":")" +
                                   woox_key_text +
                                   R"(","api_key":"AbmyVJGUpN064ks5ELjLfA==",)"
                                   R"("account_id":12523,"peer":"127.0.0.1",)"
                                   R"("topics":["balance","executionreport"],)"
                                   R"("connected_ms":1700000000000,)"
                                   R"("last_frame_ms":1700000000000,"last_pong_ms":0})"));
    EXPECT_EQ(list[1].at("exchange").as_string(), "bingx");
    EXPECT_EQ(list[1].at("path").as_string(), "/market");
    EXPECT_EQ(list[1].at("listen_key").as_string(), key);
    EXPECT_EQ(list[1].at("account_id").as_int64(), 1001);
    EXPECT_EQ(list[1].at("connected_ms").as_int64(), t0 + 2000);
    EXPECT_EQ(list[1].at("topics"), json::parse(R"(["spot.executionReport"])"));
    auto cpp = server().streams();
    ASSERT_EQ(cpp.size(), 2u);
    EXPECT_EQ(cpp[1].path, "/market");
    EXPECT_EQ(cpp[1].api_key, demo::bingx_key);
    expect_admin_error(admin("POST", "/__admin/streams"), 405, "GET");
}

TEST_F(stream_admin_test, the_journal_shows_the_stream_kinds) {
    auto key = woox_key();
    EXPECT_FALSE(ws().connect("/v3/private?key=bad"));
    auto w = open_woox(key);
    w.send(R"({"id":"1","cmd":"SUBSCRIBE","params":["balance","position"]})");
    w.next();
    w.send(R"({"id":"2","cmd":"UN_SUBSCRIBE","params":["position"]})");
    w.next();
    advance(60s);
    w.next(); // idle close
    auto r = admin("GET", "/__admin/journal");
    auto entries_json = parse_json(r.body).at("entries").as_array();
    std::vector<std::string> kinds;
    for (const auto& e : entries_json) {
        kinds.emplace_back(e.at("kind").as_string());
    }
    EXPECT_EQ(kinds,
              (std::vector<std::string>{"rest", "stream_connect", "stream_connect",
                                        "stream_subscribe", "stream_unsubscribe", "stream_close"}));
    EXPECT_EQ(entries_json[1].at("http_status").as_int64(), 401);
    EXPECT_EQ(entries_json[2].at("http_status").as_int64(), 101);
    EXPECT_EQ(entries_json[3].at("target").as_string(), "balance,position");
    EXPECT_EQ(entries_json[4].at("target").as_string(), "position");
    EXPECT_EQ(entries_json[5].at("code").as_int64(), 1001);
    EXPECT_EQ(entries_json[5].at("method").as_string(), "server");
    EXPECT_EQ(entries_json[5].at("target").as_string(), "/v3/private?key=" + key);
    EXPECT_EQ(entries_json[5].at("time_ms").as_int64(), t0 + 60000);
}

TEST_F(stream_admin_test, admin_reset_closes_every_socket) {
    auto w = open_woox(woox_key());
    auto s = open_swap(bingx_key());
    auto r = admin("POST", "/__admin/reset");
    EXPECT_EQ(r.status, 200u);
    for (auto* c : {&w, &s}) {
        auto ev = c->next();
        ASSERT_EQ(ev.what, ws_event::kind::closed) << ev.error;
        EXPECT_EQ(ev.code, 1012);
        EXPECT_EQ(ev.reason, "mock reset");
    }
    EXPECT_EQ(server().stream_count(), 0u);
}

TEST(stream_lifecycle, stop_with_open_streams_leaves_nothing_pending) {
    auto clk = std::make_shared<exsdk::manual_clock>(t0);
    mock::config cfg;
    cfg.clock = clk;
    cfg.seed = 7;
    auto srv = std::make_unique<mock::threaded_server>(cfg);
    http_client hc(srv->base_url());
    auto r = hc.request("POST", "/openApi/user/auth/userDataStream",
                        {{"X-BX-APIKEY", std::string(demo::bingx_key)}});
    ASSERT_EQ(r.status, 200u) << r.body;
    const std::string key(parse_json(r.body).at("listenKey").as_string());
    ws_client a(srv->get().port());
    ASSERT_TRUE(a.connect("/swap-market?listenKey=" + key));
    ws_client b(srv->get().port());
    ASSERT_TRUE(b.connect("/market?listenKey=" + key));
    ASSERT_TRUE(wait_until([&] { return clk->pending() >= 2; })); // the heartbeat timers
    srv->stop(); // returns: the server's thread ran out of work
    EXPECT_EQ(clk->pending(), 0u);
    EXPECT_EQ(a.next().what, ws_event::kind::error);
    EXPECT_EQ(b.next().what, ws_event::kind::error);
    for (const auto& e : srv->get().journal()) {
        EXPECT_NE(e.kind, "stream_close"); // stopping is not journaled
    }
    srv.reset();
}

TEST(stream_lifecycle, the_observer_sees_stream_entries) {
    auto clk = std::make_shared<exsdk::manual_clock>(t0);
    mock::config cfg;
    cfg.clock = clk;
    std::mutex m;
    std::vector<std::string> seen;
    cfg.on_request = [&](const mock::journal_entry& e) {
        std::lock_guard lock(m);
        seen.push_back(e.kind + " " + std::to_string(e.http_status) + " " + std::to_string(e.code));
    };
    mock::threaded_server srv(cfg);
    ws_client c(srv.get().port());
    EXPECT_FALSE(c.connect("/swap-market?listenKey=x"));
    std::lock_guard lock(m);
    EXPECT_EQ(seen, (std::vector<std::string>{"stream_connect 404 0"}));
}

// GET /__admin/metrics: requests by exchange, method, endpoint and answer; limit rejections;
// open streams; pushed events. The page parses with Prometheus' reference parser.
TEST_F(stream_admin_test, metrics_page_counts_requests_rejections_streams_and_pushes) {
    auto w = subscribed_woox();
    auto b = open_swap(bingx_key());
    auto refused = ws();
    EXPECT_FALSE(refused.connect("/swap-market?listenKey=nope"));
    {
        auto c = client();
        for (int i = 0; i < 11; ++i) { // WOO X credentials: 10 / 60 s, then -1003
            woox(c, "GET", "/v3/account/credentials?page=1&size=25");
        }
        c.request("GET", "/v3/no/such/path");
    }
    EXPECT_EQ(push("woox", "balance", R"({"n":1})"), 1u);
    EXPECT_EQ(push("woox", "balance", R"({"n":2})"), 1u);
    (void)w.next();
    (void)w.next();
    EXPECT_EQ(admin("POST", "/__admin/events",
                    R"({"exchange":"bingx","accountId":1001,"topic":"ACCOUNT_UPDATE"})")
                  .body,
              R"({"delivered":1})");

    const auto r = admin("GET", "/__admin/metrics");
    ASSERT_EQ(r.status, 200u);
    EXPECT_EQ(r.header("Content-Type"), "text/plain; version=0.0.4");
    for (
        const char* line : {
            R"(exsdk_mock_requests_total{exchange="woox",method="GET",endpoint="/v3/account/credentials",status="200",code="0"} 10)",
            R"(exsdk_mock_requests_total{exchange="woox",method="GET",endpoint="/v3/account/credentials",status="429",code="-1003"} 1)",
            R"(exsdk_mock_requests_total{exchange="woox",method="GET",endpoint="other",status="404",code="-1006"} 1)",
            R"(exsdk_mock_requests_total{exchange="woox",method="GET",endpoint="/v3/private",status="101",code="0"} 1)",
            R"(exsdk_mock_requests_total{exchange="bingx",method="GET",endpoint="/swap-market",status="101",code="0"} 1)",
            R"(exsdk_mock_requests_total{exchange="bingx",method="GET",endpoint="/swap-market",status="404",code="0"} 1)",
            R"(exsdk_mock_requests_total{exchange="bingx",method="POST",endpoint="/openApi/user/auth/userDataStream",status="200",code="0"} 1)",
            R"(exsdk_mock_limit_rejections_total{limit="woox.credentials"} 1)",
            R"(exsdk_mock_limit_rejections_total{limit="bingx.uid"} 0)",
            R"(exsdk_mock_open_streams{exchange="woox"} 1)",
            R"(exsdk_mock_open_streams{exchange="bingx"} 1)",
            R"(exsdk_mock_stream_events_pushed_total{exchange="woox"} 2)",
            R"(exsdk_mock_stream_events_pushed_total{exchange="bingx"} 1)",
            "exsdk_mock_requests_unrecorded_total 0",
        }) {
        EXPECT_NE(r.body.find(std::string("\n") + line + "\n"), std::string::npos) << line << "\n"
                                                                                   << r.body;
    }
    const auto verdict = exsdk::test::check_prometheus_text(r.body);
    EXPECT_TRUE(verdict.ok) << verdict.output << "\n" << r.body;
    EXPECT_NE(verdict.output.find("exsdk_mock_requests counter"), std::string::npos)
        << verdict.output;
    EXPECT_EQ(admin("POST", "/__admin/metrics").status, 405u);
    // Reset starts the counters again.
    admin("POST", "/__admin/reset");
    const auto after = admin("GET", "/__admin/metrics").body;
    EXPECT_EQ(after.find("exsdk_mock_requests_total{"), std::string::npos) << after;
    EXPECT_TRUE(exsdk::test::check_prometheus_text(after).ok);
}

} // namespace
} // namespace mocktest

// The WOO X private stream (spec 1.4) over real sockets: upgrade refusals, SUBSCRIBE /
// UN_SUBSCRIBE acks, PING/PONG, error frames, pushes, the idle and 24 h closes and the closes
// caused by the listen key, all in virtual time on the mock's manual clock.
#include "stream_support.hpp"
#include "woox_answers.hpp"

namespace mocktest {
namespace {

namespace json = boost::json;
namespace mock = exsdk::mock;

class woox_stream_test : public stream_fixture {};

constexpr std::string_view second_key = "WooxSecondReadKey0002==";
constexpr std::string_view second_secret = "WOOXSECONDREADSECRET00002";

/// The demo accounts plus a second READ key on userId 12523.
mock::accounts with_second_key() {
    auto a = mock::accounts::demo();
    a.woox[0].api_keys.push_back(
        {std::string(second_key), std::string(second_secret), {"READ"}, {}});
    return a;
}

void expect_closed(const ws_event& ev, std::uint16_t code, std::string_view reason) {
    ASSERT_EQ(ev.what, ws_event::kind::closed) << ev.data << ev.error;
    EXPECT_EQ(ev.code, code);
    EXPECT_EQ(ev.reason, reason);
}

/// Sends a PING and expects the PONG as the very next frame: nothing else came before it.
void expect_quiet(ws_client& c, std::int64_t now) {
    c.send(R"({"cmd":"PING","ts":1})");
    auto ev = c.next();
    ASSERT_EQ(ev.what, ws_event::kind::text) << ev.error << ev.reason;
    EXPECT_EQ(parse_json(ev.data),
              json::parse(R"({"cmd":"PONG","success":true,"time":)" + std::to_string(now) + "}"));
}

TEST_F(woox_stream_test, refused_upgrades_answer_401_with_a_woox_body) {
    for (const std::string target :
         {"/v3/private?key=nope", "/v3/private", "/v3/private?key=", "/v3/private?other=1"}) {
        auto c = ws();
        EXPECT_FALSE(c.connect(target)) << target;
        EXPECT_EQ(c.status(), 401u) << target;
        auto v = parse_json(c.body());
        EXPECT_EQ(v, json::parse(R"({"success":false,"code":-1002,"message":")" +
                                 std::string(exsdk::mock::woox_answers::stream_key_invalid) +
                                 R"("})"));
    }
    // Expired: a key lives 24 h.
    auto key = woox_key();
    advance(24h);
    auto c = ws();
    EXPECT_FALSE(c.connect("/v3/private?key=" + key));
    EXPECT_EQ(c.status(), 401u);
    // Replaced: a new POST kills the previous key.
    auto old_key = woox_key();
    auto new_key = woox_key();
    EXPECT_FALSE(ws().connect("/v3/private?key=" + old_key));
    EXPECT_TRUE(ws().connect("/v3/private?key=" + new_key));

    auto connects = entries("stream_connect");
    ASSERT_EQ(connects.size(), 7u);
    EXPECT_EQ(connects[0].http_status, 401);
    EXPECT_EQ(connects[0].code, -1002);
    EXPECT_EQ(connects[0].method, "GET");
    EXPECT_EQ(connects[0].target, "/v3/private?key=nope");
    EXPECT_EQ(connects[0].exchange, "woox");
    EXPECT_EQ(connects[0].api_key, "");
    EXPECT_EQ(connects[6].http_status, 101);
    EXPECT_EQ(connects[6].api_key, demo::woox_key);
    EXPECT_EQ(connects[6].peer, "127.0.0.1");
}

TEST_F(woox_stream_test, a_plain_get_to_the_stream_path_is_still_a_rest_404) {
    auto key = woox_key();
    auto c = client();
    auto r = c.request("GET", "/v3/private?key=" + key);
    EXPECT_EQ(r.status, 404u);
    EXPECT_EQ(parse_json(r.body).at("code").as_int64(), -1006);
    EXPECT_TRUE(entries("stream_connect").empty());
}

TEST_F(woox_stream_test, at_most_100_sockets_per_ip) {
    auto key = woox_key();
    std::vector<ws_client> sockets;
    for (int i = 0; i < 100; ++i) {
        sockets.push_back(open_woox(key));
    }
    auto c = ws();
    EXPECT_FALSE(c.connect("/v3/private?key=" + key));
    EXPECT_EQ(c.status(), 429u);
    EXPECT_EQ(parse_json(c.body()).at("code").as_int64(), -1003);
    EXPECT_EQ(parse_json(c.body()).at("message").as_string(),
              exsdk::mock::woox_answers::stream_too_many_sockets);
    // Another IP has its own count; BingX sockets are counted apart.
    auto other = ws("127.0.0.2");
    EXPECT_TRUE(other.connect("/v3/private?key=" + key));
    auto swap = ws();
    EXPECT_TRUE(swap.connect("/swap-market?listenKey=" + bingx_key()));
    EXPECT_EQ(server().stream_count("woox"), 101u);
    EXPECT_EQ(server().stream_count("bingx"), 1u);
    // A closed socket frees its slot once it is gone (journaled then).
    sockets.back().close();
    sockets.pop_back();
    ASSERT_TRUE(wait_until([&] { return entries("stream_close").size() == 1; }));
    EXPECT_TRUE(ws().connect("/v3/private?key=" + key));
}

TEST_F(woox_stream_test, subscribe_acks_the_known_topics) {
    auto c = open_woox(woox_key());
    c.send(R"({"id":"1","cmd":"SUBSCRIBE","params":["executionreport","nope","balance",)"
           R"("balance",7]})");
    auto ev = c.next();
    ASSERT_EQ(ev.what, ws_event::kind::text);
    EXPECT_EQ(parse_json(ev.data),
              json::parse(R"({"id":"1","cmd":"SUBSCRIBE","success":true,"time":1700000000000,)"
                          R"("data":["executionreport","balance"]})"));
    ASSERT_EQ(server().streams().size(), 1u);
    EXPECT_EQ(server().streams()[0].topics,
              (std::vector<std::string>{"executionreport", "balance"}));

    advance(1500ms);
    c.send(R"({"id":2,"cmd":"SUBSCRIBE","params":["position","account","balance"]})");
    EXPECT_EQ(frame_json(c.next()),
              json::parse(R"({"id":2,"cmd":"SUBSCRIBE","success":true,"time":1700000001500,)"
                          R"("data":["position","account","balance"]})"));
    c.send(R"({"id":"3","cmd":"UN_SUBSCRIBE","params":["balance","nope","position"]})");
    EXPECT_EQ(frame_json(c.next()),
              json::parse(R"({"id":"3","cmd":"UN_SUBSCRIBE","success":true,)"
                          R"("time":1700000001500,"data":["balance","position"]})"));
    EXPECT_EQ(server().streams()[0].topics,
              (std::vector<std::string>{"executionreport", "account"}));

    // More than 10 topics in one command: refused, nothing changes.
    c.send(R"({"id":"4","cmd":"SUBSCRIBE","params":["balance","balance","balance","balance",)"
           R"("balance","balance","balance","balance","balance","balance","balance"]})");
    EXPECT_EQ(frame_json(c.next()),
              json::parse(R"({"id":"4","cmd":"SUBSCRIBE","success":false,)"
                          R"("time":1700000001500,"data":"Command type invalid!"})"));
    c.send(R"({"id":"5","cmd":"UN_SUBSCRIBE"})"); // no params: refused the same way
    EXPECT_EQ(frame_json(c.next()).at("data").as_string(), "Command type invalid!");
    EXPECT_EQ(server().streams()[0].topics,
              (std::vector<std::string>{"executionreport", "account"}));

    // Journal: one entry per command, target = the requested topics.
    auto subs = entries("stream_subscribe");
    ASSERT_EQ(subs.size(), 3u);
    EXPECT_EQ(subs[0].method, "SUBSCRIBE");
    EXPECT_EQ(subs[0].target, "executionreport,nope,balance,balance,7");
    EXPECT_EQ(subs[0].code, 0);
    EXPECT_EQ(subs[0].api_key, demo::woox_key);
    EXPECT_EQ(subs[2].code, -1005);
    auto unsubs = entries("stream_unsubscribe");
    ASSERT_EQ(unsubs.size(), 2u);
    EXPECT_EQ(unsubs[0].target, "balance,nope,position");
    EXPECT_EQ(unsubs[0].method, "UN_SUBSCRIBE");
}

TEST_F(woox_stream_test, ping_pong_and_bad_frames_keep_the_socket_open) {
    auto c = open_woox(woox_key());
    expect_quiet(c, t0);
    c.send("not json");
    EXPECT_EQ(frame_json(c.next()),
              json::parse(R"({"id":"","cmd":"ERROR","success":false,"time":1700000000000,)"
                          R"("data":"Invalid request."})"));
    c.send(R"({"id":"9","cmd":"NOPE"})");
    EXPECT_EQ(frame_json(c.next()),
              json::parse(R"({"id":"9","cmd":"ERROR","success":false,"time":1700000000000,)"
                          R"("data":"Invalid request."})"));
    c.send(R"({"id":10})");
    EXPECT_EQ(frame_json(c.next()).at("id").as_int64(), 10);
    c.send(R"([1,2])");
    EXPECT_EQ(frame_json(c.next()).at("cmd").as_string(), "ERROR");
    expect_quiet(c, t0);
    EXPECT_EQ(server().stream_count(), 1u);
}

TEST_F(woox_stream_test, pushes_reach_subscribed_sockets_only_in_order) {
    auto key = woox_key();
    auto a = open_woox(key);
    auto b = open_woox(key);
    a.send(R"({"id":"1","cmd":"SUBSCRIBE","params":["balance","executionreport"]})");
    a.next();
    b.send(R"({"id":"1","cmd":"SUBSCRIBE","params":["position"]})");
    b.next();

    advance(250ms);
    const std::string balance =
        R"({"balances":[{"t":"USDT","h":"100","f":"0.5","ts":1700000000250}]})";
    EXPECT_EQ(push("woox", "balance", balance), 1u);
    auto ev = a.next();
    ASSERT_EQ(ev.what, ws_event::kind::text);
    EXPECT_EQ(ev.data, R"({"topic":"balance","ts":1700000000250,"data":)" + balance + "}");
    expect_quiet(b, t0 + 250); // b is not subscribed to balance

    // Data is sent byte for byte (numbers keep their spelling).
    const std::string report = R"({"s":"SPOT_BTC_USDT","px":23534.060,"esx":0.00025,"oid":1})";
    EXPECT_EQ(push("woox", "executionreport", report), 1u);
    EXPECT_EQ(a.next().data,
              R"({"topic":"executionreport","ts":1700000000250,"data":)" + report + "}");

    // Many pushes, from this thread and through the admin API (the server's thread), arrive
    // in push order.
    for (int i = 0; i < 300; ++i) {
        const auto data = R"({"n":)" + std::to_string(i) + "}";
        if (i % 3 == 0) {
            auto r = admin("POST", "/__admin/events",
                           R"({"exchange":"woox","accountId":12523,"topic":"balance","data":)" +
                               data + "}");
            ASSERT_EQ(r.body, R"({"delivered":1})");
        } else {
            ASSERT_EQ(push("woox", "balance", data), 1u);
        }
    }
    for (int i = 0; i < 300; ++i) {
        auto v = frame_json(a.next());
        ASSERT_EQ(v.at("data").at("n").as_int64(), i);
    }
    // Not subscribed anywhere: delivered to nobody.
    EXPECT_EQ(push("woox", "account", "{}"), 0u);
    EXPECT_EQ(push("woox", "nope", "{}"), 0u);
    expect_quiet(a, t0 + 250);
    expect_quiet(b, t0 + 250);
}

TEST_F(woox_stream_test, a_push_without_data_sends_an_empty_object) {
    // Found by fuzz_mock_client_frames: without data the frame ended in "data":} (not JSON).
    auto spot = open_spot(bingx_key());
    spot.send(R"({"id":"1","reqType":"sub","dataType":"custom.topic"})");
    spot.next(); // the ack
    auto a = open_woox(woox_key());
    a.send(R"({"id":"1","cmd":"SUBSCRIBE","params":["balance"]})");
    a.next();
    EXPECT_EQ(push("woox", "balance", ""), 1u);
    EXPECT_EQ(a.next().data, R"({"topic":"balance","ts":1700000000000,"data":{}})");
    auto r = admin("POST", "/__admin/events",
                   R"({"exchange":"woox","accountId":12523,"topic":"balance"})");
    EXPECT_EQ(r.body, R"({"delivered":1})");
    EXPECT_EQ(a.next().data, R"({"topic":"balance","ts":1700000000000,"data":{}})");
    // A BingX spot dataType other than the account topics is wrapped: "data":{} too.
    EXPECT_EQ(push("bingx", "custom.topic", ""), 1u);
    auto ev = spot.next();
    EXPECT_EQ(ev.data, R"({"code":0,"dataType":"custom.topic","data":{}})");
}

TEST_F(woox_stream_test, pushes_go_to_the_account_of_the_api_key) {
    auto accts = mock::accounts::demo();
    mock::woox_account other;
    other.user_id = 777;
    other.account_name = "Other";
    other.api_keys.push_back({"OtherWooxKey", "OTHERSECRET", {"READ"}, {}});
    accts.woox.push_back(other);
    server().set_accounts(accts);

    auto mine = open_woox(woox_key());
    auto theirs = open_woox(woox_key("OtherWooxKey", "OTHERSECRET"));
    for (auto* c : {&mine, &theirs}) {
        c->send(R"({"id":"1","cmd":"SUBSCRIBE","params":["balance"]})");
        c->next();
    }
    // Any API key of the account selects the account: the trade-only key is 12523's too.
    EXPECT_EQ(push("woox", "balance", R"({"k":1})", std::string(demo::woox_trade_key)), 1u);
    EXPECT_EQ(frame_json(mine.next()).at("data"), json::parse(R"({"k":1})"));
    EXPECT_EQ(push("woox", "balance", R"({"k":2})", {}, 777), 1u);
    EXPECT_EQ(frame_json(theirs.next()).at("data"), json::parse(R"({"k":2})"));
    expect_quiet(mine, t0);
}

TEST_F(woox_stream_test, idle_sockets_are_closed_after_60_s_of_client_silence) {
    auto c = open_woox(woox_key());
    advance(59s);
    expect_quiet(c, t0 + 59000); // the PING is activity: the 60 s start again
    advance(59s);
    c.send(R"({"id":"1","cmd":"SUBSCRIBE","params":["balance"]})"); // so is any frame
    c.next();
    advance(59999ms);
    expect_quiet(c, t0 + 59000 + 59000 + 59999);
    advance(60s);
    expect_closed(c.next(), 1001, "idle timeout");
    EXPECT_EQ(server().stream_count(), 0u);
    auto closes = entries("stream_close");
    ASSERT_EQ(closes.size(), 1u);
    EXPECT_EQ(closes[0].method, "server");
    EXPECT_EQ(closes[0].code, 1001);
    EXPECT_EQ(closes[0].time_ms, t0 + 59000 + 59000 + 59999 + 60000);
    EXPECT_EQ(closes[0].exchange, "woox");
    EXPECT_EQ(closes[0].api_key, demo::woox_key);
}

TEST_F(woox_stream_test, every_socket_is_closed_at_24_h) {
    auto c = open_woox(woox_key());
    c.send(R"({"id":"1","cmd":"SUBSCRIBE","params":["balance"]})");
    c.next();
    // Keep it alive (a PING every 50 s) up to just before 24 h.
    const auto day = std::chrono::duration_cast<std::chrono::milliseconds>(24h);
    std::chrono::milliseconds elapsed{0};
    while (elapsed + 50s < day) {
        advance(50s);
        elapsed += 50s;
        c.send(R"({"cmd":"PING","ts":1})");
        auto ev = c.next();
        ASSERT_EQ(ev.what, ws_event::kind::text) << ev.reason;
    }
    advance(day - elapsed - 1ms);
    expect_quiet(c, t0 + day.count() - 1);
    EXPECT_EQ(push("woox", "balance", "{}"), 1u);
    c.next();
    advance(1ms);
    // The key (issued at the same instant) expires now too: the socket's age is the reason.
    expect_closed(c.next(), 1001, "connection lifetime (24 h) reached");
    EXPECT_EQ(push("woox", "balance", "{}"), 0u);
}

TEST_F(woox_stream_test, the_key_expiring_closes_its_sockets_with_1008) {
    auto key = woox_key();
    advance(1h);
    auto c = open_woox(key);
    advance(23h); // one jump: the key's expiry is reported before the idle rule
    expect_closed(c.next(), 1008, "listen key expired");
    auto closes = entries("stream_close");
    ASSERT_EQ(closes.size(), 1u);
    EXPECT_EQ(closes[0].code, 1008);
}

TEST_F(woox_stream_test, a_replaced_key_closes_its_sockets_with_1008) {
    auto c = open_woox(woox_key());
    c.send(R"({"id":"1","cmd":"SUBSCRIBE","params":["balance"]})");
    c.next();
    server().set_accounts(with_second_key());
    auto other = open_woox(woox_key(second_key, second_secret));
    other.send(R"({"id":"1","cmd":"SUBSCRIBE","params":["balance"]})");
    other.next();
    EXPECT_EQ(push("woox", "balance", R"({"before":1})"), 2u);
    EXPECT_EQ(frame_json(c.next()).at("data"), json::parse(R"({"before":1})"));
    other.next();

    auto fresh = woox_key(); // replaces the first key (same API key), not the second key's
    EXPECT_EQ(push("woox", "balance", R"({"after":1})"), 1u); // the old socket is out already
    expect_closed(c.next(), 1008, "listen key replaced");
    EXPECT_EQ(frame_json(other.next()).at("data"), json::parse(R"({"after":1})"));
    EXPECT_EQ(server().stream_count("woox"), 1u);
    EXPECT_TRUE(ws().connect("/v3/private?key=" + fresh));
}

TEST_F(woox_stream_test, revoked_keys_and_reset_close_sockets) {
    auto c = open_woox(woox_key());
    auto accts = mock::accounts::demo();
    accts.woox[0].api_keys.erase(accts.woox[0].api_keys.begin()); // the key that made it
    server().set_accounts(accts);
    expect_closed(c.next(), 1008, "listen key revoked");

    server().set_accounts(mock::accounts::demo());
    auto d = open_woox(woox_key());
    server().reset();
    expect_closed(d.next(), 1012, "mock reset");
    EXPECT_TRUE(entries("stream_close").empty()); // reset clears the journal; not journaled
    EXPECT_EQ(server().stream_count(), 0u);
}

TEST_F(woox_stream_test, client_close_is_journaled) {
    auto c = open_woox(woox_key());
    c.close(1000);
    ASSERT_TRUE(wait_until([&] { return !entries("stream_close").empty(); }));
    auto closes = entries("stream_close");
    EXPECT_EQ(closes[0].method, "client");
    EXPECT_EQ(closes[0].code, 1000);
    EXPECT_EQ(server().stream_count(), 0u);

    auto d = open_woox(woox_key());
    d.abort(); // no close frame
    ASSERT_TRUE(wait_until([&] { return entries("stream_close").size() == 2; }));
    EXPECT_EQ(entries("stream_close")[1].code, 1006);
    EXPECT_EQ(entries("stream_close")[1].method, "client");
}

TEST(woox_stream_tls, wss_with_the_mock_ca) {
    auto clk = std::make_shared<exsdk::manual_clock>(t0);
    mock::config cfg;
    cfg.clock = clk;
    cfg.tls = true;
    mock::threaded_server srv(cfg);
    http_client hc(srv.base_url(), client_options{{}, true, srv.get().ca_pem(), "127.0.0.1"});
    const std::string body = R"({"type":"WEBSOCKET"})";
    auto r = hc.request("POST", "/v3/account/listenKey",
                        woox_headers(demo::woox_key, demo::woox_secret, clk->wall_ms(), "POST",
                                     "/v3/account/listenKey", body),
                        body);
    ASSERT_EQ(r.status, 200u) << r.body;
    const std::string key(parse_json(r.body).at("data").at("authKey").as_string());
    ws_options o;
    o.tls = true;
    o.ca_pem = srv.get().ca_pem();
    ws_client c(srv.get().port(), o);
    ASSERT_TRUE(c.connect("/v3/private?key=" + key));
    c.send(R"({"id":"1","cmd":"SUBSCRIBE","params":["balance"]})");
    EXPECT_EQ(frame_json(c.next()).at("data"), json::parse(R"(["balance"])"));
    mock::stream_push p{"woox", std::string(demo::woox_key), 0, "balance", R"({"x":1})"};
    EXPECT_EQ(srv.get().push_event(p), 1u);
    EXPECT_EQ(frame_json(c.next()).at("data"), json::parse(R"({"x":1})"));
    clk->advance(60s);
    auto ev = c.next();
    ASSERT_EQ(ev.what, ws_event::kind::closed) << ev.error;
    EXPECT_EQ(ev.code, 1001);
}

} // namespace
} // namespace mocktest

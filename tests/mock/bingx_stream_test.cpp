// The BingX account streams (spec 2.4) over real sockets: gzip framing, swap Ping/Pong, spot
// ping/pong and sub/unsub acks, the pong timeout, listenKeyExpired at expiry, extend and delete,
// pushes for swap and spot, limits, all in virtual time on the mock's manual clock.
#include "stream_support.hpp"

#include <exsdk/bingx/protocol.hpp>

#include <boost/json/serialize.hpp>

namespace mocktest {
namespace {

namespace json = boost::json;
namespace mock = exsdk::mock;

class bingx_stream_test : public stream_fixture {
protected:
    /// Advances the clock `total` in `step`s, answering the one heartbeat each step brings.
    void keep_alive(ws_client& c, std::chrono::milliseconds total,
                    std::chrono::milliseconds step = 10s) {
        for (std::chrono::milliseconds done{0}; done < total; done += step) {
            advance(step);
            auto ev = c.next();
            ASSERT_EQ(ev.what, ws_event::kind::binary) << ev.error << ev.reason;
            answer(c, ev);
            sync_pongs();
        }
    }
    /// Waits until the server has read the pongs just sent (every open socket answered at the
    /// current time), so the clock is never advanced past a pong still in flight.
    void sync_pongs() {
        ASSERT_TRUE(wait_until([&] {
            for (const auto& s : server().streams()) {
                if (s.last_pong_ms != now_ms()) {
                    return false;
                }
            }
            return true;
        }));
    }
    /// Answers a heartbeat frame (fails the test for anything else).
    static void answer(ws_client& c, const ws_event& ev) {
        if (ev.data == "Ping") {
            c.send("Pong");
            return;
        }
        auto v = parse_json(ev.data);
        ASSERT_TRUE(v.is_object() && v.as_object().contains("ping")) << ev.data;
        c.send(R"({"pong":)" + json::serialize(v.at("ping")) + R"(,"time":)" +
               json::serialize(v.at("time")) + "}");
    }
};

void expect_closed(const ws_event& ev, std::uint16_t code, std::string_view reason) {
    ASSERT_EQ(ev.what, ws_event::kind::closed) << ev.data << ev.error;
    EXPECT_EQ(ev.code, code);
    EXPECT_EQ(ev.reason, reason);
}

/// A gzip-compressed binary frame; returns its text.
std::string gz(const ws_event& ev) {
    EXPECT_EQ(ev.what, ws_event::kind::binary) << ev.error << ev.reason << ev.data;
    EXPECT_TRUE(ev.gzip) << "not gzip";
    return ev.data;
}

std::string sub(std::string_view id, std::string_view topic, std::string_view req = "sub") {
    return R"({"id":")" + std::string(id) + R"(","reqType":")" + std::string(req) +
           R"(","dataType":")" + std::string(topic) + R"("})";
}

TEST_F(bingx_stream_test, refused_upgrades_answer_404_with_an_empty_body) {
    for (const std::string target : {"/market?listenKey=nope", "/swap-market?listenKey=nope",
                                     "/market", "/swap-market?x=1", "/market?listenKey="}) {
        auto c = ws();
        EXPECT_FALSE(c.connect(target)) << target;
        EXPECT_EQ(c.status(), 404u) << target;
        EXPECT_EQ(c.body(), "") << target;
    }
    auto key = bingx_key();
    advance(60min); // a key lives 60 min
    auto c = ws();
    EXPECT_FALSE(c.connect("/swap-market?listenKey=" + key));
    EXPECT_EQ(c.status(), 404u);
    auto deleted = bingx_key();
    EXPECT_EQ(bingx_delete(deleted).status, 200u);
    EXPECT_FALSE(ws().connect("/market?listenKey=" + deleted));
    // A WOO X key is not a BingX key.
    EXPECT_FALSE(ws().connect("/market?listenKey=" + woox_key()));
    auto connects = entries("stream_connect");
    ASSERT_EQ(connects.size(), 8u);
    EXPECT_EQ(connects[0].exchange, "bingx");
    EXPECT_EQ(connects[0].http_status, 404);
    EXPECT_EQ(connects[0].code, 0);
}

TEST_F(bingx_stream_test, a_plain_get_to_a_stream_path_is_still_a_rest_404) {
    auto key = bingx_key();
    auto c = client();
    auto r = c.request("GET", "/market?listenKey=" + key);
    EXPECT_EQ(r.status, 404u);
    EXPECT_EQ(parse_json(r.body).at("code").as_int64(), 404);
    r = c.request("GET", "/swap-market?listenKey=" + key);
    EXPECT_EQ(r.status, 404u);
    EXPECT_TRUE(entries("stream_connect").empty());
}

TEST_F(bingx_stream_test, at_most_60_sockets_per_ip_spot_and_swap_together) {
    auto key = bingx_key();
    std::vector<ws_client> sockets;
    for (int i = 0; i < 60; ++i) {
        sockets.push_back(i % 2 == 0 ? open_swap(key) : open_spot(key));
    }
    for (const std::string path : {"/swap-market", "/market"}) {
        auto c = ws();
        EXPECT_FALSE(c.connect(path + "?listenKey=" + key));
        EXPECT_EQ(c.status(), 429u);
        EXPECT_EQ(c.body(), "");
    }
    auto other = ws("127.0.0.2");
    EXPECT_TRUE(other.connect("/swap-market?listenKey=" + key));
    EXPECT_EQ(server().stream_count("bingx"), 61u);
    EXPECT_EQ(entries("stream_connect").back().http_status, 101);
    EXPECT_EQ(entries("stream_connect")[60].http_status, 429);
}

TEST_F(bingx_stream_test, swap_pings_every_5_s_gzip_and_pong_keeps_it_alive) {
    auto c = open_swap(bingx_key());
    for (int i = 0; i < 10; ++i) {
        advance(5s);
        auto ev = c.next();
        EXPECT_EQ(gz(ev), "Ping");
        c.send("Pong");
        sync_pongs();
    }
    EXPECT_EQ(server().streams()[0].last_pong_ms, t0 + 50000);
    EXPECT_EQ(server().streams()[0].last_frame_ms, t0 + 50000);
    EXPECT_EQ(server().stream_count(), 1u);
    // 4.999 s: no ping yet; the push shows nothing came before it.
    advance(4999ms);
    EXPECT_EQ(push("bingx", "ORDER_TRADE_UPDATE", "{}"), 1u);
    EXPECT_EQ(parse_json(gz(c.next())).at("e").as_string(), "ORDER_TRADE_UPDATE");
    advance(1ms);
    EXPECT_EQ(gz(c.next()), "Ping");
}

TEST_F(bingx_stream_test, a_swap_client_that_stops_ponging_is_dropped_at_15_s) {
    auto c = open_swap(bingx_key());
    advance(5s);
    EXPECT_EQ(gz(c.next()), "Ping");
    c.send("Pong"); // the last pong, at t0 + 5 s
    sync_pongs();
    advance(5s);
    EXPECT_EQ(gz(c.next()), "Ping");
    advance(5s);
    EXPECT_EQ(gz(c.next()), "Ping");
    advance(4999ms);
    EXPECT_EQ(push("bingx", "ORDER_TRADE_UPDATE", "{}"), 1u); // still open
    gz(c.next());
    advance(1ms); // t0 + 20 s: 15 s without a pong; the ping due now is not sent
    expect_closed(c.next(), 1008, "pong timeout");
    auto closes = entries("stream_close");
    ASSERT_EQ(closes.size(), 1u);
    EXPECT_EQ(closes[0].code, 1008);
    EXPECT_EQ(closes[0].method, "server");
    EXPECT_EQ(closes[0].time_ms, t0 + 20000);
}

TEST_F(bingx_stream_test, a_silent_client_sees_two_pings_and_is_dropped_at_15_s) {
    auto c = open_spot(bingx_key());
    advance(15s); // one jump: the pong timeout is checked before the ping due at the same time
    expect_closed(c.next(), 1008, "pong timeout");

    auto d = open_spot(bingx_key());
    advance(5s);
    EXPECT_TRUE(parse_json(gz(d.next())).as_object().contains("ping"));
    advance(5s);
    EXPECT_TRUE(parse_json(gz(d.next())).as_object().contains("ping"));
    advance(5s);
    expect_closed(d.next(), 1008, "pong timeout");
}

TEST_F(bingx_stream_test, spot_ping_pong) {
    auto c = open_spot(bingx_key());
    advance(5s);
    auto ping = parse_json(gz(c.next()));
    ASSERT_TRUE(ping.is_object());
    EXPECT_EQ(ping.as_object().size(), 2u);
    const std::string id(ping.at("ping").as_string());
    EXPECT_EQ(id.size(), 32u);
    EXPECT_EQ(id.find_first_not_of("0123456789abcdef"), std::string::npos);
    EXPECT_EQ(ping.at("time").as_string(), "2023-11-14T22:13:25.000+0000");
    // Wrong id, or the right id with another time: not a valid pong.
    c.send(R"({"pong":"0123","time":"2023-11-14T22:13:25.000+0000"})");
    c.send(R"({"pong":")" + id + R"(","time":"2023-11-14T22:13:26.000+0000"})");
    c.send("Pong");
    advance(5s);
    auto ping2 = parse_json(gz(c.next()));
    EXPECT_NE(ping2.at("ping"), ping.at("ping"));
    EXPECT_EQ(ping2.at("time").as_string(), "2023-11-14T22:13:30.000+0000");
    // Answering the older ping (t0 + 5 s) counts from now.
    EXPECT_EQ(server().streams()[0].last_pong_ms, 0);
    c.send(R"({"pong":")" + id + R"(","time":"2023-11-14T22:13:25.000+0000"})");
    c.send(sub("s1", "ACCOUNT_UPDATE")); // the ack proves the pong was read first
    EXPECT_EQ(parse_json(gz(c.next())), json::parse(R"({"id":"s1","code":0,"msg":""})"));
    EXPECT_EQ(server().streams()[0].last_pong_ms, t0 + 10000);
    advance(5s);
    gz(c.next());
    advance(5s);
    gz(c.next());
    advance(4999ms); // t0 + 24.999 s: 14.999 s since the pong
    c.send(sub("s2", "ACCOUNT_UPDATE"));
    EXPECT_EQ(parse_json(gz(c.next())).at("id").as_string(), "s2");
    advance(1ms);
    expect_closed(c.next(), 1008, "pong timeout");
}

TEST_F(bingx_stream_test, spot_sub_and_unsub_acks) {
    auto c = open_spot(bingx_key());
    c.send(sub("a1", "spot.executionReport"));
    auto ev = c.next();
    EXPECT_EQ(ev.what, ws_event::kind::binary);
    EXPECT_EQ(parse_json(gz(ev)), json::parse(R"({"id":"a1","code":0,"msg":""})"));
    c.send(R"({"id":"a2","dataType":"ACCOUNT_UPDATE"})"); // no reqType: a subscription
    EXPECT_EQ(parse_json(gz(c.next())), json::parse(R"({"id":"a2","code":0,"msg":""})"));
    EXPECT_EQ(server().streams()[0].topics,
              (std::vector<std::string>{"spot.executionReport", "ACCOUNT_UPDATE"}));
    c.send(sub("a3", "spot.executionReport", "unsub"));
    EXPECT_EQ(parse_json(gz(c.next())), json::parse(R"({"id":"a3","code":0,"msg":""})"));
    EXPECT_EQ(server().streams()[0].topics, (std::vector<std::string>{"ACCOUNT_UPDATE"}));

    c.send(sub("a4", "x", "subscribe"));
    auto bad = parse_json(gz(c.next()));
    EXPECT_EQ(bad.at("id").as_string(), "a4");
    EXPECT_EQ(bad.at("code").as_int64(), 100400);
    EXPECT_EQ(bad.at("msg").as_string(), "ILLEGAL_ARGUMENT: unknown reqType");
    c.send(R"({"id":"a5","reqType":"sub"})");
    bad = parse_json(gz(c.next()));
    EXPECT_EQ(bad.at("code").as_int64(), 100400);
    EXPECT_EQ(bad.at("msg").as_string(), "ILLEGAL_ARGUMENT: dataType is required");
    // Not JSON, or JSON of no known shape: ignored (no answer).
    c.send("hello");
    c.send(R"({"hello":1})");
    // 200 topics per socket.
    for (int i = 1; i < 200; ++i) {
        c.send(sub("t" + std::to_string(i), "BTC-USDT@" + std::to_string(i)));
        ASSERT_EQ(parse_json(gz(c.next())).at("code").as_int64(), 0) << i;
    }
    c.send(sub("t200", "ACCOUNT_UPDATE")); // already there: fine
    EXPECT_EQ(parse_json(gz(c.next())).at("code").as_int64(), 0);
    c.send(sub("over", "ETH-USDT@trade"));
    bad = parse_json(gz(c.next()));
    EXPECT_EQ(bad.at("id").as_string(), "over");
    EXPECT_EQ(bad.at("code").as_int64(), 100410);
    EXPECT_EQ(bad.at("msg").as_string(), "FREQUENCY_LIMIT: at most 200 topics per connection");
    EXPECT_EQ(server().streams()[0].topics.size(), 200u);

    auto subs = entries("stream_subscribe");
    ASSERT_GE(subs.size(), 3u);
    EXPECT_EQ(subs[0].method, "sub");
    EXPECT_EQ(subs[0].target, "spot.executionReport");
    EXPECT_EQ(subs[0].exchange, "bingx");
    EXPECT_EQ(subs[2].code, 100400);
    EXPECT_EQ(subs.back().code, 100410);
    auto unsubs = entries("stream_unsubscribe");
    ASSERT_EQ(unsubs.size(), 1u);
    EXPECT_EQ(unsubs[0].method, "unsub");
}

TEST_F(bingx_stream_test, listen_key_expired_at_expiry_then_close_and_nothing_after) {
    auto key = bingx_key();
    auto swap = open_swap(key);
    auto spot = open_spot(key);
    spot.send(sub("1", "ACCOUNT_UPDATE"));
    gz(spot.next());
    // 60 min of heartbeats, answered, 5 s apart.
    for (int i = 0; i < 719; ++i) {
        advance(5s);
        for (auto* c : {&swap, &spot}) {
            auto ev = c->next();
            ASSERT_EQ(ev.what, ws_event::kind::binary) << i << ev.reason;
            answer(*c, ev);
        }
        sync_pongs();
    }
    EXPECT_EQ(push("bingx", "ACCOUNT_UPDATE", "{}"), 2u);
    gz(swap.next());
    gz(spot.next());
    advance(5s); // t0 + 60 min
    const std::string expired = R"({"e":"listenKeyExpired","E":)" + std::to_string(t0 + 3600000) +
                                R"(,"listenKey":")" + key + R"("})";
    for (auto* c : {&swap, &spot}) {
        EXPECT_EQ(gz(c->next()), expired);
        expect_closed(c->next(), 1000, "listen key expired");
    }
    EXPECT_EQ(push("bingx", "ACCOUNT_UPDATE", "{}"), 0u);
    EXPECT_EQ(server().stream_count(), 0u);
    EXPECT_FALSE(server().find_listen_key(key));
}

TEST_F(bingx_stream_test, a_single_clock_jump_past_expiry_reports_the_expiry) {
    auto key = bingx_key();
    auto c = open_swap(key);
    EXPECT_EQ(server().find_listen_key(key)->expires_ms, t0 + 3600000);
    advance(2h);
    auto ev = parse_json(gz(c.next()));
    EXPECT_EQ(ev.at("e").as_string(), "listenKeyExpired");
    EXPECT_EQ(ev.at("E").as_int64(), t0 + 7200000);
    expect_closed(c.next(), 1000, "listen key expired");
}

TEST_F(bingx_stream_test, extend_moves_the_expiry) {
    auto key = bingx_key();
    auto c = open_spot(key);
    keep_alive(c, 50min);
    EXPECT_EQ(bingx_extend(key).status, 200u); // now valid until t0 + 110 min
    keep_alive(c, 11min);
    c.send(sub("1", "ACCOUNT_UPDATE")); // t0 + 61 min: still open
    EXPECT_EQ(parse_json(gz(c.next())).at("code").as_int64(), 0);
    keep_alive(c, 49min - 10s);
    advance(10s); // t0 + 110 min
    auto ev = parse_json(gz(c.next()));
    EXPECT_EQ(ev.at("e").as_string(), "listenKeyExpired");
    EXPECT_EQ(ev.at("E").as_int64(), t0 + 110 * 60000);
    expect_closed(c.next(), 1000, "listen key expired");
}

TEST_F(bingx_stream_test, delete_closes_the_keys_sockets) {
    auto key = bingx_key();
    auto other_key = bingx_key();
    auto a = open_swap(key);
    auto b = open_spot(key);
    auto keep = open_swap(other_key);
    EXPECT_EQ(bingx_delete(key).status, 200u);
    expect_closed(a.next(), 1000, "listen key deleted");
    expect_closed(b.next(), 1000, "listen key deleted");
    EXPECT_EQ(server().stream_count(), 1u);
    EXPECT_EQ(push("bingx", "ORDER_TRADE_UPDATE", "{}"), 1u);
    EXPECT_EQ(parse_json(gz(keep.next())).at("e").as_string(), "ORDER_TRADE_UPDATE");
    auto closes = entries("stream_close");
    ASSERT_EQ(closes.size(), 2u);
    EXPECT_EQ(closes[0].code, 1000);
}

TEST_F(bingx_stream_test, swap_pushes_in_order_with_e_and_E) {
    auto c = open_swap(bingx_key());
    advance(1234ms);
    const std::string order =
        R"({"e":"ignored","o":{"s":"LINK-USDT","c":"","i":1,"S":"SELL","q":"5","p":7.80,)"
        R"("T":1700000000000}})";
    EXPECT_EQ(push("bingx", "ORDER_TRADE_UPDATE", order), 1u);
    EXPECT_EQ(gz(c.next()),
              R"({"e":"ORDER_TRADE_UPDATE","E":1700000001234,"o":{"s":"LINK-USDT","c":"","i":1,)"
              R"("S":"SELL","q":"5","p":7.80,"T":1700000000000}})");
    EXPECT_EQ(push("bingx", "ACCOUNT_CONFIG_UPDATE", R"({"ac":{"s":"BTC-USDT","l":5}})"), 1u);
    EXPECT_EQ(gz(c.next()),
              R"({"e":"ACCOUNT_CONFIG_UPDATE","E":1700000001234,"ac":{"s":"BTC-USDT","l":5}})");
    EXPECT_EQ(push("bingx", "ACCOUNT_UPDATE", ""), 1u); // empty data: {}
    EXPECT_EQ(gz(c.next()), R"({"e":"ACCOUNT_UPDATE","E":1700000001234})");
    // spot.* topics are not for swap sockets.
    EXPECT_EQ(push("bingx", "spot.executionReport", "{}"), 0u);
    for (int i = 0; i < 200; ++i) {
        ASSERT_EQ(push("bingx", "SOMETHING_NEW", R"({"n":)" + std::to_string(i) + "}"), 1u);
    }
    for (int i = 0; i < 200; ++i) {
        auto v = parse_json(gz(c.next()));
        ASSERT_EQ(v.at("e").as_string(), "SOMETHING_NEW");
        ASSERT_EQ(v.at("n").as_int64(), i);
    }
}

TEST_F(bingx_stream_test, spot_pushes_to_subscribers_only) {
    auto key = bingx_key();
    auto reports = open_spot(key);
    auto accounts = open_spot(key);
    auto swap = open_swap(key);
    auto other_uid = open_swap(bingx_key(demo::bingx_key2, demo::bingx_secret2));
    reports.send(sub("1", "spot.executionReport"));
    gz(reports.next());
    accounts.send(sub("1", "ACCOUNT_UPDATE"));
    gz(accounts.next());
    accounts.send(sub("2", "custom.topic"));
    gz(accounts.next());

    EXPECT_EQ(push("bingx", "spot.executionReport", R"({"s":"BTC-USDT","p":"1","E":5})"), 1u);
    EXPECT_EQ(gz(reports.next()),
              R"({"code":0,"dataType":"spot.executionReport","data":{"e":"executionReport",)"
              R"("E":1700000000000,"s":"BTC-USDT","p":"1"}})");
    EXPECT_EQ(push("bingx", "ACCOUNT_UPDATE", R"({"a":{"B":[]}})"), 2u); // spot + swap
    // Spot ACCOUNT_UPDATE is bare, exactly like swap (spec 2.4): only executionReport is wrapped.
    EXPECT_EQ(gz(accounts.next()), R"({"e":"ACCOUNT_UPDATE","E":1700000000000,"a":{"B":[]}})");
    EXPECT_EQ(gz(swap.next()), R"({"e":"ACCOUNT_UPDATE","E":1700000000000,"a":{"B":[]}})");
    // Other dataTypes: data as given.
    EXPECT_EQ(push("bingx", "custom.topic", R"({"x":1})", {}, 1001), 2u); // spot + swap
    EXPECT_EQ(gz(accounts.next()), R"({"code":0,"dataType":"custom.topic","data":{"x":1}})");
    EXPECT_EQ(parse_json(gz(swap.next())).at("e").as_string(), "custom.topic");
    // Nothing reached the other sockets: their next frame is what comes now.
    reports.send(sub("3", "x"));
    EXPECT_EQ(parse_json(gz(reports.next())).at("id").as_string(), "3");
    EXPECT_EQ(push("bingx", "ORDER_TRADE_UPDATE", "{}", {}, 1002), 1u);
    EXPECT_EQ(parse_json(gz(other_uid.next())).at("E").as_int64(), t0);
}

TEST_F(bingx_stream_test, spot_account_update_is_the_spec_frame_byte_for_byte) {
    // Spec 2.4's spot frame, pushed through POST /__admin/events at its own event time.
    constexpr std::string_view spec_frame =
        R"({"e":"ACCOUNT_UPDATE","E":1696242817000,"T":1696242817142,"a":{"B":[{"a":"USDT",)"
        R"("bc":"-1.0","cw":"86.59","wb":"86.59"}],"m":"ASSET_TRANSFER"}})";
    clock->set_ms(1696242817000);
    auto key = bingx_key();
    auto spot = open_spot(key);
    auto swap = open_swap(key);
    spot.send(sub("1", "ACCOUNT_UPDATE"));
    EXPECT_EQ(parse_json(gz(spot.next())), json::parse(R"({"id":"1","code":0,"msg":""})"));
    auto r = admin("POST", "/__admin/events",
                   R"({"exchange":"bingx","apiKey":"bingx-demo-api-key-0001",)"
                   R"("topic":"ACCOUNT_UPDATE","data":{"T":1696242817142,"a":{"B":[{"a":"USDT",)"
                   R"("bc":"-1.0","cw":"86.59","wb":"86.59"}],"m":"ASSET_TRANSFER"}}})");
    EXPECT_EQ(r.status, 200u) << r.body;
    EXPECT_EQ(parse_json(r.body), json::parse(R"({"delivered":2})"));
    EXPECT_EQ(gz(spot.next()), spec_frame);
    EXPECT_EQ(gz(swap.next()), spec_frame);
    // executionReport stays wrapped on spot.
    spot.send(sub("2", "spot.executionReport"));
    gz(spot.next());
    EXPECT_EQ(push("bingx", "spot.executionReport", R"({"s":"BTC-USDT"})"), 1u);
    EXPECT_EQ(gz(spot.next()),
              R"({"code":0,"dataType":"spot.executionReport","data":{"e":"executionReport",)"
              R"("E":1696242817000,"s":"BTC-USDT"}})");
}

TEST_F(bingx_stream_test, nothing_but_gzip_binary_frames) {
    auto c = open_spot(bingx_key());
    c.send(sub("1", "ACCOUNT_UPDATE"));
    auto ev = c.next();
    EXPECT_EQ(ev.what, ws_event::kind::binary);
    EXPECT_TRUE(ev.gzip);
    ASSERT_GE(ev.raw.size(), 2u);
    EXPECT_EQ(static_cast<unsigned char>(ev.raw[0]), 0x1fu); // gzip magic
    EXPECT_EQ(static_cast<unsigned char>(ev.raw[1]), 0x8bu);
}

} // namespace
} // namespace mocktest

// The sans-io pieces without any socket: sliding windows, the listen-key registry and its
// notifications, query splitting, and a handler called directly with a plain request.
#include "exchange_api.hpp"
#include "json_writer.hpp"
#include "listen_keys.hpp"
#include "query.hpp"
#include "raw_json.hpp"
#include "sliding_window.hpp"
#include "state.hpp"

#include <exsdk/manual_clock.hpp>
#include <exsdk/mock/config.hpp>

#include <boost/json/parse.hpp>

#include <gtest/gtest.h>

namespace {

using namespace std::chrono_literals;
namespace d = exsdk::mock::detail;

TEST(sliding_window, at_most_n_starts_in_any_window) {
    d::sliding_window w;
    const exsdk::rate_limit lim{2, 1000ms};
    const auto t = exsdk::clock::time_point{} + 100s;
    EXPECT_TRUE(w.admits(t, lim));
    w.record(t);
    EXPECT_EQ(w.remaining(t, lim), 1u);
    EXPECT_EQ(w.until_reset(t, lim), 1000ms);
    w.record(t + 300ms);
    EXPECT_FALSE(w.admits(t + 999ms, lim));
    EXPECT_EQ(w.until_reset(t + 999ms, lim), 1ms);
    EXPECT_TRUE(w.admits(t + 1000ms, lim)); // (now - W, now]: the start at t left
    EXPECT_EQ(w.remaining(t + 1300ms, lim), 2u);
    EXPECT_EQ(w.until_reset(t + 5s, lim), 0ms);
    EXPECT_TRUE(w.admits(t, exsdk::rate_limit{})); // a disabled limit admits everything
}

TEST(listen_key_registry, woox_replacement_notifies_watchers) {
    d::listen_key_registry reg(7, 1000);
    const auto& k1 = reg.issue(d::venue::woox, "api", 1, 1000, 24h);
    const std::string key1 = k1.key;
    std::vector<std::string> events;
    reg.watch(d::venue::woox, key1, [&](const d::listen_key_info& i, d::listen_key_event e) {
        events.push_back(i.key + ":" + std::string(d::to_string(e)));
    });
    const std::string key2 = reg.issue(d::venue::woox, "api", 1, 2000, 24h).key;
    EXPECT_EQ(events, std::vector<std::string>{key1 + ":replaced"});
    EXPECT_EQ(reg.find(d::venue::woox, key1, 2000), nullptr);
    ASSERT_NE(reg.find(d::venue::woox, key2, 2000), nullptr);
    EXPECT_EQ(reg.find(d::venue::bingx, key2, 2000), nullptr); // keys are per exchange
    EXPECT_EQ(reg.find(d::venue::woox, key2, 2000 + 24 * 3600 * 1000), nullptr); // expired
    EXPECT_EQ(key1.size(), 32u);
}

TEST(listen_key_registry, bingx_extend_delete_revoke_and_unwatch) {
    d::listen_key_registry reg(7, 1000);
    const std::string k = reg.issue(d::venue::bingx, "api", 5, 0, 60min).key;
    EXPECT_EQ(k.size(), 64u);
    std::vector<d::listen_key_event> events;
    const auto id =
        reg.watch(d::venue::bingx, k, [&](const auto&, auto e) { events.push_back(e); });
    EXPECT_EQ(reg.extend(k, 6, 1000, 60min), nullptr); // another account
    ASSERT_NE(reg.extend(k, 5, 1000, 60min), nullptr);
    EXPECT_EQ(reg.find(d::venue::bingx, k, 0)->expires_ms, 1000 + 3600 * 1000);
    EXPECT_FALSE(reg.remove(k, 6, 2000));
    EXPECT_TRUE(reg.remove(k, 5, 2000));
    EXPECT_FALSE(reg.remove(k, 5, 2000));
    EXPECT_EQ(events, (std::vector<d::listen_key_event>{d::listen_key_event::extended,
                                                        d::listen_key_event::deleted}));
    reg.unwatch(id); // already forgotten: harmless
    const std::string k2 = reg.issue(d::venue::bingx, "gone", 5, 0, 60min).key;
    const auto id2 =
        reg.watch(d::venue::bingx, k2, [&](const auto&, auto e) { events.push_back(e); });
    reg.unwatch(id2);
    reg.revoke_unless([](const d::listen_key_info& i) { return i.api_key != "gone"; });
    EXPECT_EQ(events.size(), 2u); // unwatched: no notification
    EXPECT_EQ(reg.size(), 0u);
}

TEST(listen_key_registry, same_seed_same_keys) {
    d::listen_key_registry a(99, 1000), b(99, 1000);
    EXPECT_EQ(a.issue(d::venue::bingx, "x", 1, 0, 1h).key,
              b.issue(d::venue::bingx, "x", 1, 0, 1h).key);
}

TEST(json_writer, writes_valid_json_for_any_bytes) {
    // Found by fuzz_mock_client_frames: bytes that are not UTF-8 (a push topic, a request
    // target in the journal) were copied into answers, which were then not JSON (RFC 8259).
    std::string out;
    d::json_writer(out).str(std::string_view("a\xff"
                                             "b\xc3\xa9"
                                             "c\xed\xa0\x80"
                                             "d\xf0\x9f\x98"
                                             "\x01\"\xe2\x82\xac"));
    EXPECT_EQ(out, "\"a\\ufffdb\xc3\xa9"
                   "c\\ufffd\\ufffd\\ufffdd\\ufffd\\ufffd\\ufffd\\u0001\\\""
                   "\xe2\x82\xac\"");
    boost::system::error_code ec;
    const auto v = boost::json::parse(out, ec);
    ASSERT_FALSE(ec) << out;
    EXPECT_EQ(v.as_string(), "a\xef\xbf\xbd"
                             "b\xc3\xa9"
                             "c\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
                             "d\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\x01\"\xe2\x82\xac");
}

TEST(query, split_and_decode) {
    std::vector<d::query_param> q;
    ASSERT_TRUE(d::split_query("/p?a=1&b=x%20y&flag&&c=", q));
    ASSERT_EQ(q.size(), 4u);
    EXPECT_EQ(q[1].key, "b");
    EXPECT_EQ(q[1].value, "x%20y");
    std::string out;
    d::append_decoded(q[1].value, out);
    EXPECT_EQ(out, "x y");
    EXPECT_FALSE(q[2].has_value);
    EXPECT_TRUE(q[3].has_value);
    EXPECT_FALSE(d::split_query("/p?a=%zz", q));
    EXPECT_TRUE(d::split_query("/p", q));
    EXPECT_TRUE(q.empty());
    EXPECT_EQ(d::parse_non_negative("0012"), 12);
    EXPECT_EQ(d::parse_non_negative("1e3"), -1);
    EXPECT_EQ(d::parse_non_negative("1234567890123456789"), -1); // 19 digits
}

TEST(handlers, woox_handler_without_sockets) {
    exsdk::mock::config cfg;
    cfg.clock = std::make_shared<exsdk::manual_clock>(1578565539808);
    d::shared_state st(cfg);
    const d::header_field headers[] = {
        {"X-Api-Key", "AbmyVJGUpN064ks5ELjLfA=="},
        {"x-api-timestamp", "1578565539808"},
        {"x-api-signature", "228a2c6bb9e2e77cd796e3c500cdbc29cabbccc379d3854c387930103f055649"}};
    d::request req;
    req.method = "POST";
    req.set_target("/v3/account/listenKey");
    req.body = R"({"type":"WEBSOCKET"})";
    req.peer = "10.0.0.1";
    req.headers = headers;
    d::response res;
    d::handle_woox(req, res, st);
    EXPECT_EQ(res.status, 200u) << res.body;
    EXPECT_EQ(res.code, 0);
    EXPECT_NE(res.body.find(R"("expiredTime":1578651939808)"), std::string::npos) << res.body;
    res.clear();
    req.body = R"({"type":"WEBSOCKET"} )"; // different bytes: the signature no longer matches
    d::handle_woox(req, res, st);
    EXPECT_EQ(res.status, 401u);
    EXPECT_EQ(res.code, -1001);
}

} // namespace

// ---- streams (streams.hpp) ------------------------------------------------------------------

namespace streams {

TEST(streams_sans_io, routes_and_raw_json_spans) {
    EXPECT_EQ(d::stream_route("/v3/private"), d::stream_kind::woox_private);
    EXPECT_EQ(d::stream_route("/market"), d::stream_kind::bingx_spot);
    EXPECT_EQ(d::stream_route("/swap-market"), d::stream_kind::bingx_swap);
    EXPECT_FALSE(d::stream_route("/v3/private/"));
    EXPECT_FALSE(d::stream_route("/openApi/market"));

    auto m = d::raw_members(R"( { "a" : 1.50 , "b\"c":{"x":[1,"]}"]},"e":"q",  "n":null } )");
    ASSERT_EQ(m.size(), 4u);
    EXPECT_EQ(m[0].first, R"("a")");
    EXPECT_EQ(m[0].second, "1.50");
    EXPECT_EQ(m[1].first, R"("b\"c")");
    EXPECT_EQ(m[1].second, R"({"x":[1,"]}"]})");
    EXPECT_EQ(m[2].second, R"("q")");
    EXPECT_EQ(m[3].second, "null");
    EXPECT_TRUE(d::raw_members("{}").empty());
    auto e = d::raw_elements(R"([ {"a":[1,2]} , 3,"x,]" ])");
    ASSERT_EQ(e.size(), 3u);
    EXPECT_EQ(e[0], R"({"a":[1,2]})");
    EXPECT_EQ(e[1], "3");
    EXPECT_EQ(e[2], R"("x,]")");
    EXPECT_TRUE(d::raw_elements("[]").empty());
}

TEST(streams_sans_io, server_frames) {
    EXPECT_EQ(d::iso8601_ms(1'700'000'000'000), "2023-11-14T22:13:20.000+0000");
    EXPECT_EQ(d::iso8601_ms(1'700'000'005'042), "2023-11-14T22:13:25.042+0000");
    EXPECT_EQ(d::spot_ping_frame("ab", "t"), R"({"ping":"ab","time":"t"})");
    EXPECT_EQ(d::listen_key_expired_frame("k", 5),
              R"({"e":"listenKeyExpired","E":5,"listenKey":"k"})");
    d::ping_tracker p;
    p.outstanding = {{"1", "a"}, {"2", "b"}, {"3", "c"}};
    EXPECT_FALSE(p.answer("2", "a"));
    EXPECT_TRUE(p.answer("2", "b")); // answers 1 and 2
    ASSERT_EQ(p.outstanding.size(), 1u);
    EXPECT_EQ(p.outstanding[0].first, "3");
    EXPECT_FALSE(p.answer("1", "a"));
}

TEST(streams_sans_io, client_frames_and_pushes_without_sockets) {
    exsdk::mock::config cfg;
    cfg.clock = std::make_shared<exsdk::manual_clock>(1000);
    d::stream_hub hub(cfg);
    d::stream_record r;
    r.kind = d::stream_kind::woox_private;
    r.key_expires_ms = 1'000'000;
    auto out =
        d::woox_client_frame(hub, r, R"({"id":"x","cmd":"SUBSCRIBE","params":["balance"]})", 7);
    EXPECT_EQ(out.reply,
              R"({"id":"x","cmd":"SUBSCRIBE","success":true,"time":7,"data":["balance"]})");
    EXPECT_EQ(out.journal_kind, "stream_subscribe");
    EXPECT_EQ(r.topics, std::vector<std::string>{"balance"});
    out = d::woox_client_frame(hub, r, R"({"cmd":"PING"})", 8);
    EXPECT_EQ(out.reply, R"({"cmd":"PONG","success":true,"time":8})");
    EXPECT_TRUE(out.journal_kind.empty());

    d::stream_record spot;
    spot.kind = d::stream_kind::bingx_spot;
    d::ping_tracker pings;
    out = d::bingx_client_frame(hub, spot, pings, R"({"id":7,"reqType":"sub","dataType":"A"})");
    EXPECT_EQ(out.reply, R"({"id":7,"code":0,"msg":""})");
    EXPECT_EQ(spot.topics, std::vector<std::string>{"A"});
    out = d::bingx_client_frame(hub, spot, pings, "Pong");
    EXPECT_TRUE(out.reply.empty());
    EXPECT_FALSE(out.pong); // spot pongs are JSON
    d::stream_record swap;
    swap.kind = d::stream_kind::bingx_swap;
    EXPECT_TRUE(d::bingx_client_frame(hub, swap, pings, "Pong").pong);
    EXPECT_FALSE(d::bingx_client_frame(hub, swap, pings, "pong").pong);
}

} // namespace streams

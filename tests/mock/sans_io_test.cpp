// The sans-io pieces without any socket: sliding windows, the listen-key registry and its
// notifications, query splitting, and a handler called directly with a plain request.
#include "exchange_api.hpp"
#include "listen_keys.hpp"
#include "query.hpp"
#include "sliding_window.hpp"
#include "state.hpp"

#include <exsdk/manual_clock.hpp>
#include <exsdk/mock/config.hpp>

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
    d::listen_key_registry reg(7);
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
    d::listen_key_registry reg(7);
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
    d::listen_key_registry a(99), b(99);
    EXPECT_EQ(a.issue(d::venue::bingx, "x", 1, 0, 1h).key,
              b.issue(d::venue::bingx, "x", 1, 0, 1h).key);
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

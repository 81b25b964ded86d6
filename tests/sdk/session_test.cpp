// The listen-key sessions against the mock exchange, in virtual time: the whole lifecycle
// (create, connect, subscribe, keep alive, rotate, reconnect, delete), then a 7-day soak with
// faults while events are pushed.
#include "session_support.hpp"

#include <exsdk/bingx/client.hpp>
#include <exsdk/bingx/listen_key_session.hpp>
#include <exsdk/mock/stream_push.hpp>
#include <exsdk/woox/client.hpp>
#include <exsdk/woox/listen_key_session.hpp>

#include <iostream>

using namespace std::chrono_literals;
using exsdk::errc;
using exsdk::session_status;
using exsdk::test::mock_env;
using exsdk::test::push;
using exsdk::test::running;

namespace {

const std::string woox_key = "AbmyVJGUpN064ks5ELjLfA==";
const std::string bingx_key = "bingx-demo-api-key-0001";

exsdk::woox::session_config woox_session_cfg(mock_env& env) {
    exsdk::woox::session_config cfg;
    cfg.stream.url = env.ws_url("/v3/private");
    return cfg;
}

exsdk::bingx::session_config
bingx_session_cfg(mock_env& env, exsdk::bingx::market m = exsdk::bingx::market::swap) {
    exsdk::bingx::session_config cfg;
    cfg.stream.spot_url = env.ws_url("/market");
    cfg.stream.swap_url = env.ws_url("/swap-market");
    cfg.market = m;
    return cfg;
}

TEST(woox_session, delivers_events_and_stops_cleanly_on_cancel) {
    mock_env env;
    exsdk::woox::client rest(env.ioc.get_executor(), env.woox_config());
    exsdk::woox::listen_key_session session(rest, woox_session_cfg(env));
    running r(env, session);
    ASSERT_TRUE(r.wait_connected());
    for (int i = 0; i < 3; ++i) {
        EXPECT_EQ(env.mock().push_event(push("woox", woox_key, "executionreport",
                                             R"({"oid":)" + std::to_string(i) + "}")),
                  1u);
    }
    exsdk::test::drain(env.ioc);
    ASSERT_EQ(r.count(session_status::event), 3u);
    int expected = 0;
    for (const auto& [t, u] : r.updates) {
        if (u.status == session_status::event) {
            EXPECT_EQ(std::get<exsdk::woox::execution_report>(u.event->data).order_id, expected++);
        }
    }
    r.stop();
    EXPECT_EQ(r.ended->error().code, errc::cancelled);
    EXPECT_EQ(session.stats().keys_created, 1u);
    EXPECT_EQ(session.stats().connects, 1u);
    EXPECT_EQ(env.mock().stream_count("woox"), 0u);
}

TEST(woox_session, a_dropped_socket_reconnects_with_the_same_key) {
    mock_env env;
    exsdk::woox::client rest(env.ioc.get_executor(), env.woox_config());
    exsdk::woox::listen_key_session session(rest, woox_session_cfg(env));
    running r(env, session);
    ASSERT_TRUE(r.wait_connected());
    const std::string key = session.listen_key();
    EXPECT_EQ(env.mock().drop_streams("woox"), 1u);
    ASSERT_TRUE(r.wait_connected(2));
    EXPECT_EQ(session.listen_key(), key); // never POST while the key is valid
    EXPECT_EQ(session.stats().keys_created, 1u);
    EXPECT_EQ(r.count(session_status::disconnected), 1u);
    EXPECT_EQ(r.count(session_status::reconnecting), 1u);
    ASSERT_EQ(r.count(session_status::gap), 1u);
    EXPECT_EQ(env.mock().push_event(push("woox", woox_key, "balance", R"({"balances":[]})")), 1u);
    r.stop();
}

TEST(woox_session, a_key_replaced_elsewhere_is_replaced_by_a_new_one) {
    mock_env env;
    exsdk::woox::client rest(env.ioc.get_executor(), env.woox_config());
    exsdk::woox::listen_key_session session(rest, woox_session_cfg(env));
    running r(env, session);
    ASSERT_TRUE(r.wait_connected());
    ASSERT_TRUE(env.run(rest.create_listen_key())); // someone else POSTs: our key dies
    ASSERT_TRUE(r.wait_connected(2));
    EXPECT_EQ(r.count(session_status::key_rotated), 1u);
    EXPECT_EQ(session.stats().keys_created, 2u);
    EXPECT_TRUE(env.mock().find_listen_key(session.listen_key()));
    // The 1008 close says the key is gone: no futile reconnect with it.
    for (const auto& e : env.mock().journal()) {
        EXPECT_FALSE(e.kind == "stream_connect" && e.http_status != 101) << e.target;
    }
    r.stop();
}

TEST(woox_session, rotates_the_key_before_it_expires) {
    mock_env env;
    exsdk::woox::client rest(env.ioc.get_executor(), env.woox_config());
    exsdk::woox::listen_key_session session(rest, woox_session_cfg(env));
    running r(env, session);
    ASSERT_TRUE(r.wait_connected());
    exsdk::test::advance(env.ioc, *env.clk, 24h + 1min);
    EXPECT_EQ(session.stats().keys_created, 2u);
    EXPECT_EQ(r.count(session_status::key_rotated), 1u);
    EXPECT_EQ(session.stats().disconnects, 0u); // planned: not a lost socket
    // The old key was never used after it expired: no refused connect in the journal.
    for (const auto& e : env.mock().journal()) {
        EXPECT_FALSE(e.kind == "stream_connect" && e.http_status != 101) << e.target;
    }
    r.stop();
}

TEST(woox_session, unusable_credentials_end_the_session) {
    mock_env env;
    exsdk::woox::client rest(env.ioc.get_executor(),
                             env.woox_config({"NoSuchKey==", exsdk::secret("x")}));
    exsdk::woox::listen_key_session session(rest, woox_session_cfg(env));
    running r(env, session);
    ASSERT_TRUE(exsdk::test::run_virtual(env.ioc, *env.clk, [&] { return r.ended.has_value(); }));
    EXPECT_EQ(r.ended->error().code, errc::unauthorized);
    EXPECT_EQ(env.mock().journal().size(), 1u);
}

TEST(bingx_session, extends_every_30_minutes_and_keeps_its_key) {
    mock_env env;
    exsdk::bingx::client rest(env.ioc.get_executor(), env.bingx_config());
    exsdk::bingx::listen_key_session session(rest, bingx_session_cfg(env));
    running r(env, session);
    ASSERT_TRUE(r.wait_connected());
    const std::string key = session.listen_key();
    exsdk::test::advance(env.ioc, *env.clk, 3h + 1min);
    EXPECT_EQ(session.extends(), 6u);
    EXPECT_EQ(session.listen_key(), key);
    EXPECT_EQ(session.stats().connects, 1u);
    EXPECT_EQ(env.mock().push_event(push("bingx", bingx_key, "ACCOUNT_UPDATE", R"({"a":{}})")), 1u);
    r.stop();
    EXPECT_FALSE(env.mock().find_listen_key(key)); // deleted on shutdown
}

TEST(bingx_session, a_404_on_extend_rotates_the_key) {
    mock_env env;
    exsdk::bingx::client rest(env.ioc.get_executor(), env.bingx_config());
    exsdk::bingx::listen_key_session session(rest, bingx_session_cfg(env));
    running r(env, session);
    ASSERT_TRUE(r.wait_connected());
    env.mock().add_fault(
        {"bingx", "PUT", "", exsdk::mock::fault::action::respond, 404, "", 0ms, 1});
    exsdk::test::advance(env.ioc, *env.clk, 31min);
    EXPECT_EQ(session.stats().keys_created, 2u);
    EXPECT_EQ(r.count(session_status::key_rotated), 1u);
    EXPECT_EQ(session.stats().connects, 2u);
    r.stop();
}

TEST(bingx_session, a_dropped_socket_checks_its_key_and_reconnects_with_it) {
    mock_env env;
    exsdk::bingx::client rest(env.ioc.get_executor(), env.bingx_config());
    exsdk::bingx::listen_key_session session(rest, bingx_session_cfg(env));
    running r(env, session);
    ASSERT_TRUE(r.wait_connected());
    const std::string key = session.listen_key();
    EXPECT_EQ(env.mock().drop_streams("bingx"), 1u);
    ASSERT_TRUE(r.wait_connected(2));
    EXPECT_EQ(session.listen_key(), key);
    EXPECT_EQ(session.extends(), 1u); // the check: the key survived
    EXPECT_EQ(session.stats().keys_created, 1u);
    EXPECT_EQ(r.count(session_status::key_rotated), 0u);
    EXPECT_EQ(env.mock().push_event(push("bingx", bingx_key, "ACCOUNT_UPDATE", R"({"a":{}})")), 1u);
    r.stop();
}

TEST(bingx_session, a_key_deleted_elsewhere_is_replaced_without_a_refused_connect) {
    mock_env env;
    exsdk::bingx::client rest(env.ioc.get_executor(), env.bingx_config());
    exsdk::bingx::listen_key_session session(rest, bingx_session_cfg(env));
    running r(env, session);
    ASSERT_TRUE(r.wait_connected());
    const std::string key = session.listen_key();
    ASSERT_TRUE(env.run(rest.delete_listen_key(key))); // the mock closes the socket (1000)
    ASSERT_TRUE(r.wait_connected(2));
    EXPECT_NE(session.listen_key(), key);
    EXPECT_EQ(session.stats().keys_created, 2u);
    ASSERT_EQ(r.count(session_status::key_rotated), 1u);
    EXPECT_EQ(r.count(session_status::reconnecting), 1u); // one backoff, not two
    // The PUT after the lost socket found the key gone: the stream never saw it again.
    for (const auto& e : env.mock().journal()) {
        EXPECT_FALSE(e.kind == "stream_connect" && e.http_status != 101) << e.target;
    }
    EXPECT_EQ(env.mock().push_event(push("bingx", bingx_key, "ACCOUNT_UPDATE", R"({"a":{}})")), 1u);
    r.stop();
}

TEST(bingx_session, a_key_that_lapses_is_replaced_after_listen_key_expired) {
    mock_env env;
    exsdk::bingx::client rest(env.ioc.get_executor(), env.bingx_config());
    exsdk::bingx::listen_key_session session(rest, bingx_session_cfg(env));
    running r(env, session);
    ASSERT_TRUE(r.wait_connected());
    env.mock().add_fault(
        {"bingx", "PUT", "", exsdk::mock::fault::action::respond, 503, "", 0ms, 100000});
    exsdk::test::advance(env.ioc, *env.clk, 61min);
    env.mock().clear_faults();
    ASSERT_TRUE(r.wait_connected(2));
    bool saw_expired = false;
    for (const auto& [t, u] : r.updates) {
        saw_expired |=
            u.event && std::holds_alternative<exsdk::bingx::listen_key_expired>(u.event->data);
    }
    EXPECT_TRUE(saw_expired);
    EXPECT_EQ(session.stats().keys_created, 2u);
    r.stop();
}

TEST(bingx_session, spot_subscribes_and_delivers) {
    mock_env env;
    exsdk::bingx::client rest(env.ioc.get_executor(), env.bingx_config());
    exsdk::bingx::listen_key_session session(rest,
                                             bingx_session_cfg(env, exsdk::bingx::market::spot));
    running r(env, session);
    ASSERT_TRUE(r.wait_connected());
    EXPECT_EQ(env.mock().push_event(push("bingx", bingx_key, "spot.executionReport", R"({"i":5})")),
              1u);
    exsdk::test::drain(env.ioc);
    ASSERT_EQ(r.count(session_status::event), 1u);
    r.stop();
}

// Issue 10: a proxy in front of BingX answers every REST call with its own 404 page (no
// exchange envelope). The extend at 30 min and the key check after a lost socket meet it: the
// session keeps its key (no key rotation, no generate), reconnects with it, and extends it again
// once the proxy heals.
TEST(bingx_session, a_proxy_404_page_keeps_the_key_and_recovers_when_the_proxy_heals) {
    mock_env env;
    exsdk::bingx::client rest(env.ioc.get_executor(), env.bingx_config());
    exsdk::bingx::listen_key_session session(rest, bingx_session_cfg(env));
    running r(env, session);
    ASSERT_TRUE(r.wait_connected());
    const std::string key = session.listen_key();
    env.mock().add_fault({"bingx", "", "", exsdk::mock::fault::action::respond, 404,
                          "<html><head><title>404 Not Found</title></head><body><center>nginx"
                          "</center></body></html>",
                          0ms, 1000000});
    exsdk::test::advance(env.ioc, *env.clk, 31min);  // the extend at 30 min meets the proxy
    EXPECT_EQ(env.mock().drop_streams("bingx"), 1u); // and a lost socket's key check too
    ASSERT_TRUE(r.wait_connected(2));
    exsdk::test::advance(env.ioc, *env.clk, 5min);
    EXPECT_EQ(session.listen_key(), key);
    EXPECT_EQ(session.extends(), 0u);
    EXPECT_EQ(session.stats().keys_created, 1u);
    EXPECT_EQ(r.count(session_status::key_rotated), 0u);
    EXPECT_FALSE(r.ended.has_value());
    std::size_t proxied = 0;
    for (const auto& e : env.mock().journal()) {
        EXPECT_FALSE(e.method == "POST" && e.time_ms > exsdk::test::t0_ms) << e.target;
        proxied += e.fault == "respond" && e.method == "PUT" ? 1 : 0;
    }
    EXPECT_GE(proxied, 5u); // retried every extend_retry, never gave the key up

    env.mock().clear_faults(); // the proxy heals
    exsdk::test::advance(env.ioc, *env.clk, 2min);
    EXPECT_EQ(session.extends(), 1u);
    EXPECT_EQ(session.listen_key(), key);
    EXPECT_EQ(env.mock().push_event(push("bingx", bingx_key, "ACCOUNT_UPDATE", R"({"a":{}})")), 1u);
    exsdk::test::drain(env.ioc);
    EXPECT_EQ(r.count(session_status::event), 1u);
    // Extended in time: the key outlives its first 60 minutes, still the only one.
    exsdk::test::advance(env.ioc, *env.clk, 60min);
    EXPECT_EQ(session.listen_key(), key);
    EXPECT_TRUE(env.mock().find_listen_key(key));
    EXPECT_EQ(session.stats().keys_created, 1u);
    EXPECT_EQ(session.stats().connects, 2u);
    r.stop();
}

// The same for WOO X when the session starts behind a proxy: 404, 401 and 502 pages (none of
// them the exchange's word: neither "key gone" nor fatal "unauthorized") make it back off and
// retry; it creates its key and connects once the proxy heals.
TEST(woox_session, proxy_pages_on_create_are_transient_and_it_recovers_when_the_proxy_heals) {
    mock_env env;
    exsdk::woox::client rest(env.ioc.get_executor(), env.woox_config());
    exsdk::woox::listen_key_session session(rest, woox_session_cfg(env));
    using act = exsdk::mock::fault::action;
    env.mock().add_fault({"woox", "", "", act::respond, 404,
                          "<!DOCTYPE html><html><title>404 Not Found</title></html>", 0ms, 3});
    env.mock().add_fault({"woox", "", "", act::respond, 401,
                          "<html><title>401 Authorization Required</title></html>", 0ms, 2});
    env.mock().add_fault({"woox", "", "", act::respond, 502,
                          "<html><title>502 Bad Gateway</title></html>", 0ms, 1000000});
    running r(env, session);
    exsdk::test::advance(env.ioc, *env.clk, 10min);
    EXPECT_FALSE(r.ended.has_value());
    EXPECT_EQ(session.stats().keys_created, 0u);
    EXPECT_EQ(r.count(session_status::connected), 0u);
    EXPECT_GE(env.mock().journal().size(), 6u);
    env.mock().clear_faults();
    ASSERT_TRUE(r.wait_connected());
    EXPECT_EQ(session.stats().keys_created, 1u);
    EXPECT_FALSE(r.ended.has_value());
    EXPECT_EQ(env.mock().push_event(push("woox", woox_key, "balance", R"({"balances":[]})")), 1u);
    const std::string key = session.listen_key();
    // Now connected, the proxy breaks again and the socket drops: reconnects with the same key.
    env.mock().add_fault({"woox", "", "", act::respond, 404, "<html>404</html>", 0ms, 1000000});
    EXPECT_EQ(env.mock().drop_streams("woox"), 1u);
    ASSERT_TRUE(r.wait_connected(2));
    EXPECT_EQ(session.listen_key(), key);
    EXPECT_EQ(session.stats().keys_created, 1u);
    env.mock().clear_faults();
    r.stop();
}

// Issue 5's soak: 7 days of both sessions against the mock with faults, while events are
// pushed. Every event pushed while a socket was connected arrives exactly once, in order; every
// outage ends within the reconnect backoff; no rate limit is hit.
TEST(session_soak, seven_days_with_faults_in_virtual_time) {
    mock_env env;
    exsdk::woox::client woox_rest(env.ioc.get_executor(), env.woox_config());
    exsdk::bingx::client bingx_rest(env.ioc.get_executor(), env.bingx_config());
    exsdk::woox::listen_key_session woox(woox_rest, woox_session_cfg(env));
    exsdk::bingx::listen_key_session bingx(bingx_rest, bingx_session_cfg(env));
    running w(env, woox);
    running b(env, bingx);
    ASSERT_TRUE(w.wait_connected() && b.wait_connected());

    std::vector<std::int64_t> woox_sent, bingx_sent;
    std::int64_t seq = 0;
    const int steps = 7 * 24 * 6; // 10-minute steps
    for (int step = 0; step < steps; ++step) {
        ++seq;
        if (env.mock().push_event(push("woox", woox_key, "executionreport",
                                       R"({"oid":)" + std::to_string(seq) + "}")) > 0) {
            woox_sent.push_back(seq);
        }
        if (env.mock().push_event(push("bingx", bingx_key, "ORDER_TRADE_UPDATE",
                                       R"({"o":{"i":)" + std::to_string(seq) + "}}")) > 0) {
            bingx_sent.push_back(seq);
        }
        // Let the pushes reach the clients before this step's faults: a drop loses what is still
        // queued in the server's socket, as a real network loss would.
        exsdk::test::drain(env.ioc);
        if (step % 37 == 5) {
            env.mock().drop_streams("woox"); // network loss
        }
        if (step % 53 == 7) {
            env.mock().drop_streams("bingx");
        }
        if (step % 101 == 50) { // a short 5xx spell on PUT
            env.mock().add_fault(
                {"bingx", "PUT", "", exsdk::mock::fault::action::respond, 503, "", 0ms, 2});
        }
        if (step == 300) { // the exchange forgets the key: 404 on PUT
            env.mock().add_fault(
                {"bingx", "PUT", "", exsdk::mock::fault::action::respond, 404, "", 0ms, 1});
        }
        if (step == 500) { // PUT fails for 80 min: the key expires by the clock
            env.mock().add_fault(
                {"bingx", "PUT", "", exsdk::mock::fault::action::respond, 503, "", 0ms, 1000000});
        }
        if (step == 508) {
            env.mock().clear_faults();
        }
        if (step == 700) { // another process rotates the WOO X key
            EXPECT_TRUE(env.run(woox_rest.create_listen_key()));
        }
        exsdk::test::advance(env.ioc, *env.clk, 10min);
    }
    exsdk::test::drain(env.ioc);

    auto received = [](const auto& r, auto id_of) {
        std::vector<std::int64_t> ids;
        for (const auto& [t, u] : r.updates) {
            if (u.event) {
                if (auto id = id_of(*u.event)) {
                    ids.push_back(*id);
                }
            }
        }
        return ids;
    };
    const auto woox_got =
        received(w, [](const exsdk::woox::stream_event& e) -> std::optional<std::int64_t> {
            if (const auto* r = std::get_if<exsdk::woox::execution_report>(&e.data)) {
                return r->order_id;
            }
            return std::nullopt;
        });
    const auto bingx_got =
        received(b, [](const exsdk::bingx::stream_event& e) -> std::optional<std::int64_t> {
            if (const auto* o = std::get_if<exsdk::bingx::order_trade_update>(&e.data)) {
                return o->order_id;
            }
            return std::nullopt;
        });
    EXPECT_EQ(woox_got, woox_sent); // exactly once, in order
    EXPECT_EQ(bingx_got, bingx_sent);
    EXPECT_GT(woox_sent.size(), static_cast<std::size_t>(steps) * 9 / 10);
    EXPECT_GT(bingx_sent.size(), static_cast<std::size_t>(steps) * 9 / 10);

    // Every outage ended within the reconnect backoff.
    const exsdk::reconnect_policy policy;
    std::size_t gaps = 0;
    exsdk::clock::duration longest{};
    auto check_outages = [&](const auto& updates) {
        for (const auto& [t, u] : updates) {
            if (u.status == session_status::gap) {
                ++gaps;
                longest = std::max(longest, u.outage);
                EXPECT_LE(u.outage, policy.max);
            }
        }
    };
    check_outages(w.updates);
    check_outages(b.updates);
    EXPECT_GT(gaps, 50u);
    EXPECT_GE(woox.stats().keys_created, 8u);  // 7 daily rotations + the external one
    EXPECT_GE(bingx.stats().keys_created, 3u); // the 404 and the lapse
    EXPECT_EQ(env.answered(-1003), 0u);
    EXPECT_EQ(env.answered(100410), 0u);
    std::cout << "soak: 7 days; WOO X " << woox_got.size() << " events, " << woox.stats().connects
              << " connects, " << woox.stats().keys_created << " keys; BingX " << bingx_got.size()
              << " events, " << bingx.stats().connects << " connects, "
              << bingx.stats().keys_created << " keys, " << bingx.extends() << " extends; " << gaps
              << " gaps, longest outage "
              << std::chrono::duration_cast<std::chrono::milliseconds>(longest).count() << " ms\n";
    w.stop();
    b.stop();
    EXPECT_EQ(env.mock().stream_count(), 0u);
}

} // namespace

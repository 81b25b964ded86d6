// The bounded event queues of the streams and sessions (exsdk/overflow_policy.hpp), against the
// mock exchange in virtual time, with an application that does not call next() for a while:
// block (the reader stops, nothing is lost, the socket backs up) and drop (what does not fit is
// dropped and reported in order, with how many).
#include "mock_env.hpp"

#include <exsdk/bingx/account_stream.hpp>
#include <exsdk/bingx/client.hpp>
#include <exsdk/bingx/listen_key_session.hpp>
#include <exsdk/mock/stream_push.hpp>
#include <exsdk/woox/client.hpp>
#include <exsdk/woox/listen_key_session.hpp>
#include <exsdk/woox/private_stream.hpp>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>

using namespace std::chrono_literals;
using exsdk::errc;
using exsdk::overflow_policy;
using exsdk::session_status;
using exsdk::test::mock_env;
using exsdk::test::push;

namespace {

const std::string woox_key = "AbmyVJGUpN064ks5ELjLfA==";
const std::string bingx_key = "bingx-demo-api-key-0001";

std::string balance(int i) {
    return R"({"balances":[{"t":"USDT","h":")" + std::to_string(i) + R"(","f":"0","ts":1}]})";
}
std::string holding(const exsdk::woox::stream_event& ev) {
    return std::get<exsdk::woox::balance_update>(ev.data).balances.at(0).holding;
}
std::string order_id(const exsdk::bingx::stream_event& ev) {
    return std::to_string(ev.raw.at("o").at("i").as_int64());
}

/// A connected WOO X stream subscribed to balance.
struct woox_fixture {
    mock_env env;
    exsdk::woox::client rest{env.ioc.get_executor(), env.woox_config()};
    std::optional<exsdk::woox::private_stream> s;

    explicit woox_fixture(std::size_t max_queued, overflow_policy p) {
        exsdk::woox::stream_config cfg;
        cfg.url = env.ws_url("/v3/private");
        cfg.clock = env.clk;
        cfg.max_queued_events = max_queued;
        cfg.overflow = p;
        s.emplace(env.ioc.get_executor(), cfg);
        auto key = env.run(rest.create_listen_key());
        EXPECT_TRUE(key);
        EXPECT_TRUE(env.run(s->connect(key->auth_key)));
        EXPECT_TRUE(env.run(s->subscribe({"balance"})));
    }
    void push_balances(int from, int to) {
        for (int i = from; i < to; ++i) {
            EXPECT_EQ(env.mock().push_event(push("woox", woox_key, "balance", balance(i))), 1u);
        }
        exsdk::test::drain(env.ioc); // everything ready runs: the reader reads what it may
    }
};

TEST(stream_queue, block_stops_reading_at_the_bound_and_loses_nothing) {
    woox_fixture f(3, overflow_policy::block);
    f.push_balances(0, 20);
    EXPECT_EQ(f.s->queued(), 3u);                      // the rest waits in the socket
    exsdk::test::advance(f.env.ioc, *f.env.clk, 2min); // pings go on; the socket stays up
    EXPECT_EQ(f.s->queued(), 3u);
    for (int i = 0; i < 20; ++i) {
        auto ev = f.env.run(f.s->next());
        ASSERT_TRUE(ev) << i << ": " << ev.error();
        EXPECT_EQ(holding(*ev), std::to_string(i));
        EXPECT_LE(f.s->queued(), 3u);
    }
    EXPECT_EQ(f.s->dropped(), 0u);
    EXPECT_TRUE(f.s->is_open());
    EXPECT_EQ(f.env.mock().stream_count(), 1u);
}

TEST(stream_queue, drop_reports_how_many_in_order_then_goes_on) {
    woox_fixture f(3, overflow_policy::drop);
    f.push_balances(0, 10);
    EXPECT_EQ(f.s->queued(), 3u);
    EXPECT_EQ(f.s->dropped(), 7u);
    for (int i = 0; i < 3; ++i) {
        auto ev = f.env.run(f.s->next());
        ASSERT_TRUE(ev) << ev.error();
        EXPECT_EQ(holding(*ev), std::to_string(i));
    }
    auto gap = f.env.run(f.s->next());
    ASSERT_FALSE(gap);
    EXPECT_EQ(gap.error().code, errc::events_dropped);
    EXPECT_NE(gap.error().message.find("7 events dropped"), std::string::npos)
        << gap.error().message;
    f.push_balances(10, 12);
    for (int i = 10; i < 12; ++i) {
        auto ev = f.env.run(f.s->next());
        ASSERT_TRUE(ev) << ev.error();
        EXPECT_EQ(holding(*ev), std::to_string(i));
    }
    EXPECT_EQ(f.s->dropped(), 7u);
    EXPECT_TRUE(f.s->is_open());
}

TEST(stream_queue, bingx_drop_keeps_answering_pings) {
    mock_env env;
    exsdk::bingx::client rest(env.ioc.get_executor(), env.bingx_config());
    auto key = env.run(rest.generate_listen_key());
    ASSERT_TRUE(key);
    exsdk::bingx::stream_config cfg;
    cfg.swap_url = env.ws_url("/swap-market");
    cfg.spot_url = env.ws_url("/market");
    cfg.clock = env.clk;
    cfg.max_queued_events = 2;
    cfg.overflow = overflow_policy::drop;
    exsdk::bingx::account_stream s(env.ioc.get_executor(), cfg);
    ASSERT_TRUE(env.run(s.connect(exsdk::bingx::market::swap, key->key)));
    for (int i = 0; i < 5; ++i) {
        env.mock().push_event(push("bingx", bingx_key, "ORDER_TRADE_UPDATE",
                                   R"({"o":{"i":)" + std::to_string(i) + "}}"));
    }
    exsdk::test::advance(env.ioc, *env.clk, 1min); // the reader keeps reading: pongs go out
    EXPECT_TRUE(s.is_open());
    EXPECT_EQ(env.mock().stream_count(), 1u);
    EXPECT_EQ(s.dropped(), 3u);
    for (int i = 0; i < 2; ++i) {
        auto ev = env.run(s.next());
        ASSERT_TRUE(ev) << ev.error();
        EXPECT_EQ(order_id(*ev), std::to_string(i));
    }
    auto gap = env.run(s.next());
    ASSERT_FALSE(gap);
    EXPECT_EQ(gap.error().code, errc::events_dropped);
    EXPECT_NE(gap.error().message.find("3 events dropped"), std::string::npos);
}

// ---- sessions ---------------------------------------------------------------------------------

/// A session's run() on the env's io_context; nobody calls next() until the test does.
template <class Session>
struct started {
    mock_env& env;
    Session& session;
    boost::asio::cancellation_signal stop_signal;
    std::optional<exsdk::result<void>> ended;

    started(mock_env& e, Session& s) : env(e), session(s) {
        boost::asio::co_spawn(
            env.ioc, session.run(),
            boost::asio::bind_cancellation_slot(
                stop_signal.slot(),
                [this](std::exception_ptr, exsdk::result<void> r) { ended = std::move(r); }));
    }
    ~started() {
        stop_signal.emit(boost::asio::cancellation_type::terminal);
        exsdk::test::run_virtual(
            env.ioc, *env.clk, [&] { return ended.has_value(); }, 1min);
    }
    auto next() { return env.run(session.next()); }
};

TEST(session_queue, drop_reports_a_gap_with_the_number_dropped) {
    mock_env env;
    exsdk::woox::client rest(env.ioc.get_executor(), env.woox_config());
    exsdk::woox::session_config cfg;
    cfg.stream.url = env.ws_url("/v3/private");
    cfg.topics = {"balance"};
    cfg.max_queued_updates = 4;
    cfg.overflow = overflow_policy::drop;
    exsdk::woox::listen_key_session session(rest, cfg);
    started run(env, session);
    ASSERT_TRUE(exsdk::test::run_virtual(
        env.ioc, *env.clk, [&] { return session.stats().connects == 1; }, 1min));
    for (int i = 0; i < 20; ++i) {
        env.mock().push_event(push("woox", woox_key, "balance", balance(i)));
    }
    exsdk::test::drain(env.ioc);
    EXPECT_EQ(session.queued(), 4u); // connected + 3 events
    EXPECT_EQ(session.stats().dropped, 17u);
    EXPECT_EQ(session.stats().events, 3u);
    EXPECT_EQ(run.next()->status, session_status::connected);
    for (int i = 0; i < 3; ++i) {
        auto u = run.next();
        ASSERT_TRUE(u);
        ASSERT_EQ(u->status, session_status::event);
        EXPECT_EQ(holding(*u->event), std::to_string(i));
    }
    auto gap = run.next();
    ASSERT_TRUE(gap);
    EXPECT_EQ(gap->status, session_status::gap);
    EXPECT_EQ(gap->dropped, 17u);
    EXPECT_NE(gap->detail.find("re-sync from REST"), std::string::npos);
    EXPECT_EQ(session.stats().gaps, 1u);
    env.mock().push_event(push("woox", woox_key, "balance", balance(20)));
    auto after = run.next();
    ASSERT_TRUE(after);
    EXPECT_EQ(holding(*after->event), "20");
    EXPECT_EQ(session.stats().disconnects, 0u);
}

TEST(session_queue, block_holds_events_back_and_loses_none) {
    mock_env env;
    exsdk::woox::client rest(env.ioc.get_executor(), env.woox_config());
    exsdk::woox::session_config cfg;
    cfg.stream.url = env.ws_url("/v3/private");
    cfg.stream.max_queued_events = 3;
    cfg.stream.overflow = overflow_policy::drop; // ignored: a session's stream always blocks
    cfg.topics = {"balance"};
    cfg.max_queued_updates = 4;
    exsdk::woox::listen_key_session session(rest, cfg);
    started run(env, session);
    ASSERT_TRUE(exsdk::test::run_virtual(
        env.ioc, *env.clk, [&] { return session.stats().connects == 1; }, 1min));
    for (int i = 0; i < 30; ++i) {
        env.mock().push_event(push("woox", woox_key, "balance", balance(i)));
    }
    exsdk::test::advance(env.ioc, *env.clk, 5min);
    EXPECT_EQ(session.queued(), 4u);
    EXPECT_EQ(session.stats().events, 3u);
    EXPECT_EQ(run.next()->status, session_status::connected);
    for (int i = 0; i < 30; ++i) {
        auto u = run.next();
        ASSERT_TRUE(u);
        ASSERT_EQ(u->status, session_status::event) << i;
        EXPECT_EQ(holding(*u->event), std::to_string(i));
        EXPECT_LE(session.queued(), 4u);
    }
    EXPECT_EQ(session.stats().dropped, 0u);
    EXPECT_EQ(session.stats().disconnects, 0u);
    EXPECT_EQ(env.mock().stream_count(), 1u);
}

TEST(session_queue, a_blocked_bingx_session_extends_its_key_and_reports_the_lost_socket) {
    mock_env env;
    exsdk::bingx::client rest(env.ioc.get_executor(), env.bingx_config());
    exsdk::bingx::session_config cfg;
    cfg.stream.swap_url = env.ws_url("/swap-market");
    cfg.stream.spot_url = env.ws_url("/market");
    cfg.stream.max_queued_events = 2;
    cfg.max_queued_updates = 3;
    exsdk::bingx::listen_key_session session(rest, cfg);
    started run(env, session);
    ASSERT_TRUE(exsdk::test::run_virtual(
        env.ioc, *env.clk, [&] { return session.stats().connects == 1; }, 1min));
    const auto key = session.listen_key();
    for (int i = 0; i < 10; ++i) {
        env.mock().push_event(push("bingx", bingx_key, "ORDER_TRADE_UPDATE",
                                   R"({"o":{"i":)" + std::to_string(i) + "}}"));
    }
    // Nobody reads for 40 min: the reader stops, the server's pings go unanswered and it drops
    // the socket (pong timeout); the key is still extended on time.
    exsdk::test::advance(env.ioc, *env.clk, 40min);
    EXPECT_EQ(session.queued(), 3u);
    EXPECT_EQ(session.extends(), 1u);
    EXPECT_EQ(session.listen_key(), key);
    EXPECT_EQ(env.mock().stream_count(), 0u);
    EXPECT_EQ(run.next()->status, session_status::connected);
    for (int i = 0; i < 10; ++i) {
        auto u = run.next();
        ASSERT_TRUE(u);
        ASSERT_EQ(u->status, session_status::event) << i;
        EXPECT_EQ(order_id(*u->event), std::to_string(i));
        EXPECT_LE(session.queued(), 3u + 4u); // the bound plus one reconnect's statuses
    }
    // Then the lost socket, reported like any outage: disconnected ... connected, gap.
    std::vector<session_status> seen;
    for (;;) {
        auto u = run.next();
        ASSERT_TRUE(u);
        seen.push_back(u->status);
        if (u->status == session_status::gap) {
            EXPECT_EQ(u->dropped, 0u);
            break;
        }
    }
    EXPECT_EQ(seen.front(), session_status::disconnected);
    EXPECT_EQ(session.stats().dropped, 0u);
    EXPECT_EQ(session.listen_key(), key); // reconnected with the same (extended) key
}

} // namespace

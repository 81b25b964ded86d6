// The manual clock and exsdk::timer in virtual time: no test here sleeps.
#include <exsdk/manual_clock.hpp>
#include <exsdk/timer.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <gtest/gtest.h>

#include <memory>
#include <vector>

namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

TEST(manual_clock, wall_and_monotonic_time_move_together) {
    exsdk::manual_clock c(1'700'000'000'000);
    EXPECT_EQ(c.wall_ms(), 1'700'000'000'000);
    const auto t0 = c.now();
    c.advance(1500ms);
    EXPECT_EQ(c.wall_ms(), 1'700'000'001'500);
    EXPECT_EQ(c.now() - t0, 1500ms);
    c.advance(-5s); // ignored
    EXPECT_EQ(c.wall_ms(), 1'700'000'001'500);
    c.set_ms(42);
    EXPECT_EQ(c.wall_ms(), 42);
}

TEST(timer, fires_in_deadline_order_only_when_time_is_advanced) {
    asio::io_context ioc;
    auto clk = std::make_shared<exsdk::manual_clock>(0);
    std::vector<int> fired;
    exsdk::timer a(ioc.get_executor(), clk), b(ioc.get_executor(), clk), c(ioc.get_executor(), clk);
    a.expires_after(3s);
    b.expires_after(1s);
    c.expires_after(2s);
    a.async_wait([&](boost::system::error_code ec) { fired.push_back(ec ? -1 : 3); });
    b.async_wait([&](boost::system::error_code ec) { fired.push_back(ec ? -1 : 1); });
    c.async_wait([&](boost::system::error_code ec) { fired.push_back(ec ? -1 : 2); });
    ioc.poll();
    EXPECT_TRUE(fired.empty());
    EXPECT_EQ(clk->pending(), 3u);
    EXPECT_EQ(clk->next_deadline(), clk->now() + 1s);

    clk->advance(1500ms);
    ioc.poll();
    EXPECT_EQ(fired, (std::vector<int>{1}));
    clk->advance(10s);
    ioc.poll();
    EXPECT_EQ(fired, (std::vector<int>{1, 2, 3}));
    EXPECT_EQ(clk->pending(), 0u);
}

TEST(timer, pending_wait_keeps_io_context_busy_like_a_real_timer) {
    asio::io_context ioc;
    auto clk = std::make_shared<exsdk::manual_clock>(0);
    exsdk::timer t(ioc.get_executor(), clk);
    t.expires_after(1s);
    bool done = false;
    t.async_wait([&](boost::system::error_code ec) { done = !ec; });
    EXPECT_EQ(ioc.poll(), 0u);
    EXPECT_FALSE(ioc.stopped()); // outstanding work
    clk->advance_to_next();
    ioc.run(); // returns once the wait completed and released its work
    EXPECT_TRUE(done);
}

TEST(timer, cancel_and_reset_complete_with_operation_aborted) {
    asio::io_context ioc;
    auto clk = std::make_shared<exsdk::manual_clock>(0);
    exsdk::timer t(ioc.get_executor(), clk);
    std::vector<boost::system::error_code> results;
    t.expires_after(5s);
    t.async_wait([&](boost::system::error_code ec) { results.push_back(ec); });
    EXPECT_EQ(t.cancel(), 1u);
    ioc.poll();
    ASSERT_EQ(results.size(), 1u);
    EXPECT_EQ(results[0], asio::error::operation_aborted);

    ioc.restart(); // poll() ran out of work and stopped the context
    t.async_wait([&](boost::system::error_code ec) { results.push_back(ec); });
    EXPECT_EQ(t.expires_after(1s), 1u); // resetting the expiry cancels, as with asio timers
    ioc.poll();
    ASSERT_EQ(results.size(), 2u);
    EXPECT_EQ(results[1], asio::error::operation_aborted);
    EXPECT_EQ(clk->pending(), 0u);
}

TEST(timer, per_operation_cancellation_through_the_slot) {
    asio::io_context ioc;
    auto clk = std::make_shared<exsdk::manual_clock>(0);
    exsdk::timer t(ioc.get_executor(), clk);
    asio::cancellation_signal sig;
    boost::system::error_code result;
    bool done = false;
    t.expires_after(1h);
    t.async_wait(asio::bind_cancellation_slot(sig.slot(), [&](boost::system::error_code ec) {
        result = ec;
        done = true;
    }));
    ioc.poll();
    sig.emit(asio::cancellation_type::terminal);
    ioc.poll();
    EXPECT_TRUE(done);
    EXPECT_EQ(result, asio::error::operation_aborted);
    EXPECT_EQ(clk->pending(), 0u);
}

TEST(timer, coroutine_wait_in_virtual_time) {
    asio::io_context ioc;
    auto clk = std::make_shared<exsdk::manual_clock>(0);
    std::vector<std::int64_t> woke_at;
    for (int i = 0; i < 3; ++i) {
        asio::co_spawn(
            ioc,
            [&, i]() -> asio::awaitable<void> {
                exsdk::timer t(co_await asio::this_coro::executor, clk);
                t.expires_after(std::chrono::seconds(10 * (3 - i)));
                auto [ec] = co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
                if (!ec) {
                    woke_at.push_back(clk->wall_ms());
                }
            },
            asio::detached);
    }
    ioc.poll();
    while (clk->advance_to_next()) {
        ioc.poll();
    }
    EXPECT_EQ(woke_at, (std::vector<std::int64_t>{10'000, 20'000, 30'000}));
}

TEST(timer, destroying_a_timer_cancels_its_waits) {
    asio::io_context ioc;
    auto clk = std::make_shared<exsdk::manual_clock>(0);
    boost::system::error_code result;
    {
        exsdk::timer t(ioc.get_executor(), clk);
        t.expires_after(1s);
        t.async_wait([&](boost::system::error_code ec) { result = ec; });
    }
    ioc.poll();
    EXPECT_EQ(result, asio::error::operation_aborted);
}

TEST(timer, system_clock_timer_uses_the_os) {
    asio::io_context ioc;
    exsdk::timer t(ioc.get_executor(), exsdk::system_clock());
    t.expires_after(0s);
    bool done = false;
    t.async_wait([&](boost::system::error_code ec) { done = !ec; });
    ioc.run();
    EXPECT_TRUE(done);
}

} // namespace

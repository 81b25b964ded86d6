// sliding_window_limiter properties, in virtual time: strictness (never more than N starts in
// any window), FIFO order, no needless waiting, all-or-nothing multi-limit acquisition, and
// cancellation mid-wait. Nothing here sleeps.
#include "support/virtual_time.hpp"

#include <exsdk/error.hpp>
#include <exsdk/sliding_window_limiter.hpp>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <vector>

namespace asio = boost::asio;
using namespace std::chrono_literals;
using exsdk::clock;
using exsdk::sliding_window_limiter;

namespace {

constexpr std::int64_t t0_ms = 1'700'000'000'000;

struct fixture {
    asio::io_context ioc;
    std::shared_ptr<exsdk::manual_clock> clk = std::make_shared<exsdk::manual_clock>(t0_ms);
};

// Checks that every N+1 consecutive starts span at least `window`.
void expect_strict(const std::vector<clock::time_point>& starts, std::size_t n,
                   clock::duration window) {
    auto sorted = starts;
    std::sort(sorted.begin(), sorted.end());
    for (std::size_t i = 0; i + n < sorted.size(); ++i) {
        ASSERT_GE(sorted[i + n] - sorted[i], window)
            << "starts " << i << " and " << i + n << " are inside one window";
    }
}

TEST(sliding_window_limiter, lets_n_through_then_waits_a_full_window) {
    fixture f;
    sliding_window_limiter lim({5, 10s}, f.clk, 0ms);
    std::vector<clock::time_point> starts;
    for (int i = 0; i < 12; ++i) {
        asio::co_spawn(
            f.ioc,
            [&]() -> asio::awaitable<void> {
                auto ec = co_await lim.acquire();
                EXPECT_FALSE(ec);
                starts.push_back(f.clk->now());
            },
            asio::detached);
    }
    const auto begin = f.clk->now();
    exsdk::test::drain(f.ioc);
    EXPECT_EQ(starts.size(), 5u); // the first five start at once
    EXPECT_EQ(lim.waiting(), 7u);
    ASSERT_TRUE(exsdk::test::run_virtual(f.ioc, *f.clk, [&] { return starts.size() == 12; }));
    for (std::size_t i = 0; i < starts.size(); ++i) {
        EXPECT_EQ(starts[i] - begin, std::chrono::seconds(10 * (i / 5))) << i;
    }
}

TEST(sliding_window_limiter, default_margin_is_one_percent_of_the_window) {
    fixture f;
    sliding_window_limiter lim({2, 1s}, f.clk);
    EXPECT_EQ(lim.effective_window(), 1010ms);
}

TEST(sliding_window_limiter, try_acquire_never_waits) {
    fixture f;
    sliding_window_limiter lim({2, 1s}, f.clk, 0ms);
    EXPECT_TRUE(lim.try_acquire());
    EXPECT_TRUE(lim.try_acquire());
    EXPECT_FALSE(lim.try_acquire());
    EXPECT_EQ(lim.next_start(), f.clk->now() + 1s);
    f.clk->advance(999ms);
    EXPECT_FALSE(lim.try_acquire());
    f.clk->advance(1ms);
    EXPECT_TRUE(lim.try_acquire());
}

// Random arrivals against random limits: strict, FIFO, and never waiting longer than needed.
TEST(sliding_window_limiter, property_random_arrivals_are_strict_fifo_and_tight) {
    std::mt19937 rng(12345);
    for (int round = 0; round < 20; ++round) {
        fixture f;
        const std::size_t n = 1 + rng() % 10;
        const auto window = std::chrono::milliseconds(100 + rng() % 10'000);
        sliding_window_limiter lim({n, window}, f.clk, 0ms);
        const int callers = 300;
        std::vector<clock::time_point> arrivals(callers), starts(callers);
        std::vector<int> order;
        // Arrivals: bursts and gaps, in virtual time.
        std::exponential_distribution<double> gap(n * 1.5 / (window.count() / 1000.0));
        auto at = f.clk->now();
        for (int i = 0; i < callers; ++i) {
            at += std::chrono::microseconds(
                static_cast<long>(gap(rng) * 1e6 * (rng() % 4 == 0 ? 0 : 1)));
            arrivals[i] = at;
        }
        int spawned = 0;
        auto spawn_due = [&] {
            while (spawned < callers && arrivals[spawned] <= f.clk->now()) {
                const int i = spawned++;
                asio::co_spawn(
                    f.ioc,
                    [&, i]() -> asio::awaitable<void> {
                        auto ec = co_await lim.acquire();
                        EXPECT_FALSE(ec);
                        starts[i] = f.clk->now();
                        order.push_back(i);
                    },
                    asio::detached);
            }
        };
        while (static_cast<int>(order.size()) < callers) {
            spawn_due();
            exsdk::test::drain(f.ioc);
            auto next = f.clk->next_deadline();
            if (spawned < callers && (!next || arrivals[spawned] < *next)) {
                f.clk->advance(arrivals[spawned] - f.clk->now());
            } else if (next) {
                f.clk->advance_to_next();
            }
        }
        expect_strict(starts, n, window);
        // FIFO: starts in arrival order.
        for (int i = 0; i < callers; ++i) {
            EXPECT_EQ(order[i], i);
        }
        // Tight: each start is the earliest the rule allows.
        for (int i = 0; i < callers; ++i) {
            auto expected = arrivals[i];
            if (i > 0) {
                expected = std::max(expected, starts[i - 1]);
            }
            if (i >= static_cast<int>(n)) {
                expected = std::max(expected, starts[i - n] + window);
            }
            ASSERT_EQ(starts[i], expected) << "round " << round << " caller " << i;
        }
    }
}

TEST(sliding_window_limiter, thousand_callers_at_once_reach_the_limit_rate) {
    fixture f;
    sliding_window_limiter lim({5, 10s}, f.clk); // default 1 % margin
    std::vector<clock::time_point> starts;
    const auto begin = f.clk->now();
    for (int i = 0; i < 1000; ++i) {
        asio::co_spawn(
            f.ioc,
            [&]() -> asio::awaitable<void> {
                EXPECT_FALSE(co_await lim.acquire());
                starts.push_back(f.clk->now());
            },
            asio::detached);
    }
    ASSERT_TRUE(exsdk::test::run_virtual(f.ioc, *f.clk, [&] { return starts.size() == 1000; }));
    expect_strict(starts, 5, 10s);
    const double seconds = std::chrono::duration<double>(starts.back() - begin).count();
    // 1000 starts: the first 5 at t=0, the last 5 after 199 windows.
    const double achieved = 995.0 / seconds;
    EXPECT_GE(achieved, 0.5 * 0.98);
    EXPECT_LE(achieved, 0.5);
}

// A call needing several limits takes them all at one instant, or waits.
TEST(sliding_window_limiter, multi_limit_calls_take_all_limits_together) {
    fixture f;
    sliding_window_limiter uid_a({2, 1s}, f.clk, 0ms), uid_b({2, 1s}, f.clk, 0ms);
    sliding_window_limiter ip_group({3, 1s}, f.clk, 0ms);
    std::map<sliding_window_limiter*, std::vector<clock::time_point>> starts;
    int done = 0;
    for (int i = 0; i < 60; ++i) {
        sliding_window_limiter* uid = (i % 3 == 0) ? &uid_b : &uid_a;
        asio::co_spawn(
            f.ioc,
            [&, uid]() -> asio::awaitable<void> {
                std::array<sliding_window_limiter*, 3> set{uid, &ip_group,
                                                           uid}; // duplicate ignored
                EXPECT_FALSE(co_await sliding_window_limiter::acquire_all(set));
                starts[uid].push_back(f.clk->now());
                starts[&ip_group].push_back(f.clk->now());
                ++done;
            },
            asio::detached);
    }
    ASSERT_TRUE(exsdk::test::run_virtual(f.ioc, *f.clk, [&] { return done == 60; }));
    expect_strict(starts[&uid_a], 2, 1s);
    expect_strict(starts[&uid_b], 2, 1s);
    expect_strict(starts[&ip_group], 3, 1s);
    // The IP group is the bottleneck: 60 calls at 3/s.
    EXPECT_EQ(starts[&ip_group].back() - starts[&ip_group].front(), 19s);
}

TEST(sliding_window_limiter, cancelling_a_waiter_returns_at_once_and_releases_its_slot) {
    fixture f;
    sliding_window_limiter lim({1, 10s}, f.clk, 0ms);
    std::vector<std::pair<int, boost::system::error_code>> results;
    std::vector<asio::cancellation_signal> signals(4);
    for (int i = 0; i < 4; ++i) {
        asio::co_spawn(
            f.ioc,
            [&, i]() -> asio::awaitable<void> {
                auto ec = co_await lim.acquire();
                results.emplace_back(i, ec);
            },
            asio::bind_cancellation_slot(signals[i].slot(), asio::detached));
    }
    exsdk::test::drain(f.ioc); // #0 started; #1 at 10 s, #2 at 20 s, #3 at 30 s
    ASSERT_EQ(results.size(), 1u);
    EXPECT_EQ(lim.waiting(), 3u);

    const auto before = f.clk->now();
    signals[3].emit(asio::cancellation_type::terminal); // the newest: its slot is reusable
    exsdk::test::drain(f.ioc);
    ASSERT_EQ(results.size(), 2u);
    EXPECT_EQ(results[1].first, 3);
    EXPECT_EQ(results[1].second, exsdk::errc::cancelled);
    EXPECT_EQ(f.clk->now(), before); // returned without waiting
    EXPECT_EQ(lim.waiting(), 2u);

    signals[1].emit(asio::cancellation_type::terminal); // a middle one
    exsdk::test::drain(f.ioc);
    EXPECT_EQ(results.back().second, exsdk::errc::cancelled);
    EXPECT_EQ(lim.waiting(), 1u);

    // A new caller reuses #3's slot (30 s), not a later one; #2 keeps its time (20 s).
    std::vector<clock::time_point> started;
    asio::co_spawn(
        f.ioc,
        [&]() -> asio::awaitable<void> {
            EXPECT_FALSE(co_await lim.acquire());
            started.push_back(f.clk->now());
        },
        asio::detached);
    ASSERT_TRUE(exsdk::test::run_virtual(f.ioc, *f.clk, [&] { return started.size() == 1; }));
    EXPECT_EQ(started[0] - before, 30s);
    ASSERT_EQ(results.size(), 4u);
    EXPECT_EQ(results[2].first, 1);
    EXPECT_EQ(results[3].first, 2);
    EXPECT_FALSE(results[3].second);
}

// An unblock time from the exchange holds back the callers already waiting, not only new ones.
TEST(sliding_window_limiter, a_hold_moves_waiters_that_reserved_before_it) {
    fixture f;
    sliding_window_limiter lim({2, 1s}, f.clk, 0ms);
    std::vector<clock::time_point> starts;
    for (int i = 0; i < 6; ++i) {
        asio::co_spawn(
            f.ioc,
            [&]() -> asio::awaitable<void> {
                EXPECT_FALSE(co_await lim.acquire());
                starts.push_back(f.clk->now());
            },
            asio::detached);
    }
    exsdk::test::drain(f.ioc); // 2 started at 0; the rest reserved 1 s and 2 s
    const auto begin = f.clk->now();
    lim.hold_until(begin + 5s);
    ASSERT_TRUE(exsdk::test::run_virtual(f.ioc, *f.clk, [&] { return starts.size() == 6; }));
    for (std::size_t i = 2; i < starts.size(); ++i) {
        EXPECT_GE(starts[i] - begin, 5s) << i;
    }
    expect_strict(starts, 2, 1s);
}

TEST(sliding_window_limiter, property_random_cancellation_keeps_the_limit) {
    std::mt19937 rng(777);
    fixture f;
    sliding_window_limiter a({3, 2s}, f.clk, 0ms), b({4, 3s}, f.clk, 0ms);
    std::vector<clock::time_point> starts_a, starts_b;
    std::vector<std::unique_ptr<asio::cancellation_signal>> signals;
    int finished = 0, cancelled = 0;
    const int callers = 1000;
    for (int i = 0; i < callers; ++i) {
        const int which = static_cast<int>(rng() % 3); // a, b, or both
        signals.push_back(std::make_unique<asio::cancellation_signal>());
        asio::co_spawn(
            f.ioc,
            [&, which]() -> asio::awaitable<void> {
                std::array<sliding_window_limiter*, 2> set{which != 1 ? &a : nullptr,
                                                           which != 0 ? &b : nullptr};
                auto ec = co_await sliding_window_limiter::acquire_all(set);
                ++finished;
                if (ec) {
                    EXPECT_EQ(ec, exsdk::errc::cancelled);
                    ++cancelled;
                    co_return;
                }
                if (which != 1) {
                    starts_a.push_back(f.clk->now());
                }
                if (which != 0) {
                    starts_b.push_back(f.clk->now());
                }
            },
            asio::bind_cancellation_slot(signals.back()->slot(), asio::detached));
    }
    exsdk::test::drain(f.ioc);
    // Cancel a random third while time passes.
    while (finished < callers) {
        if (rng() % 2 == 0) {
            signals[rng() % callers]->emit(asio::cancellation_type::terminal);
        }
        exsdk::test::drain(f.ioc);
        if (!f.clk->advance_to_next()) {
            break;
        }
    }
    exsdk::test::drain(f.ioc);
    EXPECT_EQ(finished, callers);
    EXPECT_GT(cancelled, 0);
    expect_strict(starts_a, 3, 2s);
    expect_strict(starts_b, 4, 3s);
    EXPECT_EQ(f.clk->pending(), 0u); // no timer left behind
}

} // namespace

// exsdk::redis_limit_store against a real redis-server, started by each test on a free
// 127.0.0.1 port (tests/support/redis_server.hpp). No mock of Redis.
//
// Window semantics run in virtual time: the store takes its time from the test's manual clock
// (redis_time_source::local) and the driver below lets the real Redis I/O finish before it moves
// the clock, so waits of minutes take milliseconds and nothing depends on the machine's speed.
// The property test plays the same random scenario (arrivals, several limits per call,
// cancellations mid-wait, holds) through Redis and through the in-process limiters and requires
// the same start for every call. Connection behaviour (AUTH, DB, TLS, restarts, both failure
// policies) and the threaded test run on the real clock and assert outcomes, never durations.
#include "mock_env.hpp"
#include "support/redis_server.hpp"
#include "support/virtual_time.hpp"
#include "tls_identity.hpp"

#include <exsdk/bingx/client.hpp>
#include <exsdk/manual_clock.hpp>
#include <exsdk/redis_limit_store.hpp>
#include <exsdk/sliding_window_limiter.hpp>
#include <exsdk/timer.hpp>
#include <exsdk/woox/client.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <optional>
#include <random>
#include <thread>
#include <vector>

namespace asio = boost::asio;
using namespace std::chrono_literals;
using exsdk::clock;
using exsdk::errc;
using exsdk::named_limit;
using exsdk::rate_limit;
using exsdk::redis_config;
using exsdk::redis_limit_store;
using exsdk::test::redis_server;

namespace {

constexpr std::int64_t t0_ms = 1'700'000'000'000;

// Alternates running what is ready, waiting for the stores' Redis I/O (a reply, a connect) and
// jumping the manual clock to the next deadline, until `done()` or `limit` of virtual time.
bool run_with_redis(asio::io_context& ioc, exsdk::manual_clock& clk,
                    std::vector<const redis_limit_store*> stores, const std::function<bool()>& done,
                    clock::duration limit = 24h) {
    const auto end = clk.now() + limit;
    for (;;) {
        exsdk::test::drain(ioc);
        if (done()) {
            return true;
        }
        if (std::any_of(stores.begin(), stores.end(), [](auto* s) { return s->busy(); })) {
            if (ioc.stopped()) {
                ioc.restart();
            }
            ioc.run_one_for(1s); // real I/O: wait for it, never move the clock under it
            continue;
        }
        const auto next = clk.next_deadline();
        if (!next || *next > end) {
            return done();
        }
        clk.advance_to_next();
    }
}

// A store on the test's manual clock (virtual time), no health checks.
redis_config virtual_config(const redis_server& srv, std::string prefix) {
    redis_config cfg;
    cfg.url = srv.url();
    cfg.time_source = exsdk::redis_time_source::local;
    cfg.health_check_interval = 0s;
    cfg.key_prefix = std::move(prefix);
    return cfg;
}

struct virtual_env {
    std::shared_ptr<exsdk::manual_clock> clk = std::make_shared<exsdk::manual_clock>(t0_ms);
    asio::io_context ioc; // destroyed first: pending waits still reach the clock
};

// Ends a test whose store still has coroutines parked on the manual clock (a call waiting for its
// start, a reconnect backoff): closes the store and runs what that wakes, while the test's
// locals those coroutines write to are alive. A frame left parked would hold the clock that
// holds it: a cycle LeakSanitizer reports (the io_context destroys only the handlers it owns).
void close_and_drain(redis_limit_store& store, virtual_env& env) {
    store.close();
    env.ioc.restart();
    exsdk::test::drain(env.ioc);
}

// Starts `lim.acquire()` now; `out` gets the grant time or the error.
struct grant {
    std::optional<clock::time_point> at;
    boost::system::error_code ec;
    bool done = false;
};

asio::awaitable<void> acquire_into(exsdk::call_limiter& lim, const exsdk::clock& clk, grant& out) {
    out.ec = co_await lim.acquire();
    if (!out.ec) {
        out.at = clk.now();
    }
    out.done = true;
}

void spawn_acquire(asio::io_context& ioc, exsdk::call_limiter& lim, const exsdk::clock& clk,
                   grant& out, asio::cancellation_signal* cancel = nullptr) {
    if (cancel != nullptr) {
        asio::co_spawn(ioc, acquire_into(lim, clk, out),
                       asio::bind_cancellation_slot(cancel->slot(), asio::detached));
    } else {
        asio::co_spawn(ioc, acquire_into(lim, clk, out), asio::detached);
    }
}

// ---------------------------------------------------------------------------------------------
// Window semantics (virtual time)
// ---------------------------------------------------------------------------------------------

// One random scenario: limits, calls (arrival, limits taken, cancellation), holds.
struct scenario {
    std::vector<rate_limit> limits;
    struct call {
        clock::duration at;
        std::vector<std::size_t> limits; // indices; the first is the one holds apply to
        std::optional<clock::duration> cancel_after;
    };
    std::vector<call> calls;
    struct hold {
        clock::duration at;
        std::size_t call; // whose limiter: holds its first limit
        clock::duration wait;
    };
    std::vector<hold> holds;
};

scenario random_scenario(std::mt19937& rng) {
    scenario s;
    const std::size_t pool = 1 + rng() % 3;
    for (std::size_t i = 0; i < pool; ++i) {
        s.limits.push_back({1 + rng() % 5, std::chrono::milliseconds(100 * (1 + rng() % 20))});
    }
    std::exponential_distribution<double> gap(4.0); // per second
    clock::duration at{};
    const int calls = 40 + static_cast<int>(rng() % 40);
    for (int i = 0; i < calls; ++i) {
        // Bursts (a quarter arrive with the previous one) and gaps, at µs resolution.
        if (rng() % 4 != 0) {
            at += std::chrono::microseconds(static_cast<std::int64_t>(gap(rng) * 1e6) + 1);
        }
        scenario::call c{at, {}, std::nullopt};
        std::vector<std::size_t> idx(pool);
        for (std::size_t k = 0; k < pool; ++k) {
            idx[k] = k;
        }
        std::shuffle(idx.begin(), idx.end(), rng);
        idx.resize(1 + rng() % pool);
        c.limits = idx;
        if (rng() % 6 == 0) {
            c.cancel_after = std::chrono::microseconds(1 + rng() % 3'000'000);
        }
        s.calls.push_back(std::move(c));
    }
    const int holds = static_cast<int>(rng() % 3);
    for (int h = 0; h < holds; ++h) {
        s.holds.push_back({std::chrono::microseconds(rng() % 8'000'000),
                           static_cast<std::size_t>(rng()) % s.calls.size(),
                           std::chrono::milliseconds(100 + rng() % 3000)});
    }
    return s;
}

struct outcome {
    std::vector<std::optional<clock::duration>> starts; // from t0; nullopt: cancelled
    bool operator==(const outcome&) const = default;
};

// Plays `s`: `acquire(i)` / `hold(i, wait)` run call i's limits through the store under test.
template <class Acquire, class Hold>
outcome play(const scenario& s, asio::io_context& ioc,
             const std::shared_ptr<exsdk::manual_clock>& clock_ptr,
             std::vector<const redis_limit_store*> stores, Acquire acquire, Hold hold) {
    auto& clk = *clock_ptr;
    const auto t0 = clk.now();
    outcome out;
    out.starts.resize(s.calls.size());
    std::vector<bool> done(s.calls.size(), false);
    std::deque<asio::cancellation_signal> signals(s.calls.size());
    // Arrivals, cancellations and holds as timers on the manual clock, in scenario order. Those
    // still waiting when the calls are done (a cancellation after its call ended) are cancelled
    // at the end: left parked on the clock, their frames would hold the clock that holds them.
    std::deque<asio::cancellation_signal> timers;
    auto at = [&](clock::duration d, auto fn) {
        asio::co_spawn(
            ioc,
            [clock_ptr, d, fn, t0]() -> asio::awaitable<void> {
                exsdk::timer t(co_await asio::this_coro::executor, clock_ptr);
                t.expires_at(t0 + d);
                auto [ec] = co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
                if (!ec) {
                    fn();
                }
            },
            asio::bind_cancellation_slot(timers.emplace_back().slot(), asio::detached));
    };
    for (std::size_t i = 0; i < s.calls.size(); ++i) {
        const auto& c = s.calls[i];
        at(c.at, [&, i] {
            asio::co_spawn(
                ioc,
                [&, i]() -> asio::awaitable<void> {
                    auto ec = co_await acquire(i);
                    if (!ec) {
                        out.starts[i] = clk.now() - t0;
                    }
                    done[i] = true;
                },
                asio::bind_cancellation_slot(signals[i].slot(), asio::detached));
        });
        if (c.cancel_after) {
            at(c.at + *c.cancel_after, [&, i] {
                if (!done[i]) {
                    signals[i].emit(asio::cancellation_type::terminal);
                }
            });
        }
    }
    for (const auto& h : s.holds) {
        at(h.at, [&, h] {
            asio::co_spawn(
                ioc, [&, h]() -> asio::awaitable<void> { co_await hold(h.call, h.wait); },
                asio::detached);
        });
    }
    EXPECT_TRUE(run_with_redis(ioc, clk, stores, [&] {
        return std::all_of(done.begin(), done.end(), [](bool d) { return d; });
    }));
    for (auto& t : timers) {
        t.emit(asio::cancellation_type::terminal);
    }
    exsdk::test::drain(ioc);
    return out;
}

class redis_limits : public ::testing::Test {
protected:
    redis_server srv;
};

TEST_F(redis_limits, property_same_starts_as_the_in_process_limiter) {
    std::mt19937 rng(20261127);
    std::size_t waited = 0, cancelled = 0, multi = 0, holds = 0;
    for (int round = 0; round < 12; ++round) {
        const scenario s = random_scenario(rng);
        holds += s.holds.size();
        // The reference: today's in-process limiters, taken together with acquire_all().
        outcome local;
        {
            virtual_env env;
            std::vector<std::unique_ptr<exsdk::sliding_window_limiter>> lims;
            for (const auto& l : s.limits) {
                lims.push_back(std::make_unique<exsdk::sliding_window_limiter>(l, env.clk));
            }
            auto set_of = [&](std::size_t i) {
                std::vector<exsdk::sliding_window_limiter*> v;
                for (auto k : s.calls[i].limits) {
                    v.push_back(lims[k].get());
                }
                return v;
            };
            local = play(
                s, env.ioc, env.clk, {},
                [&](std::size_t i) -> asio::awaitable<boost::system::error_code> {
                    auto v = set_of(i);
                    co_return co_await exsdk::sliding_window_limiter::acquire_all(v);
                },
                [&](std::size_t i, clock::duration wait) -> asio::awaitable<void> {
                    lims[s.calls[i].limits.front()]->hold_until(env.clk->now() + wait);
                    co_return;
                });
        }
        // The same through Redis: one limiter per call (as a client makes one per endpoint).
        outcome shared;
        {
            virtual_env env;
            redis_limit_store store(
                env.ioc.get_executor(),
                virtual_config(srv, "prop" + std::string(1, static_cast<char>('a' + round))),
                env.clk);
            std::vector<std::shared_ptr<exsdk::call_limiter>> per_call;
            for (const auto& c : s.calls) {
                std::vector<named_limit> named;
                for (auto k : c.limits) {
                    named.push_back({std::string("l").append(std::to_string(k)), s.limits[k]});
                }
                per_call.push_back(store.make_limiter("test", named));
            }
            shared = play(
                s, env.ioc, env.clk, {&store},
                [&](std::size_t i) { return per_call[i]->acquire(); },
                [&](std::size_t i, clock::duration wait) { return per_call[i]->hold_for(wait); });
            EXPECT_EQ(store.stats().unavailable, 0u);
        }
        ASSERT_EQ(shared.starts.size(), local.starts.size());
        for (std::size_t i = 0; i < s.calls.size(); ++i) {
            waited += local.starts[i] && *local.starts[i] > s.calls[i].at ? 1 : 0;
            cancelled += local.starts[i] ? 0 : 1;
            multi += s.calls[i].limits.size() > 1 ? 1 : 0;
            ASSERT_EQ(shared.starts[i].has_value(), local.starts[i].has_value())
                << "round " << round << " call " << i;
            if (local.starts[i]) {
                ASSERT_EQ(*shared.starts[i], *local.starts[i])
                    << "round " << round << " call " << i;
            }
        }
        // And directly: every limit strict (never N + 1 starts within its effective window).
        for (std::size_t k = 0; k < s.limits.size(); ++k) {
            std::vector<clock::duration> starts;
            for (std::size_t i = 0; i < s.calls.size(); ++i) {
                const auto& l = s.calls[i].limits;
                if (shared.starts[i] && std::find(l.begin(), l.end(), k) != l.end()) {
                    starts.push_back(*shared.starts[i]);
                }
            }
            std::sort(starts.begin(), starts.end());
            const auto n = s.limits[k].requests;
            const auto w = s.limits[k].window + s.limits[k].window / 100;
            for (std::size_t i = 0; i + n < starts.size(); ++i) {
                ASSERT_GE(starts[i + n] - starts[i], w) << "round " << round << " limit " << k;
            }
        }
    }
    // The scenarios exercised what they claim to.
    EXPECT_GT(waited, 100u);
    EXPECT_GT(cancelled, 10u);
    EXPECT_GT(multi, 100u);
    EXPECT_GT(holds, 5u);
}

TEST_F(redis_limits, every_limit_of_a_call_in_one_round_trip) {
    virtual_env env;
    redis_limit_store store(env.ioc.get_executor(), virtual_config(srv, "rt"), env.clk);
    const std::array<named_limit, 3> named{named_limit{"uid", {100, 1s}},
                                           named_limit{"group", {1000, 10s}},
                                           named_limit{"endpoint", {300, 10s}}};
    auto lim = store.make_limiter("bingx", named);
    ASSERT_TRUE(env.ioc.get_executor() != asio::any_io_executor());
    // Connect first (a PING), then count the commands 50 acquires make.
    std::optional<exsdk::result<void>> pinged;
    asio::co_spawn(
        env.ioc, [&]() -> asio::awaitable<void> { pinged = co_await store.ping(); },
        asio::detached);
    ASSERT_TRUE(run_with_redis(env.ioc, *env.clk, {&store}, [&] { return pinged.has_value(); }));
    ASSERT_TRUE(*pinged) << pinged->error();
    srv.command({"CONFIG", "RESETSTAT"});
    std::vector<grant> grants(50);
    for (auto& g : grants) {
        spawn_acquire(env.ioc, *lim, *env.clk, g);
    }
    ASSERT_TRUE(run_with_redis(env.ioc, *env.clk, {&store}, [&] {
        return std::all_of(grants.begin(), grants.end(), [](auto& g) { return g.done; });
    }));
    for (const auto& g : grants) {
        EXPECT_FALSE(g.ec);
    }
    const auto info = srv.command({"INFO", "commandstats"}).text;
    EXPECT_NE(info.find("cmdstat_evalsha:calls=50,"), std::string::npos) << info;
    EXPECT_EQ(info.find("cmdstat_eval:"), std::string::npos) << info;
    // One sorted set per limit, under the call's hash tag.
    EXPECT_EQ(srv.command({"ZCARD", "rt:{bingx}:uid"}).integer, 50);
    EXPECT_EQ(srv.command({"ZCARD", "rt:{bingx}:group"}).integer, 50);
    EXPECT_EQ(srv.command({"ZCARD", "rt:{bingx}:endpoint"}).integer, 50);
    EXPECT_EQ(store.key("bingx", "uid"), "rt:{bingx}:uid");
}

TEST_F(redis_limits, fifo_across_two_processes_with_the_full_window) {
    // Two stores = two engines: 2 per second between them, in arrival order.
    virtual_env env;
    redis_limit_store a(env.ioc.get_executor(), virtual_config(srv, "fifo"), env.clk);
    redis_limit_store b(env.ioc.get_executor(), virtual_config(srv, "fifo"), env.clk);
    const named_limit uid{"uid:7:userDataStream", {2, 1s}};
    auto la = a.make_limiter("bingx", {&uid, 1});
    auto lb = b.make_limiter("bingx", {&uid, 1});
    std::vector<grant> grants(8);
    for (std::size_t i = 0; i < grants.size(); ++i) {
        spawn_acquire(env.ioc, i % 2 == 0 ? *la : *lb, *env.clk, grants[i]);
        // One at a time, so that arrival order is defined.
        ASSERT_TRUE(run_with_redis(
            env.ioc, *env.clk, {&a, &b}, [&] { return !a.busy() && !b.busy(); }, 0s));
    }
    ASSERT_TRUE(run_with_redis(env.ioc, *env.clk, {&a, &b}, [&] {
        return std::all_of(grants.begin(), grants.end(), [](auto& g) { return g.done; });
    }));
    const auto t0 = exsdk::clock::time_point(std::chrono::milliseconds(t0_ms));
    for (std::size_t i = 0; i < grants.size(); ++i) {
        ASSERT_TRUE(grants[i].at) << i;
        EXPECT_EQ(*grants[i].at - t0, 1010ms * static_cast<int>(i / 2)) << i;
    }
}

TEST_F(redis_limits, cancelling_a_waiter_removes_its_reservation) {
    virtual_env env;
    redis_limit_store store(env.ioc.get_executor(), virtual_config(srv, "cancel"), env.clk);
    const named_limit l{"listen_key", {1, 1s}};
    auto lim = store.make_limiter("woox:acct", {&l, 1});
    grant first, second, third;
    asio::cancellation_signal cancel;
    spawn_acquire(env.ioc, *lim, *env.clk, first);
    ASSERT_TRUE(run_with_redis(env.ioc, *env.clk, {&store}, [&] { return first.done; }));
    spawn_acquire(env.ioc, *lim, *env.clk, second, &cancel);
    ASSERT_TRUE(run_with_redis(
        env.ioc, *env.clk, {&store}, [&] { return !store.busy(); }, 0s));
    EXPECT_EQ(srv.command({"ZCARD", "cancel:{woox:acct}:listen_key"}).integer, 2);
    exsdk::test::advance(env.ioc, *env.clk, 500ms);
    EXPECT_FALSE(second.done);
    cancel.emit(asio::cancellation_type::terminal);
    exsdk::test::drain(env.ioc);
    EXPECT_TRUE(second.done); // at once: the release is not waited for
    EXPECT_EQ(second.ec, errc::cancelled);
    ASSERT_TRUE(run_with_redis(
        env.ioc, *env.clk, {&store}, [&] { return !store.busy(); }, 0s));
    EXPECT_EQ(srv.command({"ZCARD", "cancel:{woox:acct}:listen_key"}).integer, 1);
    // The next caller gets the start the cancelled one had, not an earlier one.
    spawn_acquire(env.ioc, *lim, *env.clk, third);
    ASSERT_TRUE(run_with_redis(env.ioc, *env.clk, {&store}, [&] { return third.done; }));
    EXPECT_EQ(*third.at - *first.at, 1010ms);
}

TEST_F(redis_limits, a_late_waiter_queues_again_instead_of_going_inside_the_next_window) {
    // 1 per second: A now, B at 1.01 s, C at 2.02 s. B's process is descheduled past C's turn
    // (the clock jumps to 2.02 s before B runs): going then would put B and C in one window, so
    // B's confirmation finds it late and queues it again, behind C.
    virtual_env env;
    redis_limit_store store(env.ioc.get_executor(), virtual_config(srv, "late"), env.clk);
    const named_limit l{"listen_key", {1, 1s}};
    auto lim = store.make_limiter("woox:acct", {&l, 1});
    const auto t0 = env.clk->now();
    grant a, b, c;
    for (auto* g : {&a, &b, &c}) {
        spawn_acquire(env.ioc, *lim, *env.clk, *g);
        ASSERT_TRUE(run_with_redis(
            env.ioc, *env.clk, {&store}, [&] { return !store.busy(); }, 0s));
    }
    ASSERT_TRUE(a.done);
    env.clk->advance(2020ms); // B and C wake together
    ASSERT_TRUE(run_with_redis(env.ioc, *env.clk, {&store}, [&] { return b.done && c.done; }));
    ASSERT_TRUE(b.at && c.at);
    EXPECT_EQ(*c.at - t0, 2020ms);
    EXPECT_EQ(*b.at - t0, 3030ms);
}

TEST_F(redis_limits, a_hold_from_one_engine_holds_every_engine) {
    virtual_env env;
    redis_limit_store a(env.ioc.get_executor(), virtual_config(srv, "hold"), env.clk);
    redis_limit_store b(env.ioc.get_executor(), virtual_config(srv, "hold"), env.clk);
    const std::array<named_limit, 2> named{named_limit{"uid:1:userDataStream", {2, 1s}},
                                           named_limit{"ip:h:group", {2000, 10s}}};
    auto la = a.make_limiter("bingx", named);
    auto lb = b.make_limiter("bingx", named);
    // b's caller reserved a start 1.01 s ahead before a learns of a 5 s block.
    grant g1, g2, g3, waiting, after;
    spawn_acquire(env.ioc, *lb, *env.clk, g1);
    spawn_acquire(env.ioc, *lb, *env.clk, g2);
    spawn_acquire(env.ioc, *lb, *env.clk, waiting);
    ASSERT_TRUE(run_with_redis(
        env.ioc, *env.clk, {&a, &b}, [&] { return g1.done && g2.done && !b.busy(); }, 0s));
    const auto t0 = env.clk->now();
    bool held = false;
    asio::co_spawn(
        env.ioc,
        [&]() -> asio::awaitable<void> {
            co_await la->hold_for(5s);
            held = true;
        },
        asio::detached);
    ASSERT_TRUE(run_with_redis(
        env.ioc, *env.clk, {&a, &b}, [&] { return held; }, 0s));
    const auto hold = srv.command({"GET", "hold:{bingx}:uid:1:userDataStream:hold"});
    EXPECT_EQ(hold.type, exsdk::test::redis_value::kind::string);
    spawn_acquire(env.ioc, *la, *env.clk, after);
    ASSERT_TRUE(
        run_with_redis(env.ioc, *env.clk, {&a, &b}, [&] { return waiting.done && after.done; }));
    // The waiter confirmed at its start, found the hold and moved behind it; the newcomer
    // queued behind the waiter's new place (FIFO).
    EXPECT_EQ(*waiting.at - t0, 5s);
    EXPECT_EQ(*after.at - t0, 5s);
    spawn_acquire(env.ioc, *la, *env.clk, g3);
    ASSERT_TRUE(run_with_redis(env.ioc, *env.clk, {&a, &b}, [&] { return g3.done; }));
    EXPECT_EQ(*g3.at - t0, 5s + 1010ms);
}

TEST_F(redis_limits, keys_expire_on_their_own) {
    virtual_env env;
    auto cfg = virtual_config(srv, "exp");
    cfg.key_expiry_slack = 2s;
    redis_limit_store store(env.ioc.get_executor(), cfg, env.clk);
    const named_limit l{"listen_key", {5, 10s}};
    auto lim = store.make_limiter("woox:acct", {&l, 1});
    std::vector<grant> grants(7); // 5 now, 2 in 10.1 s
    for (auto& g : grants) {
        spawn_acquire(env.ioc, *lim, *env.clk, g);
    }
    ASSERT_TRUE(run_with_redis(
        env.ioc, *env.clk, {&store}, [&] { return !store.busy(); }, 0s));
    // The newest reservation starts 10.1 s from now and counts for 10.1 s more: the key lives
    // that long plus the slack, no longer.
    const auto ttl = srv.command({"PTTL", "exp:{woox:acct}:listen_key"}).integer;
    EXPECT_GT(ttl, 20'200 + 2'000 - 1'000);
    EXPECT_LE(ttl, 20'200 + 2'000);
    bool held = false;
    asio::co_spawn(
        env.ioc,
        [&]() -> asio::awaitable<void> {
            co_await lim->hold_for(3s);
            held = true;
        },
        asio::detached);
    ASSERT_TRUE(run_with_redis(
        env.ioc, *env.clk, {&store}, [&] { return held; }, 0s));
    const auto hold_ttl = srv.command({"PTTL", "exp:{woox:acct}:listen_key:hold"}).integer;
    EXPECT_GT(hold_ttl, 3'000 + 2'000 - 1'000);
    EXPECT_LE(hold_ttl, 3'000 + 2'000);
    // Every key the store wrote has a TTL.
    const auto keys = srv.command({"KEYS", "exp:*"});
    ASSERT_EQ(keys.elements.size(), 2u);
    for (const auto& k : keys.elements) {
        EXPECT_GT(srv.command({"PTTL", k.text}).integer, 0) << k.text;
    }
    close_and_drain(store, env); // the two calls still waiting end with limiter_unavailable
}

// ---------------------------------------------------------------------------------------------
// The clients through the store (virtual time, embedded mock)
// ---------------------------------------------------------------------------------------------

TEST_F(redis_limits, two_engines_share_the_bingx_uid_limit) {
    // Two engines (a store and a client each) on one UID, 10 generate calls each at once: the
    // mock at the documented 2/s per UID never answers 100410.
    exsdk::test::mock_env env;
    std::vector<std::unique_ptr<redis_limit_store>> stores;
    std::vector<std::unique_ptr<exsdk::bingx::client>> clients;
    for (int i = 0; i < 2; ++i) {
        auto cfg = virtual_config(srv, "engines");
        stores.push_back(std::make_unique<redis_limit_store>(env.ioc.get_executor(), cfg, env.clk));
        auto bc = env.bingx_config();
        bc.limits.store = std::shared_ptr<redis_limit_store>(stores.back().get(), [](auto*) {});
        bc.limits.ip_name = "engine-host";
        clients.push_back(std::make_unique<exsdk::bingx::client>(env.ioc.get_executor(), bc));
    }
    int ok = 0, failed = 0;
    for (int i = 0; i < 20; ++i) {
        asio::co_spawn(
            env.ioc,
            [&, i]() -> asio::awaitable<void> {
                auto k = co_await clients[i % 2]->generate_listen_key();
                (k ? ok : failed) += 1;
            },
            asio::detached);
    }
    ASSERT_TRUE(run_with_redis(env.ioc, *env.clk, {stores[0].get(), stores[1].get()},
                               [&] { return ok + failed == 20; }));
    EXPECT_EQ(ok, 20);
    EXPECT_EQ(env.answered(100410), 0u);
    // At most 2 POSTs in any second of the mock's clock.
    std::vector<std::int64_t> posts;
    for (const auto& e : env.mock().journal()) {
        if (e.method == "POST") {
            posts.push_back(e.time_ms);
        }
    }
    ASSERT_EQ(posts.size(), 20u);
    std::sort(posts.begin(), posts.end());
    for (std::size_t i = 2; i < posts.size(); ++i) {
        EXPECT_GE(posts[i] - posts[i - 2], 1000) << i;
    }
    const auto account = srv.command({"KEYS", "engines:{bingx}:uid:*"});
    ASSERT_EQ(account.elements.size(), 1u);
    EXPECT_EQ(account.elements[0].text.rfind("engines:{bingx}:uid:key-", 0), 0u);
    EXPECT_EQ(srv.command({"EXISTS", "engines:{bingx}:ip:engine-host:group"}).integer, 1);
    clients.clear();
}

TEST_F(redis_limits, bingx_unblock_time_heard_by_one_engine_holds_the_other) {
    // A BingX 100410 with an unblock time heard by one engine holds the other one too.
    exsdk::test::mock_env env;
    auto cfg = virtual_config(srv, "unblock");
    auto store_a = std::make_shared<redis_limit_store>(env.ioc.get_executor(), cfg, env.clk);
    auto store_b = std::make_shared<redis_limit_store>(env.ioc.get_executor(), cfg, env.clk);
    auto ca = env.bingx_config();
    ca.limits.store = store_a;
    ca.retry = exsdk::retry_policy::none();
    auto cb = env.bingx_config();
    cb.limits.store = store_b;
    exsdk::bingx::client a(env.ioc.get_executor(), ca);
    exsdk::bingx::client b(env.ioc.get_executor(), cb);
    const auto unblock = t0_ms + 60'000;
    exsdk::mock::fault f;
    f.exchange = "bingx";
    f.method = "POST";
    f.act = exsdk::mock::fault::action::respond;
    f.status = 200;
    f.count = 1;
    f.body = R"({"code":100410,"msg":"rate limited, unblocked after )" + std::to_string(unblock) +
             R"(","timestamp":1})";
    env.mock().add_fault(f);
    std::optional<exsdk::result<exsdk::bingx::listen_key>> r;
    asio::co_spawn(
        env.ioc, [&]() -> asio::awaitable<void> { r = co_await a.generate_listen_key(); },
        asio::detached);
    ASSERT_TRUE(run_with_redis(env.ioc, *env.clk, {store_a.get(), store_b.get()},
                               [&] { return r.has_value(); }));
    ASSERT_FALSE(*r);
    EXPECT_EQ(r->error().exchange_code, 100410) << r->error();
    std::optional<clock::time_point> started;
    asio::co_spawn(
        env.ioc,
        [&]() -> asio::awaitable<void> {
            auto k = co_await b.generate_listen_key();
            EXPECT_TRUE(k) << k.error();
            started = env.clk->now();
        },
        asio::detached);
    const auto before = env.clk->now();
    ASSERT_TRUE(run_with_redis(env.ioc, *env.clk, {store_a.get(), store_b.get()},
                               [&] { return started.has_value(); }));
    EXPECT_GE(*started - before, 59s);
}

// ---------------------------------------------------------------------------------------------
// The connection (real clock: outcomes only, never durations)
// ---------------------------------------------------------------------------------------------

// Runs `ioc` one event at a time (real I/O, real timers) until `done()`.
void run_until(asio::io_context& ioc, const std::function<bool()>& done) {
    while (!done()) {
        if (ioc.stopped()) {
            ioc.restart();
        }
        ioc.run_one_for(1s);
    }
}

redis_config real_config(std::string url, std::string prefix) {
    redis_config cfg;
    cfg.url = std::move(url);
    cfg.key_prefix = std::move(prefix);
    cfg.health_check_interval = 0s;
    return cfg;
}

exsdk::result<void> ping(asio::io_context& ioc, redis_limit_store& store) {
    std::optional<exsdk::result<void>> r;
    asio::co_spawn(
        ioc, [&]() -> asio::awaitable<void> { r = co_await store.ping(); }, asio::detached);
    run_until(ioc, [&] { return r.has_value(); });
    return *r;
}

grant acquire_now(asio::io_context& ioc, exsdk::call_limiter& lim) {
    grant g;
    spawn_acquire(ioc, lim, *exsdk::system_clock(), g);
    run_until(ioc, [&] { return g.done; });
    return g;
}

std::shared_ptr<exsdk::call_limiter> one_limit(redis_limit_store& store, rate_limit l = {100, 1s}) {
    const named_limit n{"listen_key", l};
    return store.make_limiter("woox:acct", {&n, 1});
}

redis_server::options with_password(std::string pw) {
    redis_server::options o;
    o.password = std::move(pw);
    return o;
}
redis_server::options with_user(std::string user, std::string pw) {
    redis_server::options o;
    o.user = std::move(user);
    o.user_password = std::move(pw);
    return o;
}
redis_server::options with_tls(const exsdk::mock::detail::tls_identity& id) {
    redis_server::options o;
    o.tls_cert_pem = id.server_cert_pem;
    o.tls_key_pem = id.server_key_pem;
    return o;
}

TEST(redis_connection, auth_with_a_password) {
    redis_server srv(with_password("s3cret-pass"));
    asio::io_context ioc;
    redis_limit_store store(ioc.get_executor(), real_config(srv.url(":s3cret-pass"), "auth"));
    auto lim = one_limit(store);
    EXPECT_TRUE(ping(ioc, store));
    EXPECT_FALSE(acquire_now(ioc, *lim).ec);
    EXPECT_EQ(srv.command({"ZCARD", "auth:{woox:acct}:listen_key"}).integer, 1);
}

TEST(redis_connection, auth_with_user_and_password_from_the_config) {
    redis_server srv(with_user("engine", "pw-of-engine"));
    asio::io_context ioc;
    auto cfg = real_config(srv.url(), "acl");
    cfg.username = "engine";
    cfg.password = exsdk::secret("pw-of-engine");
    redis_limit_store store(ioc.get_executor(), cfg);
    auto lim = one_limit(store);
    EXPECT_FALSE(acquire_now(ioc, *lim).ec);
    EXPECT_EQ(store.stats().acquires, 1u);
}

TEST(redis_connection, wrong_password_fails_with_the_servers_reason_and_no_secret) {
    redis_server srv(with_user("engine", "right-password"));
    asio::io_context ioc;
    redis_limit_store store(ioc.get_executor(),
                            real_config(srv.url("engine:wrong-password"), "auth"));
    auto r = ping(ioc, store);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, errc::limiter_unavailable);
    EXPECT_NE(r.error().message.find("WRONGPASS"), std::string::npos) << r.error();
    EXPECT_EQ(r.error().message.find("wrong-password"), std::string::npos) << r.error();
    auto lim = one_limit(store);
    const auto g = acquire_now(ioc, *lim);
    EXPECT_EQ(g.ec, errc::limiter_unavailable);
    EXPECT_NE(lim->failure_reason().find("WRONGPASS"), std::string::npos);
    EXPECT_EQ(store.printable_url().find("wrong"), std::string::npos);
}

TEST(redis_connection, database_index_from_the_url) {
    redis_server srv;
    asio::io_context ioc;
    redis_limit_store store(ioc.get_executor(), real_config(srv.url({}, 3), "db"));
    auto lim = one_limit(store);
    EXPECT_FALSE(acquire_now(ioc, *lim).ec);
    EXPECT_EQ(srv.command({"EXISTS", "db:{woox:acct}:listen_key"}, 3).integer, 1);
    EXPECT_EQ(srv.command({"EXISTS", "db:{woox:acct}:listen_key"}, 0).integer, 0);
}

TEST(redis_connection, tls_with_the_servers_ca) {
    const auto id = exsdk::mock::detail::make_tls_identity("127.0.0.1");
    redis_server srv(with_tls(id));
    asio::io_context ioc;
    auto cfg = real_config(srv.tls_url(), "tls");
    cfg.tls.ca_pem = id.ca_cert_pem;
    redis_limit_store store(ioc.get_executor(), cfg);
    auto lim = one_limit(store);
    EXPECT_TRUE(ping(ioc, store));
    EXPECT_FALSE(acquire_now(ioc, *lim).ec);
    EXPECT_EQ(srv.command({"ZCARD", "tls:{woox:acct}:listen_key"}).integer, 1);
}

TEST(redis_connection, tls_without_the_ca_is_refused) {
    const auto id = exsdk::mock::detail::make_tls_identity("127.0.0.1");
    redis_server srv(with_tls(id));
    asio::io_context ioc;
    redis_limit_store store(ioc.get_executor(), real_config(srv.tls_url(), "tls"));
    auto r = ping(ioc, store);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, errc::limiter_unavailable);
    EXPECT_NE(r.error().message.find("TLS handshake"), std::string::npos) << r.error();
}

TEST(redis_connection, bad_configuration_throws_at_construction) {
    asio::io_context ioc;
    for (const char* url : {"http://127.0.0.1:6379", "redis://", "redis://h:0", "redis://h/x",
                            "redis://user@h", "redis://h/1?x=1"}) {
        EXPECT_THROW(redis_limit_store(ioc.get_executor(), real_config(url, "x")), exsdk::exception)
            << url;
    }
    auto cfg = real_config("redis://127.0.0.1:1", "x");
    cfg.on_failure = exsdk::redis_failure_policy::local_fallback; // without a share
    EXPECT_THROW(redis_limit_store(ioc.get_executor(), cfg), exsdk::exception);
}

TEST(redis_connection, reconnects_after_the_server_restarts) {
    redis_server srv;
    asio::io_context ioc;
    redis_limit_store store(ioc.get_executor(), real_config(srv.url(), "restart"));
    auto lim = one_limit(store);
    EXPECT_FALSE(acquire_now(ioc, *lim).ec);
    srv.kill();
    // Down: the policy is fail, so calls hear it at once (no wait for a reconnect).
    EXPECT_EQ(acquire_now(ioc, *lim).ec, errc::limiter_unavailable);
    EXPECT_FALSE(lim->failure_reason().empty());
    srv.start(); // empty: no persistence
    run_until(ioc, [&] { return store.stats().connected; });
    EXPECT_FALSE(acquire_now(ioc, *lim).ec);
    const auto st = store.stats();
    EXPECT_EQ(st.connects, 2u);
    EXPECT_GE(st.connection_failures, 1u);
    EXPECT_EQ(st.acquires, 2u);
    EXPECT_EQ(st.unavailable, 1u);
    // The scripts were loaded again on connect: EVALSHA, no NOSCRIPT.
    const auto info = srv.command({"INFO", "commandstats"}).text;
    EXPECT_NE(info.find("cmdstat_evalsha:calls=1,"), std::string::npos) << info;
    EXPECT_EQ(info.find("failed_calls=1"), std::string::npos) << info;
}

TEST(redis_connection, script_flush_falls_back_to_eval) {
    redis_server srv;
    asio::io_context ioc;
    redis_limit_store store(ioc.get_executor(), real_config(srv.url(), "flush"));
    auto lim = one_limit(store);
    EXPECT_FALSE(acquire_now(ioc, *lim).ec);
    srv.command({"SCRIPT", "FLUSH"});
    EXPECT_FALSE(acquire_now(ioc, *lim).ec);
    EXPECT_EQ(srv.command({"ZCARD", "flush:{woox:acct}:listen_key"}).integer, 2);
}

TEST(redis_connection, a_server_that_stops_answering_times_out) {
    redis_server srv;
    asio::io_context ioc;
    auto cfg = real_config(srv.url(), "stall");
    cfg.command_timeout = 50ms;
    redis_limit_store store(ioc.get_executor(), cfg);
    auto lim = one_limit(store);
    EXPECT_FALSE(acquire_now(ioc, *lim).ec);
    srv.command({"CLIENT", "PAUSE", "2000", "ALL"}); // the server stalls every client
    const auto g = acquire_now(ioc, *lim);
    EXPECT_EQ(g.ec, errc::limiter_unavailable);
    EXPECT_NE(lim->failure_reason().find("command_timeout"), std::string::npos)
        << lim->failure_reason();
    EXPECT_GE(store.stats().connection_failures, 1u);
}

TEST(redis_connection, fail_policy_through_a_client) {
    // A client's call: errc::limiter_unavailable, nothing sent to the exchange.
    redis_server srv;
    exsdk::mock::threaded_server mock({});
    asio::io_context ioc;
    auto store =
        std::make_shared<redis_limit_store>(ioc.get_executor(), real_config(srv.url(), "client"));
    exsdk::woox::config wc;
    wc.base_url = mock.base_url();
    wc.credentials = exsdk::test::woox_demo();
    wc.limits.store = store;
    exsdk::woox::client c(ioc.get_executor(), wc);
    std::optional<exsdk::result<exsdk::woox::listen_key>> r;
    asio::co_spawn(
        ioc, [&]() -> asio::awaitable<void> { r = co_await c.create_listen_key(); },
        asio::detached);
    run_until(ioc, [&] { return r.has_value(); });
    ASSERT_TRUE(*r) << r->error();
    srv.kill();
    r.reset();
    asio::co_spawn(
        ioc, [&]() -> asio::awaitable<void> { r = co_await c.create_listen_key(); },
        asio::detached);
    run_until(ioc, [&] { return r.has_value(); });
    ASSERT_FALSE(*r);
    EXPECT_EQ(r->error().code, errc::limiter_unavailable);
    EXPECT_NE(r->error().message.find("Redis"), std::string::npos) << r->error();
    std::size_t posts = 0;
    for (const auto& e : mock.get().journal()) {
        posts += e.method == "POST" ? 1 : 0;
    }
    EXPECT_EQ(posts, 1u);
}

TEST_F(redis_limits, local_fallback_takes_its_share_after_a_full_window_and_returns) {
    virtual_env env;
    auto cfg = virtual_config(srv, "fallback");
    cfg.on_failure = exsdk::redis_failure_policy::local_fallback;
    cfg.fallback_share = 0.5;
    redis_limit_store store(env.ioc.get_executor(), cfg, env.clk);
    const named_limit l{"listen_key", {4, 1s}};
    auto lim = store.make_limiter("woox:acct", {&l, 1});
    const auto t0 = env.clk->now();
    std::vector<grant> before(4), after(3);
    for (auto& g : before) {
        spawn_acquire(env.ioc, *lim, *env.clk, g);
    }
    ASSERT_TRUE(run_with_redis(env.ioc, *env.clk, {&store}, [&] {
        return std::all_of(before.begin(), before.end(), [](auto& g) { return g.done; });
    }));
    srv.kill();
    for (auto& g : after) {
        spawn_acquire(env.ioc, *lim, *env.clk, g);
    }
    ASSERT_TRUE(run_with_redis(env.ioc, *env.clk, {&store}, [&] {
        return std::all_of(after.begin(), after.end(), [](auto& g) { return g.done; });
    }));
    // 2 per window (the share) and only after the fleet's last window ended: never 4 + 2 in
    // one window across the switch.
    ASSERT_TRUE(after[0].at && after[1].at && after[2].at);
    EXPECT_EQ(*after[0].at - t0, 1010ms);
    EXPECT_EQ(*after[1].at - t0, 1010ms);
    EXPECT_EQ(*after[2].at - t0, 2020ms);
    auto st = store.stats();
    EXPECT_TRUE(st.local_fallback);
    EXPECT_EQ(st.fallback_switches, 1u);
    EXPECT_EQ(st.local_acquires, 3u);
    EXPECT_EQ(st.acquires, 4u);
    // Redis returns: the store reconnects, hands over the local starts that still count and
    // goes back to Redis.
    srv.start();
    ASSERT_TRUE(
        run_with_redis(env.ioc, *env.clk, {&store}, [&] { return store.stats().connected; }));
    ASSERT_TRUE(run_with_redis(
        env.ioc, *env.clk, {&store}, [&] { return !store.busy(); }, 0s));
    st = store.stats();
    EXPECT_FALSE(st.local_fallback);
    EXPECT_EQ(st.fallback_returns, 1u);
    const auto now = env.clk->now();
    const std::int64_t recorded = srv.command({"ZCARD", "fallback:{woox:acct}:listen_key"}).integer;
    std::int64_t counting = 0;
    for (const auto& g : after) {
        counting += *g.at > now - 1010ms ? 1 : 0;
    }
    EXPECT_EQ(recorded, counting);
    grant next;
    spawn_acquire(env.ioc, *lim, *env.clk, next);
    ASSERT_TRUE(run_with_redis(env.ioc, *env.clk, {&store}, [&] { return next.done; }));
    EXPECT_FALSE(next.ec);
    EXPECT_EQ(store.stats().acquires, 5u);
}

TEST_F(redis_limits, local_fallback_share_below_one_request_fails) {
    virtual_env env;
    auto cfg = virtual_config(srv, "tiny");
    cfg.on_failure = exsdk::redis_failure_policy::local_fallback;
    cfg.fallback_share = 0.25; // of 2 per second: nothing
    redis_limit_store store(env.ioc.get_executor(), cfg, env.clk);
    const named_limit l{"uid:1:userDataStream", {2, 1s}};
    auto lim = store.make_limiter("bingx", {&l, 1});
    srv.kill();
    grant g;
    spawn_acquire(env.ioc, *lim, *env.clk, g);
    ASSERT_TRUE(run_with_redis(env.ioc, *env.clk, {&store}, [&] { return g.done; }));
    EXPECT_EQ(g.ec, errc::limiter_unavailable);
    EXPECT_NE(lim->failure_reason().find("share"), std::string::npos) << lim->failure_reason();
    close_and_drain(store, env); // the reconnect backoff waits on the clock
}

// ---------------------------------------------------------------------------------------------
// Threads (the tsan preset runs this under ThreadSanitizer)
// ---------------------------------------------------------------------------------------------

TEST(redis_connection, one_store_for_many_clients_on_four_threads) {
    redis_server srv;
    asio::io_context ioc(4);
    auto cfg = real_config(srv.url(), "threads");
    auto store = std::make_shared<redis_limit_store>(ioc.get_executor(), cfg);
    // Four "clients" (limiters over the same limits), as four clients of one account make.
    const std::array<named_limit, 2> named{named_limit{"uid:1:userDataStream", {200, 100ms}},
                                           named_limit{"ip:h:group", {2000, 1s}}};
    std::vector<std::shared_ptr<exsdk::call_limiter>> lims;
    for (int i = 0; i < 4; ++i) {
        lims.push_back(store->make_limiter("bingx", named));
    }
    constexpr int total = 1000;
    std::atomic<int> started{0}, ok{0}, cancelled{0}, other{0};
    for (int w = 0; w < 64; ++w) {
        // Each caller on a strand of its own over the 4-thread io_context; the store is on
        // another one. Some calls race a timer, whose win cancels them (terminal) mid-call.
        asio::co_spawn(
            asio::make_strand(ioc),
            [&, w]() -> asio::awaitable<void> {
                using namespace asio::experimental::awaitable_operators;
                std::mt19937 rng(static_cast<unsigned>(w));
                while (started.fetch_add(1) < total) {
                    auto& lim = *lims[static_cast<std::size_t>(w) % lims.size()];
                    boost::system::error_code ec;
                    if (rng() % 8 == 0) {
                        exsdk::timer t(co_await asio::this_coro::executor, exsdk::system_clock());
                        t.expires_after(std::chrono::microseconds(rng() % 2000));
                        auto raced = co_await (lim.acquire() || t.async_wait(asio::use_awaitable));
                        ec = raced.index() == 0 ? std::get<0>(raced)
                                                : make_error_code(errc::cancelled);
                    } else {
                        ec = co_await lim.acquire();
                    }
                    (!ec ? ok : ec == errc::cancelled ? cancelled : other) += 1;
                }
            },
            asio::detached);
    }
    std::vector<std::thread> threads;
    std::atomic<bool> finished{false};
    for (int i = 0; i < 4; ++i) {
        threads.emplace_back([&] {
            while (!finished.load()) {
                ioc.run_one_for(50ms);
            }
        });
    }
    while (ok + cancelled + other < total) {
        std::this_thread::yield();
    }
    finished = true;
    for (auto& t : threads) {
        t.join();
    }
    EXPECT_EQ(other.load(), 0);
    EXPECT_EQ(ok + cancelled, total);
    // A call the timer beat may have been granted just before its cancellation arrived.
    EXPECT_GE(store->stats().acquires, static_cast<std::uint64_t>(ok.load()));
    EXPECT_LE(store->stats().acquires, static_cast<std::uint64_t>(ok + cancelled));
    EXPECT_GT(cancelled.load(), 0);
    EXPECT_EQ(store->stats().unavailable, 0u);
}

} // namespace

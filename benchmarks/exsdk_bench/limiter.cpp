// 2. The limiter: co_await acquire() when a slot is free, and 10,000 coroutines waiting in one
// limiter on a manual clock (so they really wait): time per waiter to enqueue and to wake, and
// heap bytes per waiter (mallinfo2 deltas), next to the same number of coroutines waiting on a
// bare exsdk::timer as the reference.
#include "benchmarks.hpp"

#include <exsdk/manual_clock.hpp>
#include <exsdk/sliding_window_limiter.hpp>
#include <exsdk/timer.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <benchmark/benchmark.h>

#include <chrono>
#include <memory>

namespace bench {

namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

asio::awaitable<boost::system::error_code> nothing() {
    co_return boost::system::error_code{};
}

// The cost of awaiting any awaitable function that returns at once (the coroutine-call floor).
void BM_awaitable_call(benchmark::State& state) {
    asio::io_context ioc(1);
    asio::co_spawn(
        ioc,
        [&]() -> asio::awaitable<void> {
            for (auto _ : state) {
                auto ec = co_await nothing();
                benchmark::DoNotOptimize(ec);
            }
        },
        asio::detached);
    ioc.run();
}

// acquire() with a free slot: a limit that is never reached, on the system clock.
void BM_acquire_free(benchmark::State& state) {
    exsdk::sliding_window_limiter lim(exsdk::rate_limit{1'000'000'000, 1ms});
    asio::io_context ioc(1);
    asio::co_spawn(
        ioc,
        [&]() -> asio::awaitable<void> {
            for (auto _ : state) {
                auto ec = co_await lim.acquire();
                if (ec) {
                    state.SkipWithError("acquire failed");
                    break;
                }
            }
        },
        asio::detached);
    ioc.run();
}

void BM_try_acquire_free(benchmark::State& state) {
    exsdk::sliding_window_limiter lim(exsdk::rate_limit{1'000'000'000, 1ms});
    for (auto _ : state) {
        benchmark::DoNotOptimize(lim.try_acquire());
    }
}

struct waiters_outcome {
    double enqueue_ns = 0; // per waiter: spawn + reserve + start waiting
    double wake_ns = 0;    // per waiter: advance the clock + run every completion
    double bytes = 0;      // per waiter, while all wait
    bool ok = false;
};

template <class Waiter>
waiters_outcome run_waiters(std::size_t n, const std::shared_ptr<exsdk::manual_clock>& clk,
                            exsdk::clock::duration advance, Waiter waiter) {
    waiters_outcome out;
    asio::io_context ioc(1);
    std::size_t done = 0;
    const auto h0 = heap_bytes();
    const auto t0 = now_ns();
    for (std::size_t i = 0; i < n; ++i) {
        asio::co_spawn(ioc, waiter(done), asio::detached);
    }
    while (ioc.poll() > 0) {
    }
    const auto t1 = now_ns();
    const auto h1 = heap_bytes();
    const std::size_t done_before = done;
    const auto t2 = now_ns();
    clk->advance(advance);
    while (ioc.poll() > 0) {
    }
    const auto t3 = now_ns();
    out.enqueue_ns = static_cast<double>(t1 - t0) / static_cast<double>(n);
    out.wake_ns = static_cast<double>(t3 - t2) / static_cast<double>(n);
    out.bytes = static_cast<double>(h1 - h0) / static_cast<double>(n);
    out.ok = done_before <= 1 && done == n;
    return out;
}

void BM_waiters(benchmark::State& state) {
    const auto n = static_cast<std::size_t>(state.range(0));
    waiters_outcome lim_out, timer_out;
    for (auto _ : state) {
        // The reference: n coroutines each waiting on its own exsdk::timer.
        {
            auto clk = std::make_shared<exsdk::manual_clock>(1'700'000'000'000);
            timer_out = run_waiters(n, clk, 1h, [&](std::size_t& done) -> asio::awaitable<void> {
                exsdk::timer t(co_await asio::this_coro::executor, clk);
                t.expires_after(1min);
                auto [ec] = co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
                done += ec ? 0 : 1;
            });
        }
        // n coroutines queued in one limiter: 1 request per second, so waiter i starts at i s.
        {
            auto clk = std::make_shared<exsdk::manual_clock>(1'700'000'000'000);
            exsdk::sliding_window_limiter lim(exsdk::rate_limit{1, 1000ms}, clk);
            lim_out = run_waiters(n, clk, lim.effective_window() * static_cast<long>(n + 1),
                                  [&](std::size_t& done) -> asio::awaitable<void> {
                                      auto ec = co_await lim.acquire();
                                      done += ec ? 0 : 1;
                                  });
        }
        state.SetIterationTime((lim_out.enqueue_ns + lim_out.wake_ns) * static_cast<double>(n) /
                               1e9);
        if (!lim_out.ok || !timer_out.ok) {
            state.SkipWithError("waiters did not all wait and wake");
            break;
        }
    }
    state.counters["waiters"] = static_cast<double>(n);
    state.counters["enqueue_ns_per_waiter"] = lim_out.enqueue_ns;
    state.counters["wake_ns_per_waiter"] = lim_out.wake_ns;
    state.counters["bytes_per_waiter"] = lim_out.bytes;
    state.counters["timer_enqueue_ns_per_waiter"] = timer_out.enqueue_ns;
    state.counters["timer_wake_ns_per_waiter"] = timer_out.wake_ns;
    state.counters["timer_bytes_per_waiter"] = timer_out.bytes;
}

} // namespace

void register_limiter(const options& o) {
    const double t = o.smoke ? 0.01 : 0.5;
    for (auto* b :
         {benchmark::RegisterBenchmark("limiter/awaitable_call_floor", BM_awaitable_call),
          benchmark::RegisterBenchmark("limiter/acquire_free", BM_acquire_free),
          benchmark::RegisterBenchmark("limiter/try_acquire_free", BM_try_acquire_free)}) {
        b->MinTime(t)->Repetitions(o.smoke ? 1 : 3)->ReportAggregatesOnly(!o.smoke);
    }
    benchmark::RegisterBenchmark("limiter/waiters", BM_waiters)
        ->Arg(10000)
        ->Iterations(1)
        ->Repetitions(o.smoke ? 1 : 3)
        ->ReportAggregatesOnly(!o.smoke)
        ->UseManualTime()
        ->Unit(benchmark::kMillisecond);
}

} // namespace bench

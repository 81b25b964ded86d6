// 8. Limits shared through Redis (redis_limit_store) against a redis-server child process on
// loopback, one connection:
//  - one acquire() with a free slot, through Redis (one limit, as a WOO X call takes; three, as
//    a BingX call takes), in interleaved blocks with a raw PING over the same connection (the
//    floor: every acquire is at least that round trip) and with the in-process acquire of the
//    same limits: p50/p99 and the client thread's CPU per call;
//  - 256 coroutines acquiring at once from one store (pipelined on its connection): acquires/s,
//    next to 256 coroutines sending PINGs the same way.
// When redis-server is not installed the rows are skipped (registered only when it exists).
#include "../common/redis_process.hpp"
#include "benchmarks.hpp"
#include "interleaved.hpp"

#include <exsdk/redis_limit_store.hpp>
#include <exsdk/sliding_window_limiter.hpp>
#include <exsdk/timer.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <benchmark/benchmark.h>

#include <array>
#include <atomic>
#include <cstdio>
#include <exception>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace bench {

namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

// Limits no call ever waits for (the slot-free path), as WOO X and BingX calls take them.
const std::array<exsdk::named_limit, 3> free_limits{
    exsdk::named_limit{"uid:bench:userDataStream", {1'000'000'000, 1000ms}},
    exsdk::named_limit{"ip:bench:group", {1'000'000'000, 1000ms}},
    exsdk::named_limit{"ip:bench:POST:/openApi/user/auth/userDataStream", {1'000'000'000, 1000ms}}};

exsdk::redis_config bench_config(const redis_process& redis) {
    exsdk::redis_config cfg;
    cfg.url = redis.url();
    cfg.health_check_interval = 0s;
    cfg.key_prefix = "bench";
    return cfg;
}

// Runs `body` on `ioc` until it ends (then closes the store so that run() returns); "" or the
// error.
std::string run_with_store(asio::io_context& ioc, exsdk::redis_limit_store& store,
                           std::function<asio::awaitable<void>()> body) {
    std::string error;
    asio::co_spawn(ioc, body(), [&](std::exception_ptr e) {
        if (e) {
            try {
                std::rethrow_exception(e);
            } catch (const std::exception& x) {
                error = x.what();
            }
        }
        store.close();
    });
    ioc.run();
    return error;
}

void BM_redis_acquire(benchmark::State& state, std::size_t limits, std::int64_t block) {
    redis_process redis;
    asio::io_context ioc(1);
    exsdk::redis_limit_store store(ioc.get_executor(), bench_config(redis));
    auto shared = store.make_limiter("bingx", {free_limits.data(), limits});
    std::vector<std::unique_ptr<exsdk::sliding_window_limiter>> local;
    std::vector<exsdk::sliding_window_limiter*> local_set;
    for (std::size_t i = 0; i < limits; ++i) {
        local.push_back(std::make_unique<exsdk::sliding_window_limiter>(free_limits[i].limit));
        local_set.push_back(local.back().get());
    }
    enum variant { v_redis, v_ping, v_local };
    constexpr int variants = 3;
    interleaved_figures f(variants);
    auto& lat = f.lat;
    auto& cpu = f.cpu;
    const std::string error = run_with_store(ioc, store, [&]() -> asio::awaitable<void> {
        auto one = [&](int v) -> asio::awaitable<void> {
            if (v == v_redis) {
                if (auto ec = co_await shared->acquire(); ec) {
                    throw std::runtime_error("acquire: " + ec.message() + " " +
                                             shared->failure_reason());
                }
            } else if (v == v_ping) {
                if (auto r = co_await store.ping(); !r) {
                    throw std::runtime_error("ping: " + r.error().message);
                }
            } else if (auto ec = co_await exsdk::sliding_window_limiter::acquire_all(local_set);
                       ec) {
                throw std::runtime_error("local acquire failed");
            }
        };
        for (int i = 0; i < 500; ++i) { // warm-up: connection, scripts, allocator
            for (int v = 0; v < variants; ++v) {
                co_await one(v);
            }
        }
        co_await run_interleaved(state, block, variants, false, one, f);
    });
    if (!error.empty()) {
        state.SkipWithError(error.c_str());
        return;
    }
    const auto calls = static_cast<double>(lat[v_redis].size());
    auto per_call_us = [&](std::int64_t ns) { return static_cast<double>(ns) / calls / 1e3; };
    const double p50 = percentile(lat[v_redis], 0.50), ping_p50 = percentile(lat[v_ping], 0.50);
    state.counters["limits"] = static_cast<double>(limits);
    state.counters["redis_p50_us"] = p50;
    state.counters["redis_p99_us"] = percentile(lat[v_redis], 0.99);
    state.counters["ping_p50_us"] = ping_p50;
    state.counters["ping_p99_us"] = percentile(lat[v_ping], 0.99);
    state.counters["p50_ratio"] = p50 / ping_p50;
    state.counters["local_p50_us"] = percentile(lat[v_local], 0.50);
    state.counters["redis_cpu_us"] = per_call_us(cpu[v_redis]);
    state.counters["ping_cpu_us"] = per_call_us(cpu[v_ping]);
    state.counters["local_cpu_us"] = per_call_us(cpu[v_local]);
}

// `workers` coroutines acquiring (or pinging) at once through one store: calls per second.
void BM_redis_concurrent(benchmark::State& state, std::int64_t total) {
    const auto workers = static_cast<std::size_t>(state.range(0));
    const bool ping = state.range(1) != 0;
    redis_process redis;
    asio::io_context ioc(1);
    exsdk::redis_limit_store store(ioc.get_executor(), bench_config(redis));
    auto shared = store.make_limiter("bingx", {free_limits.data(), 1});
    std::atomic<std::int64_t> remaining{0};
    std::vector<double> lat;
    std::string failure;
    std::int64_t cpu = 0;
    double seconds = 0;
    auto worker = [&]() -> asio::awaitable<void> {
        while (remaining.fetch_sub(1) > 0) {
            const auto t0 = now_ns();
            if (ping) {
                if (auto r = co_await store.ping(); !r) {
                    failure = r.error().message;
                    remaining = 0;
                }
            } else if (auto ec = co_await shared->acquire(); ec) {
                failure = shared->failure_reason();
                remaining = 0;
            }
            lat.push_back(static_cast<double>(now_ns() - t0) / 1e3);
        }
    };
    const std::string error = run_with_store(ioc, store, [&]() -> asio::awaitable<void> {
        auto round = [&](std::int64_t n) -> asio::awaitable<void> {
            remaining = n;
            lat.clear();
            // Start every worker, then wait until the last one ends (it cancels the timer).
            auto ex = co_await asio::this_coro::executor;
            exsdk::timer all_done(ex, exsdk::system_clock());
            all_done.expires_at(exsdk::clock::time_point::max());
            std::size_t done = 0;
            for (std::size_t w = 0; w < workers; ++w) {
                asio::co_spawn(ex, worker(), [&](std::exception_ptr) {
                    if (++done == workers) {
                        all_done.cancel();
                    }
                });
            }
            (void)co_await all_done.async_wait(asio::as_tuple(asio::use_awaitable));
        };
        co_await round(std::max<std::int64_t>(total / 10, static_cast<std::int64_t>(workers)));
        for (auto _ : state) {
            const auto c0 = thread_cpu_ns();
            const auto t0 = now_ns();
            co_await round(total);
            seconds = static_cast<double>(now_ns() - t0) / 1e9;
            cpu = thread_cpu_ns() - c0;
            state.SetIterationTime(seconds);
        }
    });
    if (!error.empty() || !failure.empty()) {
        state.SkipWithError((error + failure).c_str());
        return;
    }
    state.counters["coroutines"] = static_cast<double>(workers);
    state.counters["per_s"] = static_cast<double>(total) / seconds;
    state.counters["p50_us"] = percentile(lat, 0.50);
    state.counters["p99_us"] = percentile(lat, 0.99);
    state.counters["client_cpu_us_per_call"] =
        static_cast<double>(cpu) / 1e3 / static_cast<double>(total);
}

} // namespace

void register_redis(const options& o) {
    if (!redis_process::available()) {
        std::fprintf(stderr, "exsdk_bench: %s is not installed: the Redis rows are skipped\n",
                     redis_process::program);
        return;
    }
    constexpr std::int64_t block = 50;
    for (std::size_t limits : {std::size_t{1}, std::size_t{3}}) {
        benchmark::RegisterBenchmark(
            ("redis/acquire/" + std::to_string(limits)).c_str(),
            [limits](benchmark::State& s) { BM_redis_acquire(s, limits, block); })
            ->Iterations(o.smoke ? 4 * block : 20000)
            ->Unit(benchmark::kMicrosecond)
            ->UseRealTime();
    }
    const std::int64_t total = o.smoke ? 1000 : 100000;
    benchmark::RegisterBenchmark("redis/concurrent",
                                 [total](benchmark::State& s) { BM_redis_concurrent(s, total); })
        ->ArgNames({"coroutines", "ping"})
        ->Args({256, 0})
        ->Args({256, 1})
        ->Iterations(1)
        ->Repetitions(o.smoke ? 1 : 3)
        ->ReportAggregatesOnly(!o.smoke)
        ->UseManualTime()
        ->Unit(benchmark::kMillisecond);
}

} // namespace bench

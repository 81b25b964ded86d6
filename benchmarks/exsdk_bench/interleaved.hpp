// Interleaved blocks, the way exsdk_bench compares variants of one call in one process (README
// "Performance": every ratio compares figures measured side by side): each batch of the benchmark
// runs `block` calls of every variant in turn, the first variant rotating from batch to batch,
// and records each call's latency and each variant's thread CPU time (and, when asked, its
// system time).
#pragma once

#include "../common/bench_util.hpp"

#include <boost/asio/awaitable.hpp>

#include <benchmark/benchmark.h>

#include <cstdint>
#include <vector>

namespace bench {

struct interleaved_figures {
    explicit interleaved_figures(std::size_t variants)
        : lat(variants), cpu(variants), sys(variants) {}

    std::vector<std::vector<double>> lat; ///< per variant: each call's latency, µs
    std::vector<std::int64_t> cpu;        ///< per variant: thread CPU time, ns
    std::vector<std::int64_t> sys;        ///< per variant: of which system time, ns (with_sys)
};

/// Runs the benchmark's batches: `one(v)` is one call of variant v (0 .. active - 1).
template <class One>
boost::asio::awaitable<void> run_interleaved(benchmark::State& state, std::int64_t block,
                                             std::size_t active, bool with_sys, One& one,
                                             interleaved_figures& f) {
    for (auto& l : f.lat) {
        l.reserve(static_cast<std::size_t>(state.max_iterations));
    }
    std::size_t first = 0;
    while (state.KeepRunningBatch(block)) {
        for (std::size_t k = 0; k < active; ++k) {
            const std::size_t v = (first + k) % active;
            const auto c0 = thread_cpu_ns();
            const auto s0 = with_sys ? thread_user_sys_ns().second : 0;
            for (std::int64_t i = 0; i < block; ++i) {
                const auto t0 = now_ns();
                co_await one(static_cast<int>(v));
                f.lat[v].push_back(static_cast<double>(now_ns() - t0) / 1e3);
            }
            f.cpu[v] += thread_cpu_ns() - c0;
            if (with_sys) {
                f.sys[v] += thread_user_sys_ns().second - s0;
            }
        }
        first = (first + 1) % active;
    }
}

} // namespace bench

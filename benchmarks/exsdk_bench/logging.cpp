// 6. What logging costs (issue 10): the same SDK call (WOO X create listen key, plain, against the
//    in-process mock over loopback) through three clients on one thread, interleaved in blocks so
//    drift and noise hit all three alike:
//      off      no sink (the default): each event site is one comparison of a byte
//      silent   a sink that receives every event (debug level) and discards it: building the
//               events' fields and calling the sink
//      format   a sink that formats every event as the CLI's --verbose does (exsdk::to_string)
//    p50 latency and client-thread CPU time per call of each; the off-vs-before comparison (the
//    tree without logging) is made by running round_trip/woox_listen_key/plain on both trees.
#include "../common/sdk_calls.hpp"
#include "benchmarks.hpp"
#include "interleaved.hpp"

#include <exsdk/log.hpp>
#include <exsdk/mock/server.hpp>

#include <benchmark/benchmark.h>

#include <array>
#include <atomic>
#include <optional>

namespace bench {

namespace {

using namespace std::chrono_literals;

void BM_logging_round_trip(benchmark::State& state, std::int64_t block) {
    exsdk::mock::config mc;
    mc.limits.enabled = false;
    mc.journal_capacity = 0;
    mc.seed = 1;
    exsdk::mock::threaded_server srv(std::move(mc));
    asio::io_context ioc(1);

    enum variant { v_off, v_silent, v_format, variants };
    std::atomic<std::uint64_t> events{0};
    std::atomic<std::size_t> formatted_bytes{0};
    auto make = [&](variant v) {
        auto c = sdk_config<exsdk::woox::config>(srv.base_url(), "", 4, woox_key, woox_secret);
        if (v == v_silent) {
            c.log.level = exsdk::log_level::debug;
            c.log.sink = [&events](const exsdk::log_event& e) {
                benchmark::DoNotOptimize(e.fields.data());
                events.fetch_add(1, std::memory_order_relaxed);
            };
        } else if (v == v_format) {
            c.log.level = exsdk::log_level::debug;
            c.log.sink = [&formatted_bytes](const exsdk::log_event& e) {
                formatted_bytes.fetch_add(exsdk::to_string(e).size(), std::memory_order_relaxed);
            };
        }
        return c;
    };
    std::array<std::optional<exsdk::woox::client>, variants> clients;
    for (int v = 0; v < variants; ++v) {
        clients[static_cast<std::size_t>(v)].emplace(ioc.get_executor(),
                                                     make(static_cast<variant>(v)));
    }
    interleaved_figures f(variants);
    auto& lat = f.lat;
    auto& cpu = f.cpu;
    std::string error = run_on(ioc, [&]() -> asio::awaitable<void> {
        auto one = [&](int v) -> asio::awaitable<void> {
            auto r = co_await clients[static_cast<std::size_t>(v)]->create_listen_key();
            if (!r) {
                throw std::runtime_error("SDK call failed: " + to_text(r.error()));
            }
        };
        for (int i = 0; i < 200; ++i) { // warm-up: connections, caches, allocator
            for (int v = 0; v < variants; ++v) {
                co_await one(v);
            }
        }
        events = 0;
        co_await run_interleaved(state, block, variants, false, one, f);
    });
    if (!error.empty()) {
        state.SkipWithError(error.c_str());
        return;
    }
    const auto calls = static_cast<double>(lat[v_off].size());
    auto per_call_us = [&](std::int64_t ns) { return static_cast<double>(ns) / calls / 1e3; };
    state.counters["off_p50_us"] = percentile(lat[v_off], 0.50);
    state.counters["silent_p50_us"] = percentile(lat[v_silent], 0.50);
    state.counters["format_p50_us"] = percentile(lat[v_format], 0.50);
    state.counters["off_cpu_us"] = per_call_us(cpu[v_off]);
    state.counters["silent_cpu_us"] = per_call_us(cpu[v_silent]);
    state.counters["format_cpu_us"] = per_call_us(cpu[v_format]);
    state.counters["silent_minus_off_cpu_us"] = per_call_us(cpu[v_silent] - cpu[v_off]);
    const auto silent_calls =
        lat[v_silent].size(); // measured calls only (events reset after warm-up)
    state.counters["events_per_call"] =
        silent_calls > 0 ? static_cast<double>(events.load()) / static_cast<double>(silent_calls)
                         : 0.0;
}

} // namespace

void register_logging(const options& o) {
    constexpr std::int64_t block = 50;
    benchmark::RegisterBenchmark("logging/woox_listen_key/plain",
                                 [](benchmark::State& s) { BM_logging_round_trip(s, block); })
        ->Iterations(o.smoke ? 4 * block : 20000)
        ->Unit(benchmark::kMicrosecond)
        ->UseRealTime();
}

} // namespace bench

// 3. One SDK call against the in-process mock (exsdk::mock::threaded_server, its own thread) over
//    loopback, plain and TLS, interleaved in blocks with the bare Beast keep-alive client sending
//    the same (pre-signed) request to the same mock from the same thread: p50/p99 of both, and the
//    client thread's CPU time per call of both (the difference is the SDK's own work per call).
// 4. Throughput: N coroutines calling through one client against the mock, limits off, on an
//    io_context run by 1 or 4 threads.
#include "../common/sdk_calls.hpp"
#include "benchmarks.hpp"
#include "detail/with_deadline.hpp"
#include "interleaved.hpp"

#include <exsdk/mock/server.hpp>
#include <exsdk/timer.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/beast/http/write.hpp>

#include <benchmark/benchmark.h>

#include <array>
#include <atomic>
#include <mutex>
#include <optional>
#include <thread>

namespace bench {

namespace {

using namespace std::chrono_literals;

exsdk::mock::config mock_config(bool tls) {
    exsdk::mock::config c;
    c.tls = tls;
    c.limits.enabled = false;
    c.journal_capacity = 0;
    // The bare client sends requests signed once, at start-up: accept their fixed timestamps.
    c.woox_timestamp_window = 24h;
    c.bingx_default_recv_window = 24h;
    c.seed = 1;
    return c;
}

// The bare round trip plus what the SDK's transport adds around each I/O operation: an
// exsdk::timer deadline raced against the operation (exsdk::detail::with_deadline, a Asio
// parallel_group), on the write and on the read. Attributes part of the SDK's own work.
asio::awaitable<unsigned> deadline_round_trip(tcp::socket& s, beast::flat_buffer& buffer,
                                              exsdk::timer& deadline, std::string_view bytes,
                                              std::string& body) {
    deadline.expires_after(10s);
    auto ec = co_await exsdk::detail::with_deadline(
        deadline, asio::async_write(s, asio::buffer(bytes.data(), bytes.size()), asio::deferred));
    if (ec) {
        throw boost::system::system_error(ec);
    }
    http::response_parser<http::string_body> p;
    ec = co_await exsdk::detail::with_deadline(deadline,
                                               http::async_read(s, buffer, p, asio::deferred));
    if (ec) {
        throw boost::system::system_error(ec);
    }
    body = std::move(p.get().body());
    co_return p.get().result_int();
}

// The bare round trip, but with the request built per call as a Beast message (method, target,
// the fields, body, Content-Length) and written with http::async_write, the way the SDK's
// transport sends it. Attributes another part of the SDK's own work.
asio::awaitable<unsigned> message_round_trip(tcp::socket& s, beast::flat_buffer& buffer,
                                             const fixed_request& fr, const std::string& host,
                                             std::string& body) {
    http::request<http::string_body> r;
    r.method_string(fr.method);
    r.target(fr.target);
    r.version(11);
    r.set(http::field::host, host);
    r.set(http::field::user_agent, "bench");
    for (const auto& [k, v] : fr.headers) {
        r.set(k, v);
    }
    r.body() = fr.body;
    if (fr.method != "GET") {
        r.prepare_payload();
    }
    co_await http::async_write(s, r, asio::use_awaitable);
    http::response_parser<http::string_body> p;
    co_await http::async_read(s, buffer, p, asio::use_awaitable);
    body = std::move(p.get().body());
    co_return p.get().result_int();
}

void BM_round_trip(benchmark::State& state, call what, bool tls, std::int64_t block) {
    exsdk::mock::threaded_server srv(mock_config(tls));
    const std::string ca = tls ? srv.get().ca_pem() : std::string();
    const auto port = port_of(srv.base_url());
    const std::string host = "127.0.0.1:" + std::to_string(port);
    asio::io_context ioc(1);
    sdk_clients sdk(ioc.get_executor(), srv.base_url(), ca, 4);
    bare_connection bare(ioc.get_executor(), port, ca);
    // Plain only: the bare client with the SDK's per-I/O deadlines, on a connection of its own.
    bare_connection with_deadlines(ioc.get_executor(), port, "");
    beast::flat_buffer deadline_buffer;
    exsdk::timer deadline(ioc.get_executor(), exsdk::system_clock());

    // Plain only: the bare client building a Beast message per call, on a connection of its own.
    bare_connection with_message(ioc.get_executor(), port, "");
    beast::flat_buffer message_buffer;

    enum variant { v_sdk, v_bare, v_deadline, v_message };
    const int variants = tls ? 2 : 4;
    interleaved_figures f(4);
    auto& lat = f.lat;
    auto& cpu = f.cpu;
    auto& sys = f.sys;
    std::string error = run_on(ioc, [&]() -> asio::awaitable<void> {
        co_await bare.connect();
        if (!tls) {
            co_await with_deadlines.connect();
            co_await with_message.connect();
        }
        std::string key, body;
        if (what == call::bingx_extend) {
            std::string e = co_await sdk_call(sdk, call::bingx_generate, key);
            if (!e.empty()) {
                throw std::runtime_error("generate: " + e);
            }
        }
        const auto req = make_request(what, host, wall_ms(), key);
        auto one = [&](int v) -> asio::awaitable<void> {
            if (v == v_sdk) {
                std::string e = co_await sdk_call(sdk, what, key);
                if (!e.empty()) {
                    throw std::runtime_error("SDK call failed: " + e);
                }
                co_return;
            }
            unsigned status = 0;
            if (v == v_bare) {
                status = co_await bare.round_trip(req.bytes, body);
            } else if (v == v_deadline) {
                status = co_await deadline_round_trip(with_deadlines.socket(), deadline_buffer,
                                                      deadline, req.bytes, body);
            } else {
                status = co_await message_round_trip(with_message.socket(), message_buffer, req,
                                                     host, body);
            }
            if (!is_success(what, status, body)) {
                throw std::runtime_error("bare call failed: HTTP " + std::to_string(status) + " " +
                                         body);
            }
        };
        for (int i = 0; i < 200; ++i) { // warm-up: connections, caches, allocator
            for (int v = 0; v < variants; ++v) {
                co_await one(v);
            }
        }
        co_await run_interleaved(state, block, static_cast<std::size_t>(variants), true, one, f);
    });
    if (!error.empty()) {
        state.SkipWithError(error.c_str());
        return;
    }
    const auto calls = static_cast<double>(lat[v_sdk].size());
    auto per_call_us = [&](std::int64_t ns) { return static_cast<double>(ns) / calls / 1e3; };
    const double sdk_p50 = percentile(lat[v_sdk], 0.50), bare_p50 = percentile(lat[v_bare], 0.50);
    state.counters["sdk_p50_us"] = sdk_p50;
    state.counters["sdk_p99_us"] = percentile(lat[v_sdk], 0.99);
    state.counters["bare_p50_us"] = bare_p50;
    state.counters["bare_p99_us"] = percentile(lat[v_bare], 0.99);
    state.counters["p50_ratio"] = sdk_p50 / bare_p50;
    state.counters["sdk_cpu_us"] = per_call_us(cpu[v_sdk]);
    state.counters["bare_cpu_us"] = per_call_us(cpu[v_bare]);
    state.counters["sdk_sys_us"] = per_call_us(sys[v_sdk]);
    state.counters["bare_sys_us"] = per_call_us(sys[v_bare]);
    state.counters["sdk_work_cpu_us"] = per_call_us(cpu[v_sdk] - cpu[v_bare]);
    state.counters["sdk_minus_bare_p50_us"] = sdk_p50 - bare_p50;
    if (!tls) {
        state.counters["deadline_p50_us"] = percentile(lat[v_deadline], 0.50);
        state.counters["deadline_cpu_us"] = per_call_us(cpu[v_deadline]);
        state.counters["deadline_sys_us"] = per_call_us(sys[v_deadline]);
        state.counters["message_p50_us"] = percentile(lat[v_message], 0.50);
        state.counters["message_cpu_us"] = per_call_us(cpu[v_message]);
    }
}

void BM_throughput(benchmark::State& state, std::int64_t total) {
    const auto workers = static_cast<std::size_t>(state.range(0));
    const auto max_connections = static_cast<std::size_t>(state.range(1));
    const auto threads = static_cast<std::size_t>(state.range(2));
    exsdk::mock::threaded_server srv(mock_config(false));
    asio::io_context ioc(static_cast<int>(threads));
    sdk_clients sdk(ioc.get_executor(), srv.base_url(), "", max_connections);

    // Shared by the workers, which run on `threads` threads (no strand of their own: the client
    // serialises itself).
    std::mutex mutex;
    std::vector<double> lat;
    std::atomic<std::int64_t> remaining{0};
    std::string failure;
    auto worker = [&]() -> asio::awaitable<void> {
        std::string key;
        std::vector<double> mine;
        while (remaining.fetch_sub(1) > 0) {
            const auto t0 = now_ns();
            std::string e = co_await sdk_call(sdk, call::woox_listen_key, key);
            mine.push_back(static_cast<double>(now_ns() - t0) / 1e3);
            if (!e.empty()) {
                std::lock_guard lock(mutex);
                failure = e;
                remaining = 0;
            }
        }
        std::lock_guard lock(mutex);
        lat.insert(lat.end(), mine.begin(), mine.end());
    };
    // Runs `calls` calls; returns the client threads' CPU time (the mock has its own thread).
    auto run = [&](std::int64_t calls) {
        remaining = calls;
        lat.clear();
        lat.reserve(static_cast<std::size_t>(calls));
        for (std::size_t w = 0; w < workers; ++w) {
            asio::co_spawn(ioc, worker(), asio::detached);
        }
        ioc.restart();
        std::atomic<std::int64_t> cpu{0};
        auto run_thread = [&] {
            const auto c0 = thread_cpu_ns();
            ioc.run();
            cpu += thread_cpu_ns() - c0;
        };
        std::vector<std::thread> pool;
        for (std::size_t t = 1; t < threads; ++t) {
            pool.emplace_back(run_thread);
        }
        run_thread();
        for (auto& t : pool) {
            t.join();
        }
        return cpu.load();
    };
    run(std::max<std::int64_t>(total / 10, static_cast<std::int64_t>(workers) * 4)); // warm-up
    double seconds = 0;
    std::int64_t cpu = 0;
    for (auto _ : state) {
        const auto t0 = now_ns();
        cpu = run(total);
        seconds = static_cast<double>(now_ns() - t0) / 1e9;
        state.SetIterationTime(seconds);
    }
    if (!failure.empty()) {
        state.SkipWithError(("SDK call failed: " + failure).c_str());
        return;
    }
    state.counters["workers"] = static_cast<double>(workers);
    state.counters["max_connections"] = static_cast<double>(max_connections);
    state.counters["threads"] = static_cast<double>(threads);
    state.counters["req_per_s"] = static_cast<double>(total) / seconds;
    state.counters["p50_us"] = percentile(lat, 0.50);
    state.counters["p99_us"] = percentile(lat, 0.99);
    state.counters["client_cpu_us_per_call"] =
        static_cast<double>(cpu) / 1e3 / static_cast<double>(total);
}

} // namespace

void register_loopback(const options& o) {
    struct row {
        const char* name;
        call what;
        bool tls;
        std::int64_t pairs; // full run; smoke runs 200
    };
    for (const row& r : {
             row{"round_trip/woox_listen_key/plain", call::woox_listen_key, false, 20000},
             row{"round_trip/woox_listen_key/tls", call::woox_listen_key, true, 10000},
             row{"round_trip/bingx_extend/plain", call::bingx_extend, false, 20000},
         }) {
        constexpr std::int64_t block = 50;
        benchmark::RegisterBenchmark(r.name,
                                     [what = r.what, tls = r.tls](benchmark::State& s) {
                                         BM_round_trip(s, what, tls, block);
                                     })
            ->Iterations(o.smoke ? 4 * block : r.pairs)
            ->Unit(benchmark::kMicrosecond)
            ->UseRealTime();
    }
    const std::int64_t total = o.smoke ? 500 : 30000;
    benchmark::RegisterBenchmark("throughput/woox_listen_key",
                                 [total](benchmark::State& s) { BM_throughput(s, total); })
        ->ArgNames({"coroutines", "max_connections", "threads"})
        ->Args({1, 4, 1})
        ->Args({16, 4, 1})
        ->Args({16, 16, 1})
        ->Args({256, 4, 1})
        ->Args({256, 64, 1})
        // One client shared by 64 coroutines on an io_context run by 1 and by 4 threads.
        ->Args({64, 16, 1})
        ->Args({64, 16, 4})
        ->Iterations(1)
        ->Repetitions(o.smoke ? 1 : 3)
        ->ReportAggregatesOnly(!o.smoke)
        ->UseManualTime()
        ->Unit(benchmark::kMillisecond);
}

} // namespace bench

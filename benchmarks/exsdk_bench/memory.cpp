// 6. Memory, from malloc's own accounting (mallinfo2: bytes in use in every arena plus mmapped
// chunks) in this process, with the mock in another process (the mock_exchange program) so that
// none of its allocations are counted:
//  - per idle pooled connection: a client whose pool holds 1 + K idle keep-alive connections
//    minus one that holds 1, divided by K (the client's fixed cost cancels out);
//  - per idle private stream: the same slope over connected, subscribed, idle streams.
#include "../common/mock_process.hpp"
#include "../common/sdk_calls.hpp"
#include "benchmarks.hpp"

#include <exsdk/bingx/account_stream.hpp>
#include <exsdk/woox/private_stream.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include <benchmark/benchmark.h>

#include <fstream>
#include <sstream>

namespace bench {

namespace {

std::string read_file(const std::string& path) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

struct mock_child {
    std::string ca_file;
    mock_process proc;
    std::string ca;

    mock_child(const options& o, bool tls, std::vector<std::string> extra = {})
        : ca_file(tls ? "/tmp/exsdk_bench_ca_" + std::to_string(getpid()) + ".pem" : ""),
          proc(o.mock_program, args(tls, ca_file, std::move(extra))),
          ca(tls ? read_file(ca_file) : std::string()) {}
    ~mock_child() {
        if (!ca_file.empty()) {
            std::remove(ca_file.c_str());
        }
    }

    static std::vector<std::string> args(bool tls, const std::string& ca_file,
                                         std::vector<std::string> extra) {
        std::vector<std::string> a{"--no-rate-limits", "--journal-capacity", "0"};
        if (tls) {
            a.insert(a.end(), {"--tls", "--ca-out", ca_file});
        }
        a.insert(a.end(), extra.begin(), extra.end());
        return a;
    }
};

/// Open connections the mock counts (GET /__admin/health), over a connection of its own.
std::int64_t mock_connections(const mock_child& m) {
    asio::io_context ioc(1);
    bare_connection conn(ioc.get_executor(), port_of(m.proc.url()), m.ca);
    std::int64_t n = -1;
    asio::co_spawn(
        ioc,
        [&]() -> asio::awaitable<void> {
            co_await conn.connect();
            std::string body;
            co_await conn.round_trip("GET /__admin/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
                                     body);
            const auto at = body.find("\"connections\":");
            if (at != std::string::npos) {
                n = std::stoll(body.substr(at + 14));
            }
        },
        asio::detached);
    ioc.run();
    return n;
}

/// Heap bytes a woox::client holds with `n` idle pooled connections (each opened by one of `n`
/// concurrent server_time() calls, so none can reuse another's).
std::int64_t pool_heap(const mock_child& m, std::size_t n, std::string& failure) {
    asio::io_context ioc(1);
    const auto h0 = heap_bytes();
    std::int64_t h1 = 0;
    exsdk::woox::client c(ioc.get_executor(), sdk_config<exsdk::woox::config>(
                                                  m.proc.url(), m.ca, n, woox_key, woox_secret));
    for (std::size_t i = 0; i < n; ++i) {
        asio::co_spawn(
            ioc,
            [&]() -> asio::awaitable<void> {
                auto r = co_await c.server_time();
                if (!r) {
                    failure = to_text(r.error());
                }
            },
            asio::detached);
    }
    ioc.run();
    h1 = heap_bytes();
    if (failure.empty() && mock_connections(m) < static_cast<std::int64_t>(n) + 1) {
        failure = "the pool did not open one connection per concurrent call";
    }
    return h1 - h0;
}

void BM_idle_connection(benchmark::State& state, const options& o, bool tls) {
    const std::size_t k = o.smoke ? 8 : 64;
    double per = 0;
    std::string failure;
    for (auto _ : state) {
        mock_child m(o, tls);
        const auto one = pool_heap(m, 1, failure);
        const auto many = pool_heap(m, 1 + k, failure);
        per = static_cast<double>(many - one) / static_cast<double>(k);
    }
    if (!failure.empty()) {
        state.SkipWithError(failure.c_str());
        return;
    }
    state.counters["bytes_per_connection"] = per;
    state.counters["connections"] = static_cast<double>(k);
}

} // namespace

void register_memory(const options& o) {
    benchmark::RegisterBenchmark("memory/idle_pooled_connection/plain",
                                 [o](benchmark::State& s) { BM_idle_connection(s, o, false); })
        ->Iterations(1)
        ->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark("memory/idle_pooled_connection/tls",
                                 [o](benchmark::State& s) { BM_idle_connection(s, o, true); })
        ->Iterations(1)
        ->Unit(benchmark::kMillisecond);
}

} // namespace bench

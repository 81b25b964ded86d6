// 6. Memory, from malloc's own accounting (mallinfo2: bytes in use in every arena plus mmapped
// chunks) in this process, with the mock in another process (the mock_exchange program) so that
// none of its allocations are counted:
//  - per idle pooled connection: a client whose pool holds 1 + K idle keep-alive connections
//    minus one that holds 1, divided by K (the client's fixed cost cancels out);
//  - per idle private stream: the same slope over connected, subscribed, idle streams.
#include "../common/sdk_calls.hpp"
#include "benchmarks.hpp"
#include "mock_child.hpp"

#include <exsdk/bingx/account_stream.hpp>
#include <exsdk/woox/private_stream.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include <benchmark/benchmark.h>

#include <type_traits>

namespace bench {

namespace {

/// Open connections the mock counts (GET /__admin/health).
std::int64_t mock_connections(const mock_child& m) {
    return json_number(m.admin_get("/__admin/health"), "connections");
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

/// Heap bytes held by `n` bare Beast TLS connections (one shared context) after one round trip
/// each: the floor for an idle TLS connection, with and without SSL_MODE_RELEASE_BUFFERS (OpenSSL
/// then frees its read/write buffers while a connection is idle).
std::int64_t bare_tls_heap(const mock_child& m, std::size_t n, bool release_buffers,
                           std::string& failure) {
    asio::io_context ioc(1);
    ssl::context ctx(ssl::context::tls_client);
    ctx.add_certificate_authority(asio::buffer(m.ca));
    ctx.set_verify_mode(ssl::verify_peer);
    if (release_buffers) {
        SSL_CTX_set_mode(ctx.native_handle(), SSL_MODE_RELEASE_BUFFERS);
    }
    const auto port = port_of(m.proc.url());
    const auto req = make_request(call::woox_system_info, "127.0.0.1", 0);
    const auto h0 = heap_bytes();
    std::vector<std::unique_ptr<bare_connection>> conns;
    for (std::size_t i = 0; i < n; ++i) {
        conns.push_back(std::make_unique<bare_connection>(ioc.get_executor(), port, ctx));
        asio::co_spawn(
            ioc,
            [&, c = conns.back().get()]() -> asio::awaitable<void> {
                co_await c->connect();
                std::string body;
                const unsigned status = co_await c->round_trip(req.bytes, body);
                if (status != 200) {
                    failure = "bare TLS round trip: HTTP " + std::to_string(status);
                }
            },
            [&](const std::exception_ptr& e) {
                if (e) {
                    failure = "bare TLS connection failed";
                }
            });
    }
    ioc.run();
    return heap_bytes() - h0;
}

void BM_bare_tls_connection(benchmark::State& state, const options& o) {
    const std::size_t k = o.smoke ? 8 : 64;
    double per_default = 0, per_release = 0;
    std::string failure;
    for (auto _ : state) {
        mock_child m(o, true);
        // One measurement per statement: the order of the two calls is fixed (1, then 1 + k).
        const auto one = bare_tls_heap(m, 1, false, failure);
        const auto many = bare_tls_heap(m, 1 + k, false, failure);
        per_default = static_cast<double>(many - one) / static_cast<double>(k);
        const auto one_release = bare_tls_heap(m, 1, true, failure);
        const auto many_release = bare_tls_heap(m, 1 + k, true, failure);
        per_release = static_cast<double>(many_release - one_release) / static_cast<double>(k);
    }
    if (!failure.empty()) {
        state.SkipWithError(failure.c_str());
        return;
    }
    state.counters["bytes_per_connection"] = per_default;
    state.counters["bytes_per_connection_release_buffers"] = per_release;
}

// --- idle private streams ----------------------------------------------------------------------

enum class venue { woox, bingx };

struct stream_outcome {
    std::int64_t heap = 0;
    bool unsupported = false; // the mock answered the upgrade 404: no stream endpoint (yet)
    std::string failure;
};

/// Heap bytes held by `n` connected, idle streams (WOO X: subscribed to balance; BingX: swap,
/// which pushes without a subscription), measured once every stream is open.
template <class Stream>
stream_outcome streams_heap(const mock_child& m, venue v, std::size_t n) {
    stream_outcome out;
    asio::io_context ioc(1);
    const std::string http_url = m.proc.url();
    const std::string ws_url = (m.ca.empty() ? "ws" : "wss") + http_url.substr(http_url.find(':'));
    // One listen key for every stream (as a process with several sockets on one key would).
    sdk_clients rest(ioc.get_executor(), http_url, m.ca, 1);
    std::string key;
    asio::co_spawn(
        ioc,
        [&]() -> asio::awaitable<void> {
            if (v == venue::woox) {
                auto k = co_await rest.woox.create_listen_key();
                k ? void(key = k->auth_key) : void(out.failure = to_text(k.error()));
            } else {
                auto k = co_await rest.bingx.generate_listen_key();
                k ? void(key = k->key) : void(out.failure = to_text(k.error()));
            }
        },
        asio::detached);
    ioc.run();
    if (!out.failure.empty()) {
        return out;
    }
    std::conditional_t<std::is_same_v<Stream, exsdk::woox::private_stream>,
                       exsdk::woox::stream_config, exsdk::bingx::stream_config>
        cfg;
    if constexpr (std::is_same_v<Stream, exsdk::woox::private_stream>) {
        cfg.url = ws_url + "/v3/private";
    } else {
        cfg.swap_url = ws_url + "/swap-market";
        cfg.spot_url = ws_url + "/market";
    }
    cfg.tls.ca_pem = m.ca;

    const auto h0 = heap_bytes();
    std::vector<std::unique_ptr<Stream>> streams;
    std::size_t open = 0;
    for (std::size_t i = 0; i < n; ++i) {
        streams.push_back(std::make_unique<Stream>(ioc.get_executor(), cfg));
        asio::co_spawn(
            ioc,
            [&, s = streams.back().get()]() -> asio::awaitable<void> {
                exsdk::result<void> r;
                if constexpr (std::is_same_v<Stream, exsdk::woox::private_stream>) {
                    r = co_await s->connect(key);
                    if (r) {
                        std::vector<std::string> topics;
                        topics.emplace_back("balance");
                        auto sub = co_await s->subscribe(std::move(topics));
                        if (!sub) {
                            r = sub.error();
                        }
                    }
                } else {
                    r = co_await s->connect(exsdk::bingx::market::swap, key);
                }
                if (!r) {
                    if (r.error().is(exsdk::errc::not_found)) {
                        out.unsupported = true;
                    } else if (out.failure.empty()) {
                        out.failure = to_text(r.error());
                    }
                }
                ++open;
            },
            asio::detached);
    }
    const auto give_up = now_ns() + 10'000'000'000;
    ioc.restart();
    while (open < n && now_ns() < give_up) {
        ioc.run_one_for(std::chrono::milliseconds(100));
    }
    while (ioc.poll() > 0) { // settle: whatever was ready when the last stream opened
    }
    out.heap = heap_bytes() - h0;
    if (open < n && out.failure.empty()) {
        out.failure = "streams did not connect within 10 s";
    }
    streams.clear(); // aborts the sockets; the readers and pingers finish below
    ioc.restart();
    ioc.run_for(std::chrono::milliseconds(200));
    return out;
}

template <class Stream>
void BM_idle_stream(benchmark::State& state, const options& o, venue v, bool tls) {
    const std::size_t k = o.smoke ? 8 : 32; // the mock allows 60 BingX / 100 WOO X sockets per IP
    stream_outcome one, many;
    for (auto _ : state) {
        mock_child m(o, tls);
        one = streams_heap<Stream>(m, v, 1);
        if (one.failure.empty() && !one.unsupported) {
            many = streams_heap<Stream>(m, v, 1 + k);
        }
    }
    if (one.unsupported || many.unsupported) {
        state.counters["supported"] = 0;
        state.SetLabel("the mock answers the upgrade 404 (no stream endpoint)");
        return;
    }
    if (!one.failure.empty() || !many.failure.empty()) {
        state.SkipWithError((one.failure.empty() ? many.failure : one.failure).c_str());
        return;
    }
    state.counters["supported"] = 1;
    state.counters["bytes_per_stream"] =
        static_cast<double>(many.heap - one.heap) / static_cast<double>(k);
    state.counters["streams"] = static_cast<double>(k);
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
    benchmark::RegisterBenchmark("memory/bare_tls_connection",
                                 [o](benchmark::State& s) { BM_bare_tls_connection(s, o); })
        ->Iterations(1)
        ->Unit(benchmark::kMillisecond);
    struct stream_row {
        const char* name;
        void (*fn)(benchmark::State&, const options&, venue, bool);
        venue v;
        bool tls;
    };
    for (const stream_row& r : {
             stream_row{"memory/idle_stream/woox/plain",
                        BM_idle_stream<exsdk::woox::private_stream>, venue::woox, false},
             stream_row{"memory/idle_stream/woox/tls", BM_idle_stream<exsdk::woox::private_stream>,
                        venue::woox, true},
             stream_row{"memory/idle_stream/bingx/plain",
                        BM_idle_stream<exsdk::bingx::account_stream>, venue::bingx, false},
             stream_row{"memory/idle_stream/bingx/tls",
                        BM_idle_stream<exsdk::bingx::account_stream>, venue::bingx, true},
         }) {
        benchmark::RegisterBenchmark(r.name,
                                     [o, r](benchmark::State& s) { r.fn(s, o, r.v, r.tls); })
            ->Iterations(1)
            ->Unit(benchmark::kMillisecond);
    }
}

} // namespace bench

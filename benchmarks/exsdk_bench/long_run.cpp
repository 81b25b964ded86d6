// 6. Memory over long runs (issue 16): does memory stay flat when the calls go on?
//  - memory/long_run/mock: the mock_exchange program (default journal, no rate limits) driven at
//    full speed by pipelined bare connections, half BingX generates, half WOO X creates; its
//    resident memory (VmRSS) after N1 and after N2 = 5 x N1 calls (1 M and 5 M; smoke: 20 k and
//    100 k), with its state counters (GET /__admin/stats).
//  - memory/long_run/sdk: this process's resident memory and heap after N1 and N2 SDK calls
//    (16 coroutines, one woox and one bingx client, the four account calls in turn) against the
//    mock_exchange program.
//  - memory/virtual_day: a WOO X and a BingX listen_key_session against the embedded mock on a
//    manual clock for 24 virtual hours, each rotating its key every hour and receiving 1,000
//    events an hour; heap and RSS before and after (smoke: 2 hours). The heap counts chunks in
//    glibc's per-thread caches (tcache) as in use, so it may creep by a few KiB over days as the
//    caches of rarer sizes fill, then stop; with GLIBC_TUNABLES=glibc.malloc.tcache_count=0, 480
//    virtual hours measured 647,264 bytes after the first hour and 647,328 at the end.
#include "../common/load.hpp"
#include "../common/sdk_calls.hpp"
#include "benchmarks.hpp"
#include "mock_child.hpp"
#include "support/virtual_time.hpp"

#include <exsdk/bingx/listen_key_session.hpp>
#include <exsdk/manual_clock.hpp>
#include <exsdk/mock/server.hpp>
#include <exsdk/woox/listen_key_session.hpp>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include <benchmark/benchmark.h>

namespace bench {

namespace {

constexpr double kib_per_mib = 1024.0;

// --- the mock program at full speed ------------------------------------------------------------

/// Pipelined bare connections to the mock: each writes a batch of requests (alternately a BingX
/// generate and a WOO X create), then reads the answers; `calls` more in all. Returns "" or the
/// failure.
std::string drive_mock(const mock_child& m, std::size_t calls, std::size_t& done) {
    constexpr std::size_t connections = 4;
    constexpr std::size_t batch = 64;
    const auto generate = make_request(call::bingx_generate, "127.0.0.1", wall_ms());
    const auto create = make_request(call::woox_listen_key, "127.0.0.1", wall_ms());
    std::string bytes;
    for (std::size_t i = 0; i < batch / 2; ++i) {
        bytes += generate.bytes;
        bytes += create.bytes;
    }
    asio::io_context ioc(1);
    std::vector<std::unique_ptr<bare_connection>> conns;
    std::size_t remaining = (calls + batch - 1) / batch; // whole batches: at least `calls`
    std::string failure;
    for (std::size_t c = 0; c < connections; ++c) {
        conns.push_back(
            std::make_unique<bare_connection>(ioc.get_executor(), port_of(m.proc.url()), m.ca));
        asio::co_spawn(
            ioc,
            [&, conn = conns.back().get()]() -> asio::awaitable<void> {
                co_await conn->connect();
                std::string body;
                while (remaining > 0 && failure.empty()) {
                    --remaining;
                    co_await conn->write(bytes);
                    for (std::size_t i = 0; i < batch; ++i) {
                        const unsigned status = co_await conn->read_answer(body);
                        if (!is_success(i % 2 == 0 ? call::bingx_generate : call::woox_listen_key,
                                        status, body)) {
                            failure = "HTTP " + std::to_string(status) + ": " + body;
                        }
                    }
                    done += batch;
                }
            },
            [&](const std::exception_ptr& e) {
                if (e && failure.empty()) {
                    failure = "mock load connection failed";
                }
            });
    }
    ioc.run();
    return failure;
}

void BM_long_run_mock(benchmark::State& state, const options& o) {
    const std::size_t n1 = o.smoke ? 20'000 : 1'000'000;
    const std::size_t n2 = 5 * n1;
    std::string failure;
    std::int64_t rss0 = 0, rss1 = 0, rss2 = 0;
    std::string stats1, stats2;
    std::size_t done1 = 0, done2 = 0;
    double seconds = 0;
    for (auto _ : state) {
        // The default journal (100,000 entries, 64 MiB), timestamps valid for a day so that the
        // pre-signed requests stay valid.
        mock_child m(o, false,
                     {"--journal-capacity", "100000", "--ts-window-ms", "86400000",
                      "--recv-window-ms", "86400000"});
        const std::string pid = std::to_string(m.proc.pid());
        rss0 = rss_kib(pid);
        std::size_t done = 0;
        const auto t0 = now_ns();
        failure = drive_mock(m, n1, done);
        done1 = done;
        rss1 = rss_kib(pid);
        stats1 = m.admin_get("/__admin/stats");
        if (failure.empty()) {
            failure = drive_mock(m, n2 - done, done);
        }
        seconds = static_cast<double>(now_ns() - t0) / 1e9;
        done2 = done;
        rss2 = rss_kib(pid);
        stats2 = m.admin_get("/__admin/stats");
        if (failure.empty() && done < n2) {
            failure = "only " + std::to_string(done) + " calls were made";
        }
    }
    if (!failure.empty()) {
        state.SkipWithError(failure.c_str());
        return;
    }
    state.counters["calls_1"] = static_cast<double>(done1);
    state.counters["calls_2"] = static_cast<double>(done2);
    state.counters["rss_start_mib"] = static_cast<double>(rss0) / kib_per_mib;
    state.counters["rss_1_mib"] = static_cast<double>(rss1) / kib_per_mib;
    state.counters["rss_2_mib"] = static_cast<double>(rss2) / kib_per_mib;
    state.counters["ratio"] = static_cast<double>(rss2) / static_cast<double>(rss1);
    state.counters["calls_per_s"] = static_cast<double>(done2) / seconds;
    state.counters["listen_keys_1"] = static_cast<double>(json_number(stats1, "bingx_listen_keys") +
                                                          json_number(stats1, "woox_listen_keys"));
    state.counters["listen_keys_2"] = static_cast<double>(json_number(stats2, "bingx_listen_keys") +
                                                          json_number(stats2, "woox_listen_keys"));
    state.counters["journal_mib_2"] =
        static_cast<double>(json_number(stats2, "journal_bytes")) / (kib_per_mib * 1024);
    state.counters["journal_entries_2"] =
        static_cast<double>(json_number(stats2, "journal_entries"));
}

// --- one SDK process ---------------------------------------------------------------------------

void BM_long_run_sdk(benchmark::State& state, const options& o) {
    const std::size_t n1 = o.smoke ? 20'000 : 1'000'000;
    const std::size_t n2 = 5 * n1;
    constexpr std::size_t workers = 16;
    std::string failure;
    std::int64_t rss1 = 0, rss2 = 0, heap1 = 0, heap2 = 0;
    double seconds = 0;
    for (auto _ : state) {
        mock_child m(o, false);
        asio::io_context ioc(1);
        sdk_clients clients(ioc.get_executor(), m.proc.url(), m.ca, workers);
        std::vector<std::string> keys(workers);
        std::size_t done = 0;
        // Runs the four account calls in turn from `workers` coroutines until `target` calls.
        auto run_to = [&](std::size_t target) {
            for (std::size_t w = 0; w < workers; ++w) {
                asio::co_spawn(
                    ioc,
                    [&, w]() -> asio::awaitable<void> {
                        for (std::size_t i = 0; done < target && failure.empty(); ++i) {
                            ++done;
                            auto e = co_await sdk_call(clients, cycle_calls[i % 4], keys[w]);
                            if (!e.empty() && failure.empty()) {
                                failure = e;
                            }
                        }
                    },
                    asio::detached);
            }
            ioc.restart();
            ioc.run();
        };
        const auto t0 = now_ns();
        run_to(n1);
        rss1 = rss_kib();
        heap1 = heap_bytes();
        run_to(n2);
        rss2 = rss_kib();
        heap2 = heap_bytes();
        seconds = static_cast<double>(now_ns() - t0) / 1e9;
    }
    if (!failure.empty()) {
        state.SkipWithError(failure.c_str());
        return;
    }
    state.counters["calls_1"] = static_cast<double>(n1);
    state.counters["calls_2"] = static_cast<double>(n2);
    state.counters["rss_1_mib"] = static_cast<double>(rss1) / kib_per_mib;
    state.counters["rss_2_mib"] = static_cast<double>(rss2) / kib_per_mib;
    state.counters["heap_1_kib"] = static_cast<double>(heap1) / 1024;
    state.counters["heap_2_kib"] = static_cast<double>(heap2) / 1024;
    state.counters["ratio"] = static_cast<double>(rss2) / static_cast<double>(rss1);
    state.counters["calls_per_s"] = static_cast<double>(n2) / seconds;
}

// --- a virtual day of sessions -----------------------------------------------------------------

/// A session's run() and a consumer counting what next() delivers.
template <class Session>
struct consumer {
    Session& session;
    asio::cancellation_signal stop;
    bool ended = false;
    std::size_t events = 0, rotations = 0, gaps = 0;

    consumer(asio::io_context& ioc, Session& s) : session(s) {
        asio::co_spawn(
            ioc, session.run(),
            asio::bind_cancellation_slot(
                stop.slot(), [this](std::exception_ptr, exsdk::result<void>) { ended = true; }));
        asio::co_spawn(
            ioc,
            [this]() -> asio::awaitable<void> {
                for (;;) {
                    auto u = co_await session.next();
                    if (!u) {
                        co_return;
                    }
                    events += u->status == exsdk::session_status::event ? 1 : 0;
                    rotations += u->status == exsdk::session_status::key_rotated ? 1 : 0;
                    gaps += u->status == exsdk::session_status::gap ? 1 : 0;
                }
            },
            asio::detached);
    }
};

void BM_virtual_day(benchmark::State& state, const options& o) {
    using namespace std::chrono_literals;
    const int hours = o.smoke ? 2 : 24;
    constexpr int events_per_hour = 1000;
    std::int64_t heap0 = 0, heap1 = 0, rss0 = 0, rss1 = 0;
    std::size_t woox_events = 0, bingx_events = 0, woox_rot = 0, bingx_rot = 0;
    std::string failure;
    for (auto _ : state) {
        asio::io_context ioc(1);
        auto clk = std::make_shared<exsdk::manual_clock>(1'700'000'000'000);
        exsdk::mock::config mc;
        mc.clock = clk;
        mc.seed = 42;
        mc.journal_capacity = 0; // bounded, but it would fill during the day: not the SDK's
        exsdk::mock::server srv(ioc.get_executor(), mc);
        srv.start();
        auto ws = srv.base_url();
        ws.replace(0, 4, "ws");

        auto wcfg = sdk_config<exsdk::woox::config>(srv.base_url(), "", 4, woox_key, woox_secret);
        auto bcfg =
            sdk_config<exsdk::bingx::config>(srv.base_url(), "", 4, bingx_key, bingx_secret);
        wcfg.clock = clk;
        bcfg.clock = clk;
        exsdk::woox::client wrest(ioc.get_executor(), wcfg);
        exsdk::bingx::client brest(ioc.get_executor(), bcfg);
        exsdk::woox::session_config ws_cfg;
        ws_cfg.stream.url = ws + "/v3/private";
        ws_cfg.topics = {"balance"};
        ws_cfg.rotate_before_expiry = 23h; // WOO X keys live 24 h: a rotation every hour
        exsdk::bingx::session_config bs_cfg;
        bs_cfg.stream.swap_url = ws + "/swap-market";
        bs_cfg.stream.spot_url = ws + "/market";
        bs_cfg.extend_interval = 2h; // never extended: the 60 min key lapses every hour
        exsdk::woox::listen_key_session wsession(wrest, ws_cfg);
        exsdk::bingx::listen_key_session bsession(brest, bs_cfg);
        consumer<exsdk::woox::listen_key_session> wc(ioc, wsession);
        consumer<exsdk::bingx::listen_key_session> bc(ioc, bsession);
        exsdk::test::advance(ioc, *clk, 1min); // both connected
        exsdk::mock::stream_push wp, bp;
        wp.exchange = "woox";
        wp.api_key = std::string(woox_key);
        wp.topic = "balance";
        wp.data = R"({"balances":[{"t":"USDT","h":"100.5","f":"0","ts":1700000000000}]})";
        bp.exchange = "bingx";
        bp.api_key = std::string(bingx_key);
        bp.topic = "ORDER_TRADE_UPDATE";
        bp.data = R"({"o":{"s":"LINK-USDT","i":1,"S":"SELL","q":"5","p":"7.8","X":"FILLED"}})";
        // The first hour warms up (pools, buffers, the first rotation); "before" is after it.
        const auto step = std::chrono::milliseconds(3'600'000 / events_per_hour);
        for (int h = 0; h < hours; ++h) {
            if (h == 1) {
                heap0 = heap_bytes();
                rss0 = rss_kib();
            }
            for (int i = 0; i < events_per_hour; ++i) {
                srv.push_event(wp);
                srv.push_event(bp);
                exsdk::test::advance(ioc, *clk, step);
            }
        }
        heap1 = heap_bytes();
        rss1 = rss_kib();
        woox_events = wc.events;
        bingx_events = bc.events;
        woox_rot = wc.rotations;
        bingx_rot = bc.rotations;
        wc.stop.emit(asio::cancellation_type::terminal);
        bc.stop.emit(asio::cancellation_type::terminal);
        exsdk::test::run_virtual(
            ioc, *clk, [&] { return wc.ended && bc.ended; }, 1min);
        srv.stop();
        exsdk::test::drain(ioc);
        const auto expected = static_cast<std::size_t>(hours * events_per_hour);
        // Events pushed while a session reconnects after its rotation are lost (gap), as on the
        // exchange; nearly all must arrive.
        if (woox_events < expected * 9 / 10 || bingx_events < expected * 9 / 10 ||
            woox_rot + 1 < static_cast<std::size_t>(hours) ||
            bingx_rot + 1 < static_cast<std::size_t>(hours)) {
            failure = "sessions delivered " + std::to_string(woox_events) + " / " +
                      std::to_string(bingx_events) + " events, rotated " +
                      std::to_string(woox_rot) + " / " + std::to_string(bingx_rot) + " times";
        }
    }
    if (!failure.empty()) {
        state.SkipWithError(failure.c_str());
        return;
    }
    state.counters["hours"] = hours;
    state.counters["heap_before_kib"] = static_cast<double>(heap0) / 1024;
    state.counters["heap_after_kib"] = static_cast<double>(heap1) / 1024;
    state.counters["rss_before_mib"] = static_cast<double>(rss0) / kib_per_mib;
    state.counters["rss_after_mib"] = static_cast<double>(rss1) / kib_per_mib;
    state.counters["woox_events"] = static_cast<double>(woox_events);
    state.counters["bingx_events"] = static_cast<double>(bingx_events);
    state.counters["woox_rotations"] = static_cast<double>(woox_rot);
    state.counters["bingx_rotations"] = static_cast<double>(bingx_rot);
}

} // namespace

void register_long_run(const options& o) {
    benchmark::RegisterBenchmark("memory/long_run/mock",
                                 [o](benchmark::State& s) { BM_long_run_mock(s, o); })
        ->Iterations(1)
        ->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark("memory/long_run/sdk",
                                 [o](benchmark::State& s) { BM_long_run_sdk(s, o); })
        ->Iterations(1)
        ->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark("memory/virtual_day",
                                 [o](benchmark::State& s) { BM_virtual_day(s, o); })
        ->Iterations(1)
        ->Unit(benchmark::kMillisecond);
}

} // namespace bench

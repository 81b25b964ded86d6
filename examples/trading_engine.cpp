// trading_engine: how an async engine uses the SDK. Many coroutines ("strategies") share one
// client per exchange and fire far more calls than the exchanges allow; the clients' limiters
// queue them (FIFO, each waiter one pending timer) so the exchange never sees a limit broken.
// It also shows per-call timeouts and cancelling a strategy mid-wait.
//
// Against the embedded mock the engine runs in virtual time (client and mock share one
// exsdk::manual_clock on one io_context), so ten minutes of paced calls take a moment. Against a
// real exchange (--base-url / --woox-url / --bingx-url, credentials from EXSDK_*) it runs in
// real time: pick small --calls there.
//
//   trading_engine
//   trading_engine --strategies 50 --calls 4
#include "support/example_support.hpp"

#include <exsdk/bingx/client.hpp>
#include <exsdk/manual_clock.hpp>
#include <exsdk/mock/server.hpp>
#include <exsdk/timer.hpp>
#include <exsdk/woox/client.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace {

namespace asio = boost::asio;
namespace ex = exsdk::examples;
using namespace std::chrono_literals;
using exsdk::errc;

constexpr std::string_view usage =
    R"(usage: trading_engine [--strategies N] [--calls N] [--base-url URL | --woox-url URL
                      --bingx-url URL] [--ca-file FILE]

Runs N strategies per exchange (default 10), each making --calls rounds (default 10: one
permission check on WOO X, generate + extend + delete on BingX) through one shared client per exchange, plus a call with
a timeout and a strategy cancelled mid-wait. Without a URL: the embedded mock in virtual time.
)";

/// Counts of one exchange's calls.
struct tally {
    std::size_t ok = 0;
    std::size_t cancelled = 0; ///< cancelled by the engine or timed out while queued
    std::size_t failed = 0;    ///< anything else (none expected)

    template <class Result>
    void add(const Result& r) {
        if (r) {
            ++ok;
        } else if (r.error().is(errc::cancelled) || r.error().is(errc::timeout)) {
            ++cancelled;
        } else {
            ++failed;
            std::cout << "  unexpected error: " << exsdk::to_string(r.error()) << "\n";
        }
    }
};

/// Runs `op` until it completes or `d` passes on `clk`, whichever is first. On timeout the call
/// is cancelled (Asio per-operation cancellation): a call still queued in the limiter gives its
/// slot back, and the result is errc::timeout.
template <class T>
asio::awaitable<exsdk::result<T>> with_timeout(asio::awaitable<exsdk::result<T>> op,
                                               exsdk::clock::duration d,
                                               std::shared_ptr<exsdk::clock> clk) {
    auto executor = co_await asio::this_coro::executor;
    exsdk::timer t(executor, clk);
    t.expires_after(d);
    auto [order, ep, r, timer_ec] =
        co_await asio::experimental::make_parallel_group(
            asio::co_spawn(executor, std::move(op), asio::deferred), t.async_wait(asio::deferred))
            .async_wait(asio::experimental::wait_for_one(), asio::use_awaitable);
    if (ep) {
        std::rethrow_exception(ep);
    }
    if (order[0] == 1 && !timer_ec) {
        co_return exsdk::error(errc::timeout, "no answer within the call's deadline");
    }
    co_return r;
}

class engine {
public:
    engine(asio::io_context& ioc, std::shared_ptr<exsdk::clock> clk, const ex::options& opts)
        : clk_(std::move(clk)), strategies_(opts.number("--strategies", 10)),
          calls_(opts.number("--calls", 10)) {
        // One client per exchange, shared by every strategy (and so is its limiter).
        if (!opts.woox_url.empty()) {
            woox_.emplace(ioc.get_executor(), base_config<exsdk::woox::config>(
                                                  opts.woox_url, ex::woox_credentials(opts), opts));
        }
        if (!opts.bingx_url.empty()) {
            bingx_.emplace(ioc.get_executor(),
                           base_config<exsdk::bingx::config>(opts.bingx_url,
                                                             ex::bingx_credentials(opts), opts));
        }
    }

    tally woox_tally, bingx_tally;
    exsdk::clock::duration woox_elapsed{}, bingx_elapsed{};

    asio::awaitable<void> run() {
        co_await asio::this_coro::throw_if_cancelled(false);
        auto executor = co_await asio::this_coro::executor;
        using op = decltype(asio::co_spawn(executor, woox_strategy(0), asio::deferred));
        std::vector<op> ops;
        if (woox_) {
            for (std::int64_t i = 0; i < strategies_; ++i) {
                ops.push_back(asio::co_spawn(executor, woox_strategy(i), asio::deferred));
            }
            ops.push_back(asio::co_spawn(executor, woox_deadline_call(), asio::deferred));
        }
        if (bingx_) {
            for (std::int64_t i = 0; i < strategies_; ++i) {
                ops.push_back(asio::co_spawn(executor, bingx_strategy(i), asio::deferred));
            }
            ops.push_back(asio::co_spawn(executor, bingx_cancelled_strategy(), asio::deferred));
        }
        const auto start = clk_->now();
        std::cout << "Engine started: " << ops.size() << " coroutines\n";
        co_await asio::experimental::make_parallel_group(std::move(ops))
            .async_wait(asio::experimental::wait_for_all(), asio::use_awaitable);
        std::cout << "All strategies finished after "
                  << std::chrono::duration_cast<std::chrono::seconds>(clk_->now() - start).count()
                  << " s (" << (clk_->scheduler() != nullptr ? "virtual" : "real") << " time)\n";
    }

private:
    template <class Config>
    Config base_config(const std::string& url, exsdk::credentials creds,
                       const ex::options& opts) const {
        Config cfg;
        cfg.base_url = url;
        cfg.credentials = std::move(creds);
        cfg.tls.ca_file = opts.ca_file;
        cfg.clock = clk_;
        // Calls wait in the limiter for minutes here; retries are not what this shows.
        cfg.retry = exsdk::retry_policy::none();
        return cfg;
    }
    void note_woox_end() { woox_elapsed = std::max(woox_elapsed, clk_->now() - start_); }
    void note_bingx_end() { bingx_elapsed = std::max(bingx_elapsed, clk_->now() - start_); }

    // A WOO X strategy re-checks the key's permissions before each trading decision.
    asio::awaitable<void> woox_strategy(std::int64_t id) {
        for (std::int64_t i = 0; i < calls_; ++i) {
            auto r = co_await woox_->api_key_permissions(1, 25);
            woox_tally.add(r);
        }
        note_woox_end();
        (void)id;
    }

    // A latency-sensitive call that is useless if late: 5 s deadline, behind the queue.
    asio::awaitable<void> woox_deadline_call() {
        auto r = co_await with_timeout(woox_->api_key_permissions(1, 25), 5s, clk_);
        woox_tally.add(r);
        std::cout << "  WOO X call with a 5 s deadline: "
                  << (r ? std::string("answered in time")
                        : exsdk::to_string(r.error()) +
                              " (it was still queued in the limiter; its reservation was released)")
                  << "\n";
    }

    // A BingX strategy runs its account stream's listen key: generate, extend, delete.
    asio::awaitable<void> bingx_strategy(std::int64_t id) {
        for (std::int64_t i = 0; i < calls_; ++i) {
            auto key = co_await bingx_->generate_listen_key();
            bingx_tally.add(key);
            if (!key) {
                continue;
            }
            auto x = co_await bingx_->extend_listen_key(key->key);
            bingx_tally.add(x);
            auto d = co_await bingx_->delete_listen_key(key->key);
            bingx_tally.add(d);
        }
        note_bingx_end();
        (void)id;
    }

    // A strategy the engine stops after 3 s (say, its market closed). parallel_group cancels the
    // strategy through Asio per-operation cancellation when the timer completes first: the SDK
    // call it is waiting in returns errc::cancelled at once, and the strategy exits cleanly.
    asio::awaitable<void> bingx_cancelled_strategy() {
        auto executor = co_await asio::this_coro::executor;
        exsdk::timer stop_at(executor, clk_);
        stop_at.expires_after(3s);
        exsdk::error last;
        co_await asio::experimental::make_parallel_group(
            asio::co_spawn(executor, cancellable_strategy(last), asio::deferred),
            stop_at.async_wait(asio::deferred))
            .async_wait(asio::experimental::wait_for_one(), asio::use_awaitable);
        std::cout << "  BingX strategy stopped by the engine after 3 s; its pending call gave: "
                  << exsdk::to_string(last) << "\n";
    }

    asio::awaitable<void> cancellable_strategy(exsdk::error& last) {
        co_await asio::this_coro::throw_if_cancelled(false);
        for (;;) {
            auto key = co_await bingx_->generate_listen_key();
            bingx_tally.add(key);
            if (!key) {
                last = key.error();
                co_return;
            }
            auto d = co_await bingx_->delete_listen_key(key->key);
            bingx_tally.add(d);
            if (!d) {
                last = d.error();
                co_return;
            }
        }
    }

    std::shared_ptr<exsdk::clock> clk_;
    std::optional<exsdk::woox::client> woox_;
    std::optional<exsdk::bingx::client> bingx_;
    std::int64_t strategies_;
    std::int64_t calls_;
    exsdk::clock::time_point start_ = clk_->now();
};

void report(const char* name, const tally& t, exsdk::clock::duration elapsed, std::size_t limit,
            std::chrono::milliseconds window) {
    // Paced calls start in bursts of `limit` per window, so the fair average counts the last
    // window in full: calls / (elapsed + window).
    const double secs = std::chrono::duration<double>(elapsed).count() +
                        static_cast<double>(window.count()) / 1000.0;
    const double limit_rate =
        static_cast<double>(limit) / (static_cast<double>(window.count()) / 1000.0);
    char line[256];
    std::snprintf(line, sizeof line,
                  "%s: %zu ok, %zu cancelled/timed out, %zu failed; average %.3f/s over "
                  "%.0f s (limit %zu per %lld ms = %.3f/s)\n",
                  name, t.ok, t.cancelled, t.failed, static_cast<double>(t.ok) / secs, secs, limit,
                  static_cast<long long>(window.count()), limit_rate);
    std::cout << line;
}

} // namespace

int main(int argc, char** argv) {
    auto opts = ex::parse_options(argc, argv, usage, {"--strategies", "--calls"});
    if (!opts) {
        return 0;
    }
    asio::io_context ioc;
    std::shared_ptr<exsdk::clock> clk = exsdk::system_clock();
    std::unique_ptr<exsdk::mock::server> mock;
    if (opts->use_mock()) {
        clk = std::make_shared<exsdk::manual_clock>(exsdk::system_clock()->wall_now());
        exsdk::mock::config mcfg;
        mcfg.clock = clk;
        mock = std::make_unique<exsdk::mock::server>(ioc.get_executor(), std::move(mcfg));
        mock->start();
        opts->woox_url = opts->bingx_url = mock->base_url();
        std::cout << "Embedded mock exchange at " << mock->base_url() << ", virtual time\n";
    }
    bool ok = true;
    {
        engine e(ioc, clk, *opts);
        bool done = false;
        asio::co_spawn(ioc, e.run(), [&](std::exception_ptr ep) {
            done = true;
            if (ep) {
                std::rethrow_exception(ep);
            }
        });
        ex::run_until(ioc, clk, [&] { return done; });
        if (!done) {
            std::cout << "the engine did not finish\n";
            return 1;
        }
        namespace wp = exsdk::woox::protocol;
        namespace bp = exsdk::bingx::protocol;
        if (!opts->woox_url.empty()) {
            report("WOO X credentials", e.woox_tally, e.woox_elapsed,
                   wp::credentials_limit.requests, wp::credentials_limit.window);
        }
        if (!opts->bingx_url.empty()) {
            report("BingX userDataStream", e.bingx_tally, e.bingx_elapsed, bp::uid_limit.requests,
                   bp::uid_limit.window);
        }
        ok = e.woox_tally.failed == 0 && e.bingx_tally.failed == 0;
    }
    if (mock) {
        std::vector<std::int64_t> woox_times, bingx_times;
        std::size_t refused = 0;
        for (const auto& j : mock->journal()) {
            refused += (j.code == 100410 || j.code == -1003) ? 1 : 0;
            (j.exchange == "woox" ? woox_times : bingx_times).push_back(j.time_ms);
        }
        const auto w = ex::max_in_window(woox_times, 60000);
        const auto b = ex::max_in_window(bingx_times, 1000);
        std::cout << "Mock journal: " << woox_times.size() << " WOO X and " << bingx_times.size()
                  << " BingX requests; at most " << w << " WOO X requests in any 60 s (limit 10), "
                  << b << " BingX requests in any 1 s (limit 2); " << refused
                  << " answers with 100410 or -1003.\n";
        ok = ok && refused == 0 && w <= 10 && b <= 2;
        mock->stop();
        ioc.poll();
    }
    std::cout << (ok ? "OK: every call was paced within the exchanges' limits.\n" : "FAILED\n");
    return ok ? 0 : 1;
}

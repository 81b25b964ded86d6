// bingx_lifecycle: a BingX listen key's life, as a long-running program keeps it: generate,
// extend every 30 min (a key lapses 60 min after its last extend), delete when done.
//
// Against the embedded mock the program runs in virtual time: client and mock share one
// exsdk::manual_clock on one io_context, and the loop in examples/support jumps the clock to the
// next timer deadline whenever nothing is ready, so hours pass in milliseconds. The program's
// code is the same as in real time: it only ever waits on exsdk::timer.
//
//   bingx_lifecycle                      # 3 virtual hours against the embedded mock
//   bingx_lifecycle --hours 24
//   EXSDK_BINGX_API_KEY=... EXSDK_BINGX_SECRET=... bingx_lifecycle --base-url
//   https://open-api.bingx.com --hours 1 (against a real exchange the time is real: --hours 1 takes
//   an hour)
#include "support/example_support.hpp"

#include <exsdk/bingx/client.hpp>
#include <exsdk/manual_clock.hpp>
#include <exsdk/mock/server.hpp>
#include <exsdk/timer.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <iostream>
#include <memory>
#include <optional>

namespace {

namespace asio = boost::asio;
namespace ex = exsdk::examples;
namespace protocol = exsdk::bingx::protocol;
using namespace std::chrono_literals;

constexpr std::string_view usage =
    R"(usage: bingx_lifecycle [--hours N] [--base-url URL] [--ca-file FILE]

Generates a BingX listen key, extends it every 30 minutes for N hours (default 3), deletes it,
and shows that a deleted or lapsed key answers not_found. Without --base-url it runs against the
embedded mock in virtual time (instantly); with it, in real time, using EXSDK_BINGX_API_KEY and
EXSDK_BINGX_SECRET.
)";

struct lifecycle {
    exsdk::bingx::client& client;
    std::shared_ptr<exsdk::clock> clk;
    std::int64_t hours;
    bool with_lapse_demo; // needs a second key: only against the mock
    bool ok = true;

    void log(const std::string& line) const {
        std::cout << "[" << ex::format_time(clk->wall_now()) << "] " << line << "\n";
    }

    asio::awaitable<void> sleep_for(exsdk::clock::duration d) {
        exsdk::timer t(co_await asio::this_coro::executor, clk);
        t.expires_after(d);
        co_await t.async_wait(asio::use_awaitable);
    }

    void unexpected(const std::string& what, const std::optional<exsdk::error>& e = {}) {
        ok = false;
        log("UNEXPECTED: " + what + (e ? ": " + exsdk::to_string(*e) : ""));
    }

    asio::awaitable<void> run() {
        auto key = co_await client.generate_listen_key();
        if (!key) {
            unexpected("generate", key.error());
            co_return;
        }
        log("generated " + ex::shorten(key->key) + ", valid until about " +
            ex::format_time(key->valid_until));
        const auto end = clk->now() + std::chrono::hours(hours);
        int extends = 0;
        while (clk->now() + protocol::extend_interval <= end) {
            co_await sleep_for(protocol::extend_interval);
            if (auto r = co_await client.extend_listen_key(key->key); !r) {
                // In a real program: generate a new key and reconnect the stream.
                unexpected("extend", r.error());
                co_return;
            }
            ++extends;
            log("extended (" + std::to_string(extends) + "), valid for another 60 min");
        }
        if (auto r = co_await client.delete_listen_key(key->key); !r) {
            unexpected("delete", r.error());
            co_return;
        }
        log("deleted after " + std::to_string(extends) + " extends");
        if (auto r = co_await client.extend_listen_key(key->key);
            r || !r.error().is(exsdk::errc::not_found)) {
            unexpected("extending the deleted key should give not_found");
        } else {
            log("extend after delete: " + exsdk::to_string(r.error()));
        }
        if (with_lapse_demo) {
            co_await lapse_demo();
        }
    }

    // The classic pitfall: extending only every 60+ minutes lets the key lapse.
    asio::awaitable<void> lapse_demo() {
        auto key = co_await client.generate_listen_key();
        if (!key) {
            unexpected("generate", key.error());
            co_return;
        }
        log("generated " + ex::shorten(key->key) + "; now waiting 61 min without extending");
        co_await sleep_for(61min);
        if (auto r = co_await client.extend_listen_key(key->key);
            r || !r.error().is(exsdk::errc::not_found)) {
            unexpected("a key not extended for 61 min should be gone");
        } else {
            log("extend after 61 min: " + exsdk::to_string(r.error()) +
                " (so extend every 30 min)");
        }
    }
};

} // namespace

int main(int argc, char** argv) {
    auto opts = ex::parse_options(argc, argv, usage, {"--hours"});
    if (!opts) {
        return 0;
    }
    asio::io_context ioc;
    std::shared_ptr<exsdk::clock> clk = exsdk::system_clock();
    std::unique_ptr<exsdk::mock::server> mock;
    if (opts->use_mock()) {
        // One manual clock for the client and the mock, both on this io_context.
        clk = std::make_shared<exsdk::manual_clock>(exsdk::system_clock()->wall_now());
        exsdk::mock::config mcfg;
        mcfg.clock = clk;
        mock = std::make_unique<exsdk::mock::server>(ioc.get_executor(), std::move(mcfg));
        mock->start();
        opts->bingx_url = mock->base_url();
        std::cout << "Embedded mock exchange at " << mock->base_url() << ", virtual time\n";
    }
    if (opts->bingx_url.empty()) {
        std::cerr << "error: give --base-url or --bingx-url\n";
        return 2;
    }
    exsdk::bingx::config cfg;
    cfg.base_url = opts->bingx_url;
    cfg.credentials = ex::bingx_credentials(*opts);
    cfg.tls.ca_file = opts->ca_file;
    cfg.clock = clk;
    exsdk::bingx::client client(ioc.get_executor(), std::move(cfg));

    lifecycle life{client, clk, opts->number("--hours", 3), mock != nullptr};
    const auto real_start = std::chrono::steady_clock::now();
    bool done = false;
    asio::co_spawn(ioc, life.run(), [&](std::exception_ptr ep) {
        done = true;
        if (ep) {
            std::rethrow_exception(ep);
        }
    });
    ex::run_until(ioc, clk, [&] { return done; });
    if (mock) {
        mock->stop();
        ioc.poll(); // the server's handlers complete with operation_aborted
        std::cout << "(took "
                  << std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::steady_clock::now() - real_start)
                         .count()
                  << " ms of real time)\n";
    }
    return done && life.ok ? 0 : 1;
}

// quickstart: the exsdk SDK in a few minutes (the demo behind scripts/demo).
//
// Starts the embedded mock exchange (exsdk::mock::threaded_server, real time) and walks through
// the WOO X and BingX account APIs step by step: listen keys, API-key permissions, server time,
// a private stream kept alive by a listen-key session, typed errors, and a burst of concurrent
// calls paced by the client's rate limiter.
//
//   quickstart                      # against the embedded mock (default)
//   quickstart --burst 20           # a bigger burst
//   EXSDK_WOOX_API_KEY=... EXSDK_WOOX_SECRET=... quickstart --woox-url https://api.woox.io
//
// Exit status 0 when every step gave the expected result, 1 otherwise.
#include "support/example_support.hpp"

#include <exsdk/bingx/client.hpp>
#include <exsdk/mock/server.hpp>
#include <exsdk/mock/stream_push.hpp>
#include <exsdk/woox/client.hpp>
#include <exsdk/woox/listen_key_session.hpp>
#include <exsdk/woox/protocol.hpp>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/io_context.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

namespace {

namespace asio = boost::asio;
namespace ex = exsdk::examples;
using namespace std::chrono_literals;

constexpr std::string_view usage =
    R"(usage: quickstart [--burst N] [--base-url URL | --woox-url URL --bingx-url URL]
                  [--ca-file FILE]

Walks through the WOO X and BingX account APIs with the exsdk SDK. Without a URL it starts the
embedded mock exchange; with one, it uses EXSDK_WOOX_API_KEY/EXSDK_WOOX_SECRET and
EXSDK_BINGX_API_KEY/EXSDK_BINGX_SECRET (an exchange without a URL is skipped).
  --burst N   concurrent BingX generate calls in the rate-limiter demo (default 10)
)";

class quickstart {
public:
    quickstart(asio::io_context& ioc, ex::options opts, exsdk::mock::server* mock)
        : ioc_(ioc), opts_(std::move(opts)), mock_(mock) {}

    bool failed() const { return failures_ > 0; }

    asio::awaitable<void> run() {
        if (!opts_.woox_url.empty()) {
            co_await woox_part();
        }
        if (!opts_.bingx_url.empty()) {
            co_await bingx_part();
        }
        std::cout << "\n"
                  << (failures_ == 0 ? "All steps gave the expected results."
                                     : std::to_string(failures_) + " step(s) failed.")
                  << "\n";
    }

private:
    // Prints `text` indented by three spaces, wrapped at 96 columns.
    static void wrapped(const std::string& text) {
        constexpr std::size_t width = 93;
        std::string line;
        std::size_t pos = 0;
        while (pos < text.size()) {
            auto end = text.find(' ', pos);
            if (end == std::string::npos) {
                end = text.size();
            }
            const std::string word = text.substr(pos, end - pos);
            if (!line.empty() && line.size() + 1 + word.size() > width) {
                std::cout << "   " << line << "\n";
                line.clear();
            }
            line += (line.empty() ? "" : " ") + word;
            pos = end + 1;
        }
        std::cout << "   " << line << "\n";
    }
    void step(const std::string& title, const std::string& why) {
        std::cout << "\n" << ++step_ << ". " << title << "\n";
        if (!why.empty()) {
            wrapped(why);
        }
    }
    void say(const std::string& line) { wrapped(line); }
    void fail(const std::string& what, const exsdk::error& e) {
        ++failures_;
        std::cout << "   UNEXPECTED: " << what << ": " << exsdk::to_string(e) << "\n";
    }
    void fail(const std::string& what) {
        ++failures_;
        std::cout << "   UNEXPECTED: " << what << "\n";
    }

    template <class Config>
    Config make_config(const std::string& url, exsdk::credentials creds) const {
        Config cfg;
        cfg.base_url = url;
        cfg.credentials = std::move(creds);
        cfg.tls.ca_file = opts_.ca_file;
        return cfg;
    }

    // --- WOO X -------------------------------------------------------------------------------
    asio::awaitable<void> woox_part() {
        std::cout << "\n=== WOO X (" << opts_.woox_url << ") ===\n";
        exsdk::woox::client woox(
            ioc_.get_executor(),
            make_config<exsdk::woox::config>(opts_.woox_url, ex::woox_credentials(opts_)));

        step("Create a listen key for the private stream",
             "POST /v3/account/listenKey, signed with HMAC-SHA256; limit 5 per 10 s per account.");
        auto first = co_await woox.create_listen_key();
        if (!first) {
            fail("create_listen_key", first.error());
            co_return;
        }
        say("authKey " + ex::shorten(first->auth_key) + " valid until " +
            ex::format_time(first->expired_time()));

        step("List the account's API keys and their permissions, every page",
             "GET /v3/account/credentials; all_api_key_permissions() walks the pages through the "
             "limiter (page size 1 here, to show the paging).");
        auto keys = co_await woox.all_api_key_permissions(1);
        if (!keys) {
            fail("all_api_key_permissions", keys.error());
        } else {
            for (const auto& k : *keys) {
                std::string perms;
                for (const auto& p : k.permissions) {
                    perms += (perms.empty() ? "" : ",") + p;
                }
                std::string ips = "any IP";
                if (k.allowed_ips) {
                    ips.clear();
                    for (const auto& ip : *k.allowed_ips) {
                        ips += (ips.empty() ? "only " : ", ") + ip;
                    }
                }
                say(k.account_name + " (userId " + std::to_string(k.user_id) + "): key " +
                    ex::shorten(k.api_key) + "  " + perms + "  " + ips);
            }
            say(std::to_string(keys->size()) + " keys, one request per page");
        }

        step("Create a listen key again",
             "WOO X keys cannot be extended; a new POST expires the previous key at once, so never "
             "create one while a healthy stream still uses the current key.");
        auto second = co_await woox.create_listen_key();
        if (!second) {
            fail("create_listen_key", second.error());
        } else {
            say("new authKey " + ex::shorten(second->auth_key) + "; the exchange has now expired " +
                ex::shorten(first->auth_key) + " (a stream opened with it stops receiving)");
            if (second->auth_key == first->auth_key) {
                fail("the exchange returned the same key twice");
            }
        }

        step(
            "Server time and clock offset",
            "GET /v3/public/systemInfo (no signature). sync_clock() estimates the offset at the "
            "round trip's midpoint; requests are then signed with exchange time, so a skewed local "
            "clock does not get -1002 answers.");
        auto t = co_await woox.server_time();
        if (!t) {
            fail("server_time", t.error());
        } else {
            say("server time " + ex::format_time(*t));
        }
        if (auto s = co_await woox.sync_clock(); !s) {
            fail("sync_clock", s.error());
        } else {
            say("clock offset (exchange - local): " +
                std::to_string(
                    std::chrono::duration_cast<std::chrono::milliseconds>(woox.clock_offset())
                        .count()) +
                " ms");
        }
        if (mock_ != nullptr) {
            co_await stream_session(woox);
        }
    }

    // A private stream kept alive by a session; the mock pushes an event, then drops the socket.
    asio::awaitable<void> stream_session(exsdk::woox::client& woox) {
        step("Keep a private stream alive with a listen-key session",
             "woox::listen_key_session owns create key -> connect -> subscribe -> PING every 15 s "
             "-> rotate before expiry -> reconnect with backoff, and reports each state change "
             "so an engine knows when to re-sync from REST. The mock pushes a balance event, "
             "then drops the socket.");
        exsdk::woox::session_config cfg;
        cfg.stream.url = "ws" + opts_.woox_url.substr(opts_.woox_url.find(':')) +
                         std::string(exsdk::woox::protocol::private_stream_path);
        cfg.topics = {"balance"};
        exsdk::woox::listen_key_session session(woox, cfg);
        asio::cancellation_signal stop;
        auto ex = co_await asio::this_coro::executor;
        asio::co_spawn(ex, session.run(),
                       asio::bind_cancellation_slot(stop.slot(), asio::detached));
        const auto& clk = exsdk::system_clock();
        // Waits (at most 10 s) for an update with `status`, printing the ones on the way.
        auto expect = [&](exsdk::session_status status) -> asio::awaitable<bool> {
            for (;;) {
                auto u = co_await session.next(clk->now() + 10s);
                if (!u) {
                    fail(std::string("waiting for ") + exsdk::to_string(status), u.error());
                    co_return false;
                }
                std::string line = std::string("session: ") + exsdk::to_string(u->status);
                if (u->event) {
                    const auto* b = std::get_if<exsdk::woox::balance_update>(&u->event->data);
                    line += " " + u->event->topic;
                    if (b != nullptr && !b->balances.empty()) {
                        line += ": " + b->balances[0].token + " holding " + b->balances[0].holding;
                    }
                }
                if (u->status == exsdk::session_status::disconnected) {
                    line += ": " + u->detail;
                }
                if (u->status == exsdk::session_status::reconnecting) {
                    line += " in " +
                            std::to_string(
                                std::chrono::duration_cast<std::chrono::milliseconds>(u->backoff)
                                    .count()) +
                            " ms";
                }
                if (u->status == exsdk::session_status::gap) {
                    line += " of " +
                            std::to_string(
                                std::chrono::duration_cast<std::chrono::milliseconds>(u->outage)
                                    .count()) +
                            " ms: " + u->detail;
                }
                say(line);
                if (u->status == status) {
                    co_return true;
                }
            }
        };
        if (co_await expect(exsdk::session_status::connected)) {
            exsdk::mock::stream_push p;
            p.exchange = "woox";
            p.api_key = woox.get_config().credentials.api_key;
            p.topic = "balance";
            p.data = R"({"balances":[{"t":"USDT","h":"1250.5","f":"0","ts":0}]})";
            mock_->push_event(p);
            if (co_await expect(exsdk::session_status::event)) {
                mock_->drop_streams("woox");
                co_await expect(exsdk::session_status::gap);
            }
        }
        stop.emit(asio::cancellation_type::terminal);
        while (co_await session.next(clk->now() + 10s)) {
        } // run() ended: the queue closes
        say("session stopped: " + std::to_string(session.stats().connects) + " connects, " +
            std::to_string(session.stats().keys_created) + " listen key(s), " +
            std::to_string(session.stats().events) + " event(s)");
    }

    // --- BingX -------------------------------------------------------------------------------
    asio::awaitable<void> bingx_part() {
        std::cout << "\n=== BingX (" << opts_.bingx_url << ") ===\n";
        exsdk::bingx::client bingx(
            ioc_.get_executor(),
            make_config<exsdk::bingx::config>(opts_.bingx_url, ex::bingx_credentials(opts_)));

        step("Generate a listen key", "POST /openApi/user/auth/userDataStream; valid 60 min.");
        auto key = co_await bingx.generate_listen_key();
        if (!key) {
            fail("generate_listen_key", key.error());
            co_return;
        }
        say("listenKey " + ex::shorten(key->key) + " valid until about " +
            ex::format_time(key->valid_until));

        step("Extend it", "PUT ...?listenKey=...: another 60 min. Extend every 30 min; the answer "
                          "is an empty 200, which the SDK treats as success.");
        if (auto r = co_await bingx.extend_listen_key(key->key); !r) {
            fail("extend_listen_key", r.error());
        } else {
            say("extended");
        }

        step("Delete it", "DELETE ...?listenKey=...");
        if (auto r = co_await bingx.delete_listen_key(key->key); !r) {
            fail("delete_listen_key", r.error());
        } else {
            say("deleted");
        }

        step("Extend the deleted key",
             "Errors are values, never exceptions: a typed exsdk::error with the project's code, "
             "the exchange's code and message and the HTTP status.");
        if (auto r = co_await bingx.extend_listen_key(key->key); r) {
            fail("extending a deleted key succeeded");
        } else if (!r.error().is(exsdk::errc::not_found)) {
            fail("expected not_found", r.error());
        } else {
            say("error.code == exsdk::errc::not_found: " + exsdk::to_string(r.error()));
            say("(the fix in a real program: generate a new key and reconnect the stream)");
        }

        co_await burst(bingx);
    }

    asio::awaitable<bool> generate_one(exsdk::bingx::client& bingx) {
        auto r = co_await bingx.generate_listen_key();
        if (!r) {
            fail("generate_listen_key in the burst", r.error());
        }
        co_return r.has_value();
    }

    asio::awaitable<void> burst(exsdk::bingx::client& bingx) {
        const auto n = opts_.number("--burst", 10);
        step(std::to_string(n) + " concurrent generate calls through one client",
             "BingX allows 2 userDataStream calls per second per UID. The client's sliding-window "
             "limiter makes each coroutine co_await its turn (FIFO, no polling), so none is "
             "refused with 100410.");
        if (mock_ != nullptr) {
            mock_->clear_journal();
        }
        const auto& clk = exsdk::system_clock();
        const auto start = clk->now();
        // Every call is its own coroutine; all of them share the one client and its limiter.
        auto ex = co_await asio::this_coro::executor;
        using op_type = decltype(asio::co_spawn(ex, generate_one(bingx), asio::deferred));
        std::vector<op_type> calls;
        for (std::int64_t i = 0; i < n; ++i) {
            calls.push_back(asio::co_spawn(ex, generate_one(bingx), asio::deferred));
        }
        auto [order, exceptions, results] =
            co_await asio::experimental::make_parallel_group(std::move(calls))
                .async_wait(asio::experimental::wait_for_all(), asio::use_awaitable);
        std::size_t ok = 0;
        for (const bool r : results) {
            ok += r ? 1 : 0;
        }
        const double elapsed = std::chrono::duration<double>(clk->now() - start).count();
        char line[200];
        std::snprintf(line, sizeof line, "%zu of %lld calls succeeded in %.2f s", ok,
                      static_cast<long long>(n), elapsed);
        say(line);
        if (mock_ == nullptr) {
            co_return;
        }
        // What the exchange saw: the request arrival times in the mock's journal.
        std::vector<std::int64_t> arrivals;
        std::size_t refused = 0;
        for (const auto& e : mock_->journal()) {
            if (e.exchange == "bingx" && e.method == "POST") {
                arrivals.push_back(e.time_ms);
                refused += e.code == 100410 ? 1 : 0;
            }
        }
        std::sort(arrivals.begin(), arrivals.end());
        const std::size_t most_in_window = ex::max_in_window(arrivals, 1000);
        if (arrivals.size() >= 2) {
            // Average rate over the burst's windows: n starts spread over (last - first) + 1 s.
            const double span = static_cast<double>(arrivals.back() - arrivals.front()) / 1000.0;
            const double rate = static_cast<double>(arrivals.size()) / (span + 1.0);
            std::snprintf(line, sizeof line,
                          "mock journal: %zu requests, at most %zu in any 1 s window, average "
                          "%.2f/s = %.0f%% of the 2/s limit (the limiter keeps a 1%% margin)",
                          arrivals.size(), most_in_window, rate, 100.0 * rate / 2.0);
            say(line);
        }
        say("mock journal: " + std::to_string(refused) + " answers with code 100410");
        if (refused != 0 || most_in_window > 2 || ok != static_cast<std::size_t>(n)) {
            fail("the burst was not paced within the limit");
        }
    }

    asio::io_context& ioc_;
    ex::options opts_;
    exsdk::mock::server* mock_;
    int step_ = 0;
    int failures_ = 0;
};

} // namespace

int main(int argc, char** argv) {
    auto opts = ex::parse_options(argc, argv, usage, {"--burst"});
    if (!opts) {
        return 0;
    }
    std::unique_ptr<exsdk::mock::threaded_server> mock;
    if (opts->use_mock()) {
        mock = std::make_unique<exsdk::mock::threaded_server>(exsdk::mock::config{});
        opts->woox_url = opts->bingx_url = mock->base_url();
        std::cout << "exsdk quickstart: the SDK against the embedded mock exchange at "
                  << mock->base_url() << "\n(demo accounts: WOO X userId 12523, BingX uid 1001)\n";
    }
    asio::io_context ioc;
    quickstart q(ioc, *opts, mock ? &mock->get() : nullptr);
    bool finished = false;
    asio::co_spawn(ioc, q.run(), [&](std::exception_ptr ep) {
        finished = true;
        if (ep) {
            std::rethrow_exception(ep);
        }
    });
    try {
        ioc.run();
    } catch (const std::exception& e) {
        std::cerr << "quickstart: " << e.what() << "\n";
        return 1;
    }
    return finished && !q.failed() ? 0 : 1;
}

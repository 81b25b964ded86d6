// The HTTP transport against a scripted server on the same io_context: keep-alive reuse, the
// one retry after a server-closed idle connection, timeouts in virtual time, cancellation, the
// pool bound, and malformed answers. No sleeps.
#include "http/http_transport.hpp"
#include "support/virtual_time.hpp"

#include <exsdk/manual_clock.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include <gtest/gtest.h>

#include <functional>
#include <optional>

namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;
using exsdk::errc;

namespace {

// What the server does with the n-th request it reads on a connection (n counts per connection).
enum class reply { ok, close_after_ok, hang, close_without_answer, garbage, huge };

struct scripted_server {
    asio::io_context& ioc;
    tcp::acceptor acceptor;
    std::function<reply(int connection, int request)> script;
    int connections = 0;
    int requests = 0;
    std::vector<std::string> targets;

    explicit scripted_server(asio::io_context& c)
        : ioc(c), acceptor(c, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
        asio::co_spawn(ioc, accept_loop(), asio::detached);
    }

    std::string url() const {
        return "http://127.0.0.1:" + std::to_string(acceptor.local_endpoint().port());
    }

    asio::awaitable<void> accept_loop() {
        for (;;) {
            auto [ec, sock] = co_await acceptor.async_accept(asio::as_tuple(asio::use_awaitable));
            if (ec) {
                co_return;
            }
            asio::co_spawn(ioc, serve(std::move(sock), connections++), asio::detached);
        }
    }

    asio::awaitable<void> serve(tcp::socket sock, int conn) {
        boost::beast::flat_buffer buf;
        for (int n = 0;; ++n) {
            http::request<http::string_body> req;
            auto [ec, _] =
                co_await http::async_read(sock, buf, req, asio::as_tuple(asio::use_awaitable));
            if (ec) {
                co_return;
            }
            ++requests;
            targets.push_back(std::string(req.target()));
            const reply what = script ? script(conn, n) : reply::ok;
            if (what == reply::hang) {
                co_await http::async_read(sock, buf, req, asio::as_tuple(asio::use_awaitable));
                co_return;
            }
            if (what == reply::close_without_answer) {
                co_return;
            }
            std::string out;
            if (what == reply::garbage) {
                out = "HTTP/9 nonsense\r\n\r\n";
            } else {
                const std::string body =
                    what == reply::huge ? std::string(2 << 20, 'x')
                                        : R"({"ok":true,"n":)" + std::to_string(requests) + "}";
                out = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " +
                      std::to_string(body.size()) + "\r\n\r\n" + body;
            }
            auto [wec, _2] = co_await asio::async_write(sock, asio::buffer(out),
                                                        asio::as_tuple(asio::use_awaitable));
            if (wec || what == reply::close_after_ok) {
                co_return; // closes without a Connection: close header, like an idle timeout
            }
        }
    }
};

struct fixture {
    asio::io_context ioc;
    std::shared_ptr<exsdk::manual_clock> clk =
        std::make_shared<exsdk::manual_clock>(1'700'000'000'000);
    scripted_server server{ioc};
    exsdk::transport_config cfg;

    std::unique_ptr<exsdk::detail::http_transport> make_transport(std::string url = {}) {
        auto u = exsdk::detail::parse_base_url(url.empty() ? server.url() : url);
        EXPECT_TRUE(u);
        return std::make_unique<exsdk::detail::http_transport>(ioc.get_executor(), *u,
                                                               exsdk::tls_config{}, cfg, clk);
    }

    // Sends one GET and drives virtual time until it completes.
    exsdk::result<exsdk::http_response> send(exsdk::detail::http_transport& t,
                                             std::string target = "/x") {
        std::optional<exsdk::result<exsdk::http_response>> out;
        asio::co_spawn(
            ioc,
            [&]() -> asio::awaitable<void> {
                exsdk::http_request req;
                req.target = target;
                out = co_await t.send(req);
            },
            asio::detached);
        EXPECT_TRUE(exsdk::test::run_virtual(ioc, *clk, [&] { return out.has_value(); }));
        return out.value_or(exsdk::error(exsdk::errc::protocol, "did not complete"));
    }
};

TEST(http_transport, reuses_one_keep_alive_connection) {
    fixture f;
    auto t = f.make_transport();
    for (int i = 1; i <= 3; ++i) {
        auto r = f.send(*t, "/n" + std::to_string(i));
        ASSERT_TRUE(r) << r.error();
        EXPECT_EQ(r->status, 200u);
        EXPECT_EQ(r->body, R"({"ok":true,"n":)" + std::to_string(i) + "}");
    }
    EXPECT_EQ(f.server.connections, 1);
    EXPECT_EQ(f.server.targets, (std::vector<std::string>{"/n1", "/n2", "/n3"}));
    EXPECT_EQ(t->open_connections(), 1u);
    // Nothing of the transport waits once no request is in flight (io_context::run() returns).
    EXPECT_EQ(f.clk->pending(), 0u);
}

TEST(http_transport, a_hanging_request_times_out_alone) {
    fixture f;
    f.cfg.max_connections = 2;
    f.cfg.request_timeout = 7s;
    f.server.script = [](int conn, int) { return conn == 0 ? reply::hang : reply::ok; };
    auto t = f.make_transport();
    std::optional<exsdk::result<exsdk::http_response>> slow, fast;
    std::optional<exsdk::clock::time_point> fast_at;
    const auto start = f.clk->now();
    asio::co_spawn(
        f.ioc,
        [&]() -> asio::awaitable<void> {
            exsdk::http_request req;
            req.target = "/slow";
            slow = co_await t->send(req);
        },
        asio::detached);
    exsdk::test::drain(f.ioc); // the first request holds connection 0
    f.clk->advance(3s);
    asio::co_spawn(
        f.ioc,
        [&]() -> asio::awaitable<void> {
            exsdk::http_request req;
            req.target = "/fast";
            fast = co_await t->send(req);
            fast_at = f.clk->now();
        },
        asio::detached);
    ASSERT_TRUE(exsdk::test::run_virtual(f.ioc, *f.clk, [&] { return slow && fast; }));
    ASSERT_TRUE(*fast);
    EXPECT_EQ(*fast_at - start, 3s); // answered at once
    ASSERT_FALSE(*slow);
    EXPECT_EQ(slow->error().code, errc::timeout);
    EXPECT_EQ(f.clk->now() - start, 7s); // exactly its own deadline
    EXPECT_EQ(f.clk->pending(), 0u);
}

TEST(http_transport, resends_once_on_a_fresh_connection_when_the_server_closed_the_idle_one) {
    fixture f;
    f.server.script = [](int conn, int) { return conn == 0 ? reply::close_after_ok : reply::ok; };
    auto t = f.make_transport();
    ASSERT_TRUE(f.send(*t));
    auto r = f.send(*t); // the pooled connection is dead: the request goes out again, once
    ASSERT_TRUE(r) << r.error();
    EXPECT_EQ(f.server.connections, 2);
    EXPECT_EQ(f.server.requests, 2);
}

TEST(http_transport, does_not_resend_when_a_fresh_connection_fails) {
    fixture f;
    f.server.script = [](int, int) { return reply::close_without_answer; };
    auto t = f.make_transport();
    auto r = f.send(*t);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, errc::network);
    EXPECT_EQ(f.server.requests, 1);
}

TEST(http_transport, request_timeout_runs_on_the_injected_clock) {
    fixture f;
    f.cfg.request_timeout = 7s;
    f.server.script = [](int, int) { return reply::hang; };
    auto t = f.make_transport();
    const auto start = f.clk->now();
    auto r = f.send(*t);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, errc::timeout);
    EXPECT_EQ(f.clk->now() - start, 7s); // exactly the timeout, in virtual time
    // The timed-out connection was dropped; the transport still works.
    f.server.script = nullptr;
    EXPECT_TRUE(f.send(*t));
}

TEST(http_transport, connection_refused_is_a_network_error) {
    fixture f;
    tcp::acceptor closed(f.ioc, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    const auto port = closed.local_endpoint().port();
    closed.close();
    auto t = f.make_transport("http://127.0.0.1:" + std::to_string(port));
    auto r = f.send(*t);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, errc::network);
    EXPECT_NE(r.error().message.find("refused"), std::string::npos) << r.error().message;
}

TEST(http_transport, malformed_and_oversized_answers_are_protocol_errors) {
    fixture f;
    f.cfg.max_response_bytes = 1 << 20;
    f.server.script = [](int conn, int) { return conn == 0 ? reply::garbage : reply::huge; };
    auto t = f.make_transport();
    auto garbage = f.send(*t);
    ASSERT_FALSE(garbage);
    EXPECT_EQ(garbage.error().code, errc::protocol) << garbage.error();
    auto huge = f.send(*t);
    ASSERT_FALSE(huge);
    EXPECT_EQ(huge.error().code, errc::protocol) << huge.error();
}

TEST(http_transport, cancellation_returns_at_once_and_leaves_the_transport_usable) {
    fixture f;
    f.cfg.max_connections = 1;
    f.server.script = [](int conn, int) { return conn == 0 ? reply::hang : reply::ok; };
    auto t = f.make_transport();
    std::optional<exsdk::result<exsdk::http_response>> first, queued;
    asio::cancellation_signal cancel_first, cancel_queued;
    auto spawn = [&](auto& out, auto& sig) {
        asio::co_spawn(
            f.ioc,
            [&]() -> asio::awaitable<void> {
                exsdk::http_request req;
                req.target = "/";
                out = co_await t->send(req);
            },
            asio::bind_cancellation_slot(sig.slot(), asio::detached));
    };
    spawn(first, cancel_first);
    spawn(queued, cancel_queued); // waits for the only connection slot
    exsdk::test::drain(f.ioc);
    EXPECT_FALSE(first || queued);
    const auto before = f.clk->now();
    cancel_queued.emit(asio::cancellation_type::terminal); // cancel a waiter for a slot
    exsdk::test::drain(f.ioc);
    ASSERT_TRUE(queued);
    EXPECT_EQ(queued->error().code, errc::cancelled);
    cancel_first.emit(asio::cancellation_type::terminal); // cancel an in-flight request
    exsdk::test::drain(f.ioc);
    ASSERT_TRUE(first);
    EXPECT_EQ(first->error().code, errc::cancelled);
    EXPECT_EQ(f.clk->now(), before); // both returned without any time passing
    EXPECT_EQ(f.clk->pending(), 0u); // no timer left behind
    // The slot came back: a new request gets a fresh connection and an answer.
    auto r = f.send(*t);
    ASSERT_TRUE(r) << r.error();
}

TEST(http_transport, concurrent_requests_share_at_most_max_connections) {
    fixture f;
    f.cfg.max_connections = 2;
    auto t = f.make_transport();
    int done = 0;
    for (int i = 0; i < 10; ++i) {
        asio::co_spawn(
            f.ioc,
            [&]() -> asio::awaitable<void> {
                exsdk::http_request req;
                req.target = "/";
                auto r = co_await t->send(req);
                EXPECT_TRUE(r);
                ++done;
            },
            asio::detached);
    }
    ASSERT_TRUE(exsdk::test::run_virtual(f.ioc, *f.clk, [&] { return done == 10; }));
    EXPECT_EQ(f.server.requests, 10);
    EXPECT_LE(f.server.connections, 2);
    EXPECT_LE(t->open_connections(), 2u);
}

TEST(http_transport, idle_connections_older_than_the_idle_timeout_are_not_reused) {
    fixture f;
    f.cfg.idle_timeout = 30s;
    auto t = f.make_transport();
    ASSERT_TRUE(f.send(*t));
    f.clk->advance(31s);
    ASSERT_TRUE(f.send(*t));
    EXPECT_EQ(f.server.connections, 2);
    EXPECT_EQ(t->open_connections(), 1u);
}

} // namespace

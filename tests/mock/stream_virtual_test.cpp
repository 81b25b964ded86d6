// The streams with the embedded server and a coroutine client on one io_context, driven in
// virtual time (tests/support/virtual_time.hpp) the way SDK session tests drive them: hours of
// heartbeats pass in milliseconds, nothing races, and stop() leaves no timer behind.
#include "support.hpp"
#include "support/virtual_time.hpp"
#include "ws_client.hpp"

#include <exsdk/timer.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>

namespace mocktest {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace mock = exsdk::mock;
using tcp = asio::ip::tcp;

/// One request on a fresh connection; the answer's body.
asio::awaitable<std::string> fetch(std::uint16_t port, std::string req) {
    auto ex = co_await asio::this_coro::executor;
    tcp::socket s(ex);
    co_await s.async_connect({asio::ip::make_address("127.0.0.1"), port}, asio::use_awaitable);
    co_await asio::async_write(s, asio::buffer(req), asio::use_awaitable);
    beast::flat_buffer buf;
    http::response<http::string_body> res;
    co_await http::async_read(s, buf, res, asio::use_awaitable);
    co_return res.body();
}

struct embedded {
    asio::io_context ioc;
    std::shared_ptr<exsdk::manual_clock> clk = std::make_shared<exsdk::manual_clock>(t0);
    std::unique_ptr<mock::server> srv;

    embedded() {
        mock::config cfg;
        cfg.clock = clk;
        cfg.seed = 3;
        srv = std::make_unique<mock::server>(ioc.get_executor(), cfg);
        srv->start();
    }
    /// stop() leaves nothing pending: run() returns and no timer waits on the clock.
    void stop_and_check() {
        srv->stop();
        ioc.restart();
        ioc.run();
        EXPECT_EQ(clk->pending(), 0u);
    }
};

TEST(stream_virtual_time, bingx_swap_answers_pings_for_an_hour_then_the_key_expires) {
    embedded e;
    int pings = 0;
    std::vector<ws_event> events;
    bool done = false;
    asio::co_spawn(
        e.ioc,
        [&]() -> asio::awaitable<void> {
            auto body = co_await fetch(e.srv->port(),
                                       "POST /openApi/user/auth/userDataStream HTTP/1.1\r\nHost: "
                                       "a\r\nX-BX-APIKEY: bingx-demo-api-key-0001\r\n"
                                       "Content-Length: 0\r\n\r\n");
            const std::string key(parse_json(body).at("listenKey").as_string());
            async_ws_client c(e.ioc.get_executor(), e.srv->port());
            if (co_await c.connect("/swap-market?listenKey=" + key)) {
                for (;;) {
                    auto ev = co_await c.next();
                    if (ev.is_message() && ev.data == "Ping") {
                        ++pings;
                        co_await c.send("Pong");
                        continue;
                    }
                    events.push_back(ev);
                    if (!ev.is_message()) {
                        break;
                    }
                }
            }
            done = true;
        },
        asio::detached);
    ASSERT_TRUE(exsdk::test::run_virtual(
        e.ioc, *e.clk, [&] { return done; }, 3h));
    EXPECT_EQ(pings, 719); // at 5 s, 10 s, ... 3595 s
    ASSERT_EQ(events.size(), 2u);
    EXPECT_TRUE(events[0].gzip);
    EXPECT_EQ(parse_json(events[0].data).at("e").as_string(), "listenKeyExpired");
    EXPECT_EQ(parse_json(events[0].data).at("E").as_int64(), t0 + 3600000);
    EXPECT_EQ(events[1].what, ws_event::kind::closed);
    EXPECT_EQ(events[1].code, 1000);
    EXPECT_EQ(e.clk->wall_ms(), t0 + 3600000);
    e.stop_and_check();
}

TEST(stream_virtual_time, a_woox_client_pinging_every_15_s_lives_24_h) {
    embedded e;
    int pongs = 0;
    ws_event last;
    bool done = false;
    exsdk::timer pinger(e.ioc.get_executor(), e.clk);
    auto client = std::make_shared<async_ws_client>(e.ioc.get_executor(), e.srv->port());
    asio::co_spawn(
        e.ioc,
        [&]() -> asio::awaitable<void> {
            const std::string body = R"({"type":"WEBSOCKET"})";
            std::string req = "POST /v3/account/listenKey HTTP/1.1\r\nHost: a\r\n";
            for (const auto& [k, v] :
                 woox_headers(demo::woox_key, demo::woox_secret, e.clk->wall_ms(), "POST",
                              "/v3/account/listenKey", body)) {
                req += k + ": " + v + "\r\n";
            }
            req += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
            auto answer = co_await fetch(e.srv->port(), req);
            const std::string key(parse_json(answer).at("data").at("authKey").as_string());
            if (!co_await client->connect("/v3/private?key=" + key)) {
                done = true;
                co_return;
            }
            // The pinger: {"cmd":"PING"} every 15 s on the shared clock.
            asio::co_spawn(
                e.ioc,
                [&]() -> asio::awaitable<void> {
                    while (!done) { // checked before every wait: none is left behind
                        pinger.expires_after(15s);
                        auto [ec] = co_await pinger.async_wait(asio::as_tuple(asio::use_awaitable));
                        if (ec || done) {
                            co_return;
                        }
                        co_await client->send(R"({"cmd":"PING","ts":1})");
                    }
                },
                asio::detached);
            for (;;) {
                auto ev = co_await client->next();
                if (ev.what == ws_event::kind::text) {
                    pongs += parse_json(ev.data).at("cmd").as_string() == "PONG" ? 1 : 0;
                    continue;
                }
                last = ev;
                break;
            }
            done = true;
            pinger.cancel();
        },
        asio::detached);
    ASSERT_TRUE(exsdk::test::run_virtual(
        e.ioc, *e.clk, [&] { return done; }, 48h));
    EXPECT_GE(pongs, 5759); // 24 h / 15 s, the last one racing the close
    EXPECT_EQ(last.what, ws_event::kind::closed);
    EXPECT_EQ(last.code, 1001);
    EXPECT_EQ(last.reason, "connection lifetime (24 h) reached");
    EXPECT_EQ(e.clk->wall_ms(), t0 + 24 * 3600000LL);
    auto j = e.srv->journal();
    ASSERT_FALSE(j.empty());
    EXPECT_EQ(j.back().kind, "stream_close");
    EXPECT_EQ(j.back().code, 1001);
    e.stop_and_check();
}

TEST(stream_virtual_time, stop_with_a_socket_open_leaves_nothing_pending) {
    embedded e;
    bool connected = false;
    auto client = std::make_shared<async_ws_client>(e.ioc.get_executor(), e.srv->port());
    asio::co_spawn(
        e.ioc,
        [&]() -> asio::awaitable<void> {
            auto body = co_await fetch(e.srv->port(),
                                       "POST /openApi/user/auth/userDataStream HTTP/1.1\r\nHost: "
                                       "a\r\nX-BX-APIKEY: bingx-demo-api-key-0001\r\n"
                                       "Content-Length: 0\r\n\r\n");
            const std::string key(parse_json(body).at("listenKey").as_string());
            connected = co_await client->connect("/market?listenKey=" + key);
            co_await client->send(R"({"id":"1","reqType":"sub","dataType":"ACCOUNT_UPDATE"})");
            (void)co_await client->next(); // the ack
        },
        asio::detached);
    exsdk::test::drain(e.ioc);
    ASSERT_TRUE(connected);
    EXPECT_EQ(e.srv->stream_count(), 1u);
    EXPECT_GE(e.clk->pending(), 1u); // the socket's heartbeat timer
    e.stop_and_check();
    EXPECT_EQ(e.srv->stream_count(), 0u);
}

} // namespace
} // namespace mocktest

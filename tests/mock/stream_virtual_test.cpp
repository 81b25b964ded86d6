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
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
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

/// A signed POST /v3/account/listenKey request at `ts`.
std::string woox_listen_key_request(std::int64_t ts) {
    const std::string body = R"({"type":"WEBSOCKET"})";
    std::string req = "POST /v3/account/listenKey HTTP/1.1\r\nHost: a\r\n";
    for (const auto& [k, v] : woox_headers(demo::woox_key, demo::woox_secret, ts, "POST",
                                           "/v3/account/listenKey", body)) {
        req += k + ": " + v + "\r\n";
    }
    return req + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

struct embedded {
    asio::io_context ioc;
    std::shared_ptr<exsdk::manual_clock> clk = std::make_shared<exsdk::manual_clock>(t0);
    std::unique_ptr<mock::server> srv;

    explicit embedded(const std::function<void(mock::config&)>& tweak = {}) {
        mock::config cfg;
        cfg.clock = clk;
        cfg.seed = 3;
        if (tweak) {
            tweak(cfg);
        }
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
            auto answer = co_await fetch(e.srv->port(), woox_listen_key_request(e.clk->wall_ms()));
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

/// A websocket spoken by hand on a raw TCP socket: whatever frames the test wants to send,
/// masked or not, and the server's frames as they come (no close answered, no pong sent).
struct raw_ws {
    tcp::socket s;
    std::string in; ///< received bytes not yet taken

    explicit raw_ws(asio::any_io_executor ex) : s(std::move(ex)) {}

    /// Connects and upgrades; the answer's status line.
    asio::awaitable<std::string> open(std::uint16_t port, std::string target) {
        co_await s.async_connect({asio::ip::make_address("127.0.0.1"), port}, asio::use_awaitable);
        const std::string req = "GET " + target +
                                " HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\n"
                                "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                                "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n";
        co_await asio::async_write(s, asio::buffer(req), asio::use_awaitable);
        const auto n = co_await asio::async_read_until(s, asio::dynamic_buffer(in), "\r\n\r\n",
                                                       asio::use_awaitable);
        std::string head = in.substr(0, in.find("\r\n"));
        in.erase(0, n);
        co_return head;
    }

    /// One text frame (payload under 126 bytes), masked as a client must, or not.
    asio::awaitable<void> send_text(std::string_view payload, bool masked) {
        std::string f;
        f.push_back(static_cast<char>(0x81));
        f.push_back(static_cast<char>((masked ? 0x80U : 0U) | payload.size()));
        constexpr std::string_view mask = "\x12\x34\x56\x78";
        if (masked) {
            f.append(mask);
        }
        for (std::size_t i = 0; i < payload.size(); ++i) {
            f.push_back(masked ? static_cast<char>(payload[i] ^ mask[i % 4]) : payload[i]);
        }
        co_await asio::async_write(s, asio::buffer(f), asio::use_awaitable);
    }

    /// The next server frame: (opcode, payload); opcode -1 when the server closed TCP first.
    asio::awaitable<std::pair<int, std::string>> next() {
        auto need = [&](std::size_t n) -> asio::awaitable<bool> {
            while (in.size() < n) {
                char buf[4096];
                auto [ec, got] = co_await s.async_read_some(asio::buffer(buf),
                                                            asio::as_tuple(asio::use_awaitable));
                if (ec) {
                    co_return false;
                }
                in.append(buf, got);
            }
            co_return true;
        };
        if (!co_await need(2)) {
            co_return std::pair<int, std::string>{-1, in};
        }
        std::size_t len = static_cast<unsigned char>(in[1]) & 0x7fU;
        std::size_t head = 2;
        if (len == 126) {
            if (!co_await need(4)) {
                co_return std::pair<int, std::string>{-1, in};
            }
            len = (std::size_t{static_cast<unsigned char>(in[2])} << 8U) |
                  static_cast<unsigned char>(in[3]);
            head = 4;
        }
        if (!co_await need(head + len)) {
            co_return std::pair<int, std::string>{-1, in};
        }
        std::pair<int, std::string> f{static_cast<unsigned char>(in[0]) & 0x0fU,
                                      in.substr(head, len)};
        in.erase(0, head + len);
        co_return f;
    }
};

/// A close frame's status code.
int close_code_of(const std::string& payload) {
    return payload.size() < 2 ? 1005
                              : (static_cast<unsigned char>(payload[0]) << 8U) |
                                    static_cast<unsigned char>(payload[1]);
}

TEST(stream_virtual_time, a_socket_failed_for_a_protocol_violation_leaves_at_once) {
    // One socket per IP, so the failed socket's slot is seen to be free again.
    embedded e([](mock::config& c) { c.woox_max_streams_per_ip = 1; });
    raw_ws raw(e.ioc.get_executor());
    std::string key, status, ack;
    bool step = false;
    asio::co_spawn(
        e.ioc,
        [&]() -> asio::awaitable<void> {
            auto answer = co_await fetch(e.srv->port(), woox_listen_key_request(e.clk->wall_ms()));
            key = std::string(parse_json(answer).at("data").at("authKey").as_string());
            status = co_await raw.open(e.srv->port(), "/v3/private?key=" + key);
            co_await raw.send_text(R"({"id":"1","cmd":"SUBSCRIBE","params":["position"]})", true);
            ack = (co_await raw.next()).second;
            step = true;
        },
        asio::detached);
    ASSERT_TRUE(exsdk::test::run_virtual(
        e.ioc, *e.clk, [&] { return step; }, 1s));
    EXPECT_EQ(status, "HTTP/1.1 101 Switching Protocols");
    EXPECT_TRUE(parse_json(ack).at("success").as_bool()) << ack;
    mock::stream_push p;
    p.exchange = "woox";
    p.account_id = demo::woox_user_id;
    p.topic = "position";
    p.data = R"({"n":1})";
    EXPECT_EQ(e.srv->push_event(p), 1u);
    EXPECT_EQ(e.srv->stream_count(), 1u);

    // The push arrives; then one unmasked client frame: the server fails the connection.
    std::pair<int, std::string> pushed, closed;
    step = false;
    asio::co_spawn(
        e.ioc,
        [&]() -> asio::awaitable<void> {
            pushed = co_await raw.next();
            co_await raw.send_text("hi", false);
            closed = co_await raw.next();
            step = true;
        },
        asio::detached);
    ASSERT_TRUE(exsdk::test::run_virtual(
        e.ioc, *e.clk, [&] { return step; }, 1s));
    EXPECT_EQ(pushed.first, 1);
    EXPECT_EQ(parse_json(pushed.second).at("data").at("n").as_int64(), 1);
    ASSERT_EQ(closed.first, 8) << closed.second; // close
    EXPECT_EQ(close_code_of(closed.second), 1002);
    const auto failed_at = e.clk->now();
    const auto connections = e.srv->connection_count();

    // At once, while the client stays silent: not listed, not counted, not delivered to,
    // its per-IP slot free, journaled as the server's close with the code it sent.
    EXPECT_TRUE(e.srv->streams().empty());
    EXPECT_EQ(e.srv->stream_count(), 0u);
    EXPECT_EQ(e.srv->push_event(p), 0u);
    std::string listed, delivered;
    bool second_admitted = false;
    step = false;
    auto second = std::make_shared<async_ws_client>(e.ioc.get_executor(), e.srv->port());
    asio::co_spawn(
        e.ioc,
        [&]() -> asio::awaitable<void> {
            listed =
                co_await fetch(e.srv->port(), "GET /__admin/streams HTTP/1.1\r\nHost: a\r\n\r\n");
            const std::string body =
                R"({"exchange":"woox","accountId":12523,"topic":"position","data":{}})";
            delivered =
                co_await fetch(e.srv->port(), "POST /__admin/events HTTP/1.1\r\nHost: a\r\n"
                                              "Content-Length: " +
                                                  std::to_string(body.size()) + "\r\n\r\n" + body);
            second_admitted = co_await second->connect("/v3/private?key=" + key);
            step = true;
        },
        asio::detached);
    ASSERT_TRUE(exsdk::test::run_virtual(
        e.ioc, *e.clk, [&] { return step; }, 1s));
    EXPECT_EQ(e.clk->now(), failed_at); // no time passed
    EXPECT_EQ(parse_json(listed), parse_json(R"({"streams":[]})"));
    EXPECT_EQ(parse_json(delivered), parse_json(R"({"delivered":0})"));
    EXPECT_TRUE(second_admitted) << second->status(); // the limit is 1 per IP
    bool journaled = false;
    for (const auto& j : e.srv->journal()) {
        if (j.kind == "stream_close") {
            EXPECT_FALSE(journaled) << "one close entry";
            journaled = true;
            EXPECT_EQ(j.method, "server");
            EXPECT_EQ(j.code, 1002);
        }
    }
    EXPECT_TRUE(journaled);

    // The silent client gets nothing more (the server shuts its side down after the close
    // frame), and the server lets go of the connection 5 s later (close_timeout, on the mock's
    // clock) although the client never answers the close.
    std::pair<int, std::string> after;
    step = false;
    asio::co_spawn(
        e.ioc,
        [&]() -> asio::awaitable<void> {
            after = co_await raw.next();
            step = true;
        },
        asio::detached);
    ASSERT_TRUE(exsdk::test::run_virtual(
        e.ioc, *e.clk, [&] { return step; }, 1s));
    EXPECT_EQ(after.first, -1);
    EXPECT_EQ(after.second, "");                           // not a byte after the close frame
    EXPECT_EQ(e.srv->connection_count(), connections + 1); // + the second socket
    exsdk::test::advance(e.ioc, *e.clk, 4999ms);
    EXPECT_EQ(e.srv->connection_count(), connections + 1);
    exsdk::test::advance(e.ioc, *e.clk, 1ms);
    EXPECT_EQ(e.clk->now() - failed_at, 5s);
    EXPECT_EQ(e.srv->connection_count(), connections); // the failed one is gone
    second.reset();
    e.stop_and_check();
}

} // namespace
} // namespace mocktest

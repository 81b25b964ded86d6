// The HTTP layer of the mock: keep-alive, pipelining, chunked and oversized bodies, malformed
// requests, slow and idle clients closed in virtual time, and 1,000 concurrent connections.
#include "bingx_answers.hpp"
#include "support.hpp"
#include "woox_answers.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>

#include <sys/resource.h>

namespace mocktest {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

constexpr std::string_view system_info = "/v3/public/systemInfo";
constexpr std::string_view listen_key = "/v3/account/listenKey";
constexpr std::string_view uds = "/openApi/user/auth/userDataStream";

class http_test : public mock_fixture {
protected:
    void SetUp() override { start(); }
};

TEST_F(http_test, keep_alive_serves_many_requests_on_one_connection) {
    auto c = client();
    for (int i = 0; i < 50; ++i) {
        auto r = c.request("GET", system_info);
        ASSERT_EQ(r.status, 200u);
        EXPECT_TRUE(r.keep_alive);
    }
    EXPECT_EQ(server().connection_count(), 1u);
}

TEST_F(http_test, http_1_0_closes_unless_keep_alive_is_asked) {
    auto c = client();
    c.send_raw("GET /v3/public/systemInfo HTTP/1.0\r\n\r\n");
    auto r = c.read_response();
    EXPECT_EQ(r.status, 200u);
    EXPECT_EQ(r.header("Connection"), "close");
    EXPECT_TRUE(c.wait_closed());
    auto k = client();
    k.send_raw("GET /v3/public/systemInfo HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
    r = k.read_response();
    EXPECT_EQ(r.header("Connection"), "keep-alive");
    k.send_raw("GET /v3/public/systemInfo HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
    EXPECT_EQ(k.read_response().status, 200u);
}

TEST_F(http_test, pipelined_requests_are_answered_in_order) {
    auto c = client();
    c.send_raw("GET /v3/public/systemInfo HTTP/1.1\r\nHost: a\r\n\r\n"
               "GET /openApi/swap/v2/server/time HTTP/1.1\r\nHost: a\r\n\r\n"
               "GET /v3/nope HTTP/1.1\r\nHost: a\r\n\r\n");
    EXPECT_NE(c.read_response().body.find("System is functioning"), std::string::npos);
    EXPECT_NE(c.read_response().body.find("serverTime"), std::string::npos);
    EXPECT_EQ(c.read_response().status, 404u);
}

TEST_F(http_test, head_gets_headers_without_a_body) {
    auto c = client();
    auto r = c.request("HEAD", system_info);
    EXPECT_EQ(r.status, 405u);
    EXPECT_TRUE(r.body.empty());
    EXPECT_EQ(c.request("GET", system_info).status, 200u); // the connection is still in sync
}

TEST_F(http_test, chunked_request_bodies_are_accepted) {
    auto c = client();
    const std::string body(R"({"type":"WEBSOCKET"})");
    auto h = woox_headers(demo::woox_key, demo::woox_secret, now_ms(), "POST", listen_key, body);
    std::string req =
        "POST /v3/account/listenKey HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n";
    for (const auto& [k, v] : h) {
        req += k + ": " + v + "\r\n";
    }
    req += "\r\n8\r\n" + body.substr(0, 8) + "\r\nc\r\n" + body.substr(8) + "\r\n0\r\n\r\n";
    c.send_raw(req);
    auto r = c.read_response();
    EXPECT_EQ(r.status, 200u) << r.body;
    EXPECT_NE(r.body.find("authKey"), std::string::npos);
}

TEST_F(http_test, oversized_content_length_gets_413_in_the_woox_envelope_then_close) {
    auto c = client();
    c.send_raw("POST /v3/account/listenKey HTTP/1.1\r\nHost: a\r\nContent-Length: 1048577\r\n"
               "x-api-key: AbmyVJGUpN064ks5ELjLfA==\r\n\r\n");
    auto r = c.read_response();
    EXPECT_EQ(r.status, 413u);
    EXPECT_EQ(parse_json(r.body),
              boost::json::parse(R"({"success":false,"code":-1005,"message":")" +
                                 std::string(exsdk::mock::woox_answers::body_too_large) + "\"}"));
    EXPECT_EQ(r.header("Connection"), "close");
    EXPECT_TRUE(c.wait_closed());
    auto j = server().journal();
    ASSERT_EQ(j.size(), 1u);
    EXPECT_EQ(j[0].http_status, 413);
    EXPECT_EQ(j[0].code, -1005);
}

TEST_F(http_test, exactly_the_limit_is_accepted) {
    auto c = client();
    const std::string body(1 << 20, ' ');
    auto r = woox(c, "POST", listen_key, body);
    EXPECT_EQ(r.status, 400u) << r.body; // parsed (and rejected as a parameter error)
}

TEST_F(http_test, oversized_chunked_body_gets_413_in_the_bingx_envelope_while_sending) {
    auto c = client();
    c.send_raw("POST /openApi/user/auth/userDataStream HTTP/1.1\r\nHost: a\r\n"
               "Transfer-Encoding: chunked\r\n\r\n");
    const std::string chunk(64 * 1024, 'x');
    char size_line[32];
    std::snprintf(size_line, sizeof size_line, "%zx\r\n", chunk.size());
    for (int i = 0; i < 20; ++i) { // 1.25 MiB: the server answers 413 and discards the rest
        c.send_raw(std::string(size_line) + chunk + "\r\n");
    }
    c.send_raw("0\r\n\r\n");
    auto r = c.read_response();
    EXPECT_EQ(r.status, 413u);
    auto v = parse_json(r.body);
    EXPECT_EQ(v.at("code").as_int64(), 80014);
    EXPECT_EQ(v.at("msg").as_string(), exsdk::mock::bingx_answers::body_too_large);
    EXPECT_TRUE(r.has_header("X-RateLimit-Requests-Remain"));
    EXPECT_TRUE(c.wait_closed());
}

TEST_F(http_test, the_body_limit_is_configurable) {
    srv_.reset();
    auto cfg = base_config();
    cfg.max_body_bytes = 10;
    start(cfg);
    auto c = client();
    auto r = woox(c, "POST", listen_key, R"({"type":"WEBSOCKET"})");
    EXPECT_EQ(r.status, 413u);
    auto other = client();
    r = other.request("POST", "/elsewhere", {}, std::string(11, 'x'));
    EXPECT_EQ(r.status, 413u);
    EXPECT_EQ(parse_json(r.body).at("code").as_int64(), 413);
}

TEST_F(http_test, malformed_http_gets_400_and_close) {
    auto c = client();
    c.send_raw("THIS IS NOT HTTP\r\n\r\n");
    auto r = c.read_response();
    EXPECT_EQ(r.status, 400u);
    EXPECT_TRUE(c.wait_closed());
    auto c2 = client();
    c2.send_raw("POST /v3/account/listenKey HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n");
    EXPECT_EQ(c2.read_response().status, 400u);
    // The server is fine.
    auto c3 = client();
    EXPECT_EQ(c3.request("GET", system_info).status, 200u);
}

TEST_F(http_test, header_block_over_the_limit_gets_431) {
    auto c = client();
    c.send_raw("GET /v3/public/systemInfo HTTP/1.1\r\nX-Big: " + std::string(20000, 'a') +
               "\r\n\r\n");
    EXPECT_EQ(c.read_response().status, 431u);
    EXPECT_TRUE(c.wait_closed());
}

TEST_F(http_test, expect_100_continue_is_honoured) {
    auto c = client();
    const std::string body(R"({"type":"WEBSOCKET"})");
    auto h = woox_headers(demo::woox_key, demo::woox_secret, now_ms(), "POST", listen_key, body);
    std::string req = "POST /v3/account/listenKey HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\n"
                      "Content-Length: " +
                      std::to_string(body.size()) + "\r\n";
    for (const auto& [k, v] : h) {
        req += k + ": " + v + "\r\n";
    }
    c.send_raw(req + "\r\n");
    EXPECT_EQ(c.read_response().status, 100u);
    c.send_raw(body);
    EXPECT_EQ(c.read_response().status, 200u);
}

TEST_F(http_test, paths_outside_both_exchanges_get_a_neutral_404) {
    auto c = client();
    auto r = c.request("GET", "/");
    EXPECT_EQ(r.status, 404u);
    EXPECT_EQ(parse_json(r.body).at("code").as_int64(), 404);
    // Upgrade requests to paths that are not streams are plain requests.
    const header_list upgrade{{"Connection", "Upgrade"},
                              {"Upgrade", "websocket"},
                              {"Sec-WebSocket-Version", "13"},
                              {"Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="}};
    r = c.request("GET", "/v3/public?key=abc", upgrade);
    EXPECT_EQ(r.status, 404u);
    EXPECT_EQ(parse_json(r.body).at("code").as_int64(), -1006);
    EXPECT_TRUE(r.keep_alive);
    // A stream path with an unknown key: refused (401, WOO X body), then closed.
    r = c.request("GET", "/v3/private?key=abc", upgrade);
    EXPECT_EQ(r.status, 401u);
    EXPECT_EQ(parse_json(r.body).at("code").as_int64(), -1002);
    EXPECT_FALSE(r.keep_alive);
    auto j = server().journal();
    ASSERT_EQ(j.size(), 3u);
    EXPECT_EQ(j[0].exchange, "");
    EXPECT_EQ(j[1].exchange, "woox");
    EXPECT_EQ(j[1].kind, "rest");
    EXPECT_EQ(j[2].kind, "stream_connect");
    EXPECT_EQ(j[2].http_status, 401);
}

// ---- slow and idle clients, in virtual time ------------------------------------------------

TEST_F(http_test, slow_headers_are_closed_at_the_header_timeout_others_unaffected) {
    auto slow = client();
    slow.send_raw("GET /v3/public/systemInfo HTTP/1.1\r\nHost: a\r\n"); // never finishes
    ASSERT_TRUE(wait_until([&] {
        auto d = clock->next_deadline();
        return d && *d == clock->now() + 10s; // the header timeout is armed
    }));
    // Another client is served meanwhile.
    auto other = client();
    EXPECT_EQ(other.request("GET", system_info).status, 200u);
    advance(10s);
    EXPECT_TRUE(slow.wait_closed());
    EXPECT_EQ(other.request("GET", system_info).status, 200u);
    ASSERT_TRUE(wait_until([&] { return server().connection_count() == 1; }));
}

TEST_F(http_test, slow_body_is_closed_at_the_body_timeout) {
    srv_.reset();
    auto cfg = base_config();
    cfg.header_timeout = 50s;
    cfg.body_timeout = 5s;
    start(cfg);
    auto slow = client();
    slow.send_raw(
        "POST /v3/account/listenKey HTTP/1.1\r\nHost: a\r\nContent-Length: 20\r\n\r\n{\"ty");
    ASSERT_TRUE(wait_until([&] {
        auto d = clock->next_deadline();
        return d && *d == clock->now() + 5s; // the body timeout is armed
    }));
    advance(5s);
    EXPECT_TRUE(slow.wait_closed());
}

TEST_F(http_test, idle_keep_alive_connections_are_closed_at_the_idle_timeout) {
    srv_.reset();
    auto cfg = base_config();
    cfg.idle_timeout = 5s;
    start(cfg);
    auto c = client();
    ASSERT_EQ(c.request("GET", system_info).status, 200u);
    advance(5s - 1ms);
    ASSERT_EQ(c.request("GET", system_info).status, 200u); // still open: same connection
    EXPECT_EQ(server().connection_count(), 1u);
    advance(5s); // idle since the last answer
    EXPECT_TRUE(c.wait_closed());
}

TEST_F(http_test, half_open_client_that_never_sends_is_closed_at_the_idle_timeout) {
    srv_.reset();
    auto cfg = base_config();
    cfg.idle_timeout = 60s;
    start(cfg);
    auto c = client();
    c.connect();
    ASSERT_TRUE(wait_until([&] { return server().connection_count() == 1; }));
    ASSERT_TRUE(wait_until([&] { return clock->pending() >= 1; }));
    advance(60s);
    EXPECT_TRUE(c.wait_closed());
    ASSERT_TRUE(wait_until([&] { return server().connection_count() == 0; }));
}

// ---- scale ---------------------------------------------------------------------------------

TEST_F(http_test, holds_1000_concurrent_keep_alive_connections) {
    constexpr std::size_t n = 1000;
    rlimit lim{};
    ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &lim), 0);
    const rlim_t want = 4 * n + 256; // both ends live in this process
    if (lim.rlim_cur < want) {
        lim.rlim_cur = std::min<rlim_t>(want, lim.rlim_max);
        ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &lim), 0);
    }
    ASSERT_GE(lim.rlim_cur, 2 * n + 64) << "hard RLIMIT_NOFILE too low";

    asio::io_context ioc;
    const tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), port());
    std::vector<tcp::socket> socks;
    std::vector<beast::flat_buffer> bufs(n);
    socks.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
        socks.emplace_back(ioc).connect(ep);
    }
    ASSERT_TRUE(wait_until([&] { return server().connection_count() == n; }));
    const std::string req = "GET /openApi/swap/v2/server/time HTTP/1.1\r\nHost: a\r\n\r\n";
    for (int round = 0; round < 2; ++round) {
        for (auto& s : socks) { // every connection has a request in flight at once
            asio::write(s, asio::buffer(req));
        }
        for (std::size_t i = 0; i < n; ++i) {
            http::response<http::string_body> res;
            http::read(socks[i], bufs[i], res);
            ASSERT_EQ(res.result_int(), 200u) << i;
            ASSERT_TRUE(res.keep_alive());
        }
    }
    EXPECT_EQ(server().connection_count(), n);
    socks.clear();
    ASSERT_TRUE(wait_until([&] { return server().connection_count() == 0; }));
}

} // namespace
} // namespace mocktest

namespace mocktest {
namespace {

TEST_F(http_test, connections_beyond_max_connections_are_closed_at_once) {
    srv_.reset();
    auto cfg = base_config();
    cfg.max_connections = 2;
    start(cfg);
    auto a = client();
    auto b = client();
    ASSERT_EQ(a.request("GET", system_info).status, 200u);
    ASSERT_EQ(b.request("GET", system_info).status, 200u);
    auto c = client();
    c.connect();
    EXPECT_TRUE(c.wait_closed()); // no answer: closed as soon as accepted
    EXPECT_EQ(a.request("GET", system_info).status, 200u);
    b.close();
    ASSERT_TRUE(wait_until([&] { return server().connection_count() == 1; }));
    auto d = client();
    EXPECT_EQ(d.request("GET", system_info).status, 200u);
}

TEST_F(http_test, ipv6_loopback_listener) {
    srv_.reset();
    auto cfg = base_config();
    cfg.host = "::1";
    try {
        start(cfg);
    } catch (const std::system_error& e) {
        GTEST_SKIP() << "no IPv6 loopback here: " << e.what();
    }
    EXPECT_EQ(server().base_url(), "http://[::1]:" + std::to_string(port()));
    http_client c("::1", port());
    auto r = c.request("GET", "/__admin/health");
    EXPECT_EQ(r.status, 200u);
    c.request("GET", system_info);
    EXPECT_EQ(server().journal().at(0).peer, "::1");
}

} // namespace
} // namespace mocktest

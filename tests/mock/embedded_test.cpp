// The embedded server on the caller's own io_context: start/stop rules, errors, and a whole
// listen-key lifecycle in virtual time (client and mock share one io_context and one clock).
#include "support.hpp"
#include "support/virtual_time.hpp"

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

/// One request on a fresh connection, as a coroutine on the caller's io_context.
asio::awaitable<http::response<http::string_body>> fetch(std::uint16_t port, std::string req) {
    auto ex = co_await asio::this_coro::executor;
    tcp::socket s(ex);
    co_await s.async_connect({asio::ip::make_address("127.0.0.1"), port}, asio::use_awaitable);
    co_await asio::async_write(s, asio::buffer(req), asio::use_awaitable);
    beast::flat_buffer buf;
    http::response<http::string_body> res;
    co_await http::async_read(s, buf, res, asio::use_awaitable);
    co_return res;
}

std::string bingx_request(std::string_view method, std::int64_t now, std::string params) {
    params += (params.empty() ? "" : "&") + std::string("timestamp=") + std::to_string(now);
    return std::string(method) + " /openApi/user/auth/userDataStream?" +
           bingx_signed(demo::bingx_secret, params) +
           " HTTP/1.1\r\nHost: a\r\nX-BX-APIKEY: " + std::string(demo::bingx_key) +
           "\r\nContent-Length: 0\r\n\r\n";
}

TEST(embedded, serves_on_the_callers_io_context_and_stop_leaves_nothing_pending) {
    asio::io_context ioc;
    auto clk = std::make_shared<exsdk::manual_clock>(t0);
    mock::config cfg;
    cfg.clock = clk;
    mock::server srv(ioc.get_executor(), cfg);
    srv.start();
    ASSERT_NE(srv.port(), 0);
    EXPECT_EQ(srv.base_url(), "http://127.0.0.1:" + std::to_string(srv.port()));
    EXPECT_EQ(srv.ca_pem(), "");
    EXPECT_EQ(srv.clock(), cfg.clock);
    unsigned status = 0;
    asio::co_spawn(
        ioc,
        [&]() -> asio::awaitable<void> {
            auto res = co_await fetch(srv.port(), "GET /v3/public/systemInfo HTTP/1.1\r\nHost: "
                                                  "a\r\n\r\n");
            status = res.result_int();
            srv.stop(); // from inside the executor: run() then returns
        },
        asio::detached);
    ioc.run(); // returns only when nothing of the server is left pending
    EXPECT_EQ(status, 200u);
    EXPECT_EQ(clk->pending(), 0u);
    srv.stop(); // idempotent
}

TEST(embedded, a_listen_key_lifecycle_in_virtual_time) {
    asio::io_context ioc;
    auto clk = std::make_shared<exsdk::manual_clock>(t0);
    mock::config cfg;
    cfg.clock = clk;
    mock::server srv(ioc.get_executor(), cfg);
    srv.start();
    std::vector<unsigned> statuses;
    bool done = false;
    asio::co_spawn(
        ioc,
        [&]() -> asio::awaitable<void> {
            auto res = co_await fetch(srv.port(), bingx_request("POST", clk->wall_ms(), {}));
            const auto key = std::string(parse_json(res.body()).at("listenKey").as_string());
            exsdk::timer t(co_await asio::this_coro::executor, clk);
            for (int i = 0; i < 4; ++i) { // extend every 30 min for 2 hours
                t.expires_after(30min);
                co_await t.async_wait(asio::use_awaitable);
                res = co_await fetch(srv.port(),
                                     bingx_request("PUT", clk->wall_ms(), "listenKey=" + key));
                statuses.push_back(res.result_int());
            }
            t.expires_after(61min); // then let it lapse
            co_await t.async_wait(asio::use_awaitable);
            res = co_await fetch(srv.port(),
                                 bingx_request("PUT", clk->wall_ms(), "listenKey=" + key));
            statuses.push_back(res.result_int());
            done = true;
        },
        asio::detached);
    ASSERT_TRUE(exsdk::test::run_virtual(ioc, *clk, [&] { return done; }));
    EXPECT_EQ(statuses, (std::vector<unsigned>{200, 200, 200, 200, 404}));
    EXPECT_EQ(clk->wall_ms(), t0 + (4 * 30 + 61) * 60 * 1000);
    srv.stop();
    ioc.run();
}

TEST(embedded, start_errors) {
    asio::io_context ioc;
    mock::server a(ioc.get_executor(), {});
    a.start();
    EXPECT_THROW(a.start(), std::logic_error);
    mock::config taken;
    taken.port = a.port();
    mock::server b(ioc.get_executor(), taken);
    EXPECT_THROW(b.start(), std::system_error); // address in use
    mock::config bad_host;
    bad_host.host = "not-an-address";
    mock::server c(ioc.get_executor(), bad_host);
    EXPECT_THROW(c.start(), std::system_error);
    a.stop();
    ioc.run();
}

TEST(embedded, invalid_config_is_rejected_at_construction) {
    asio::io_context ioc;
    mock::config cfg;
    cfg.accounts.bingx.push_back(cfg.accounts.bingx[0]); // duplicate uid and key
    EXPECT_THROW(mock::server(ioc.get_executor(), cfg), std::invalid_argument);
    mock::server ok(ioc.get_executor(), {});
    auto dup = mock::accounts::demo();
    dup.woox[0].api_keys.push_back(dup.woox[0].api_keys[0]);
    EXPECT_THROW(ok.set_accounts(dup), std::invalid_argument);
    EXPECT_EQ(ok.get_accounts(), mock::accounts::demo());
}

TEST(embedded, destroying_a_server_that_was_never_started_is_fine) {
    asio::io_context ioc;
    { mock::server s(ioc.get_executor(), {}); }
    ioc.run();
}

TEST(embedded, threaded_server_stop_is_idempotent_and_safe_from_another_thread) {
    mock::threaded_server srv(mock::config{});
    http_client c(srv.base_url());
    EXPECT_EQ(c.request("GET", "/v3/public/systemInfo").status, 200u);
    srv.get().stop(); // posts to the server's thread and waits
    EXPECT_TRUE(c.wait_closed());
    srv.stop();
    srv.stop();
}

} // namespace
} // namespace mocktest

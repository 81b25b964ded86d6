// The stream clients against the mock exchange's websocket streams, in virtual time: subscribe,
// heartbeats, gzip, typed decoding of pushed payloads, refusals and server-side closes.
#include "mock_env.hpp"

#include <exsdk/bingx/account_stream.hpp>
#include <exsdk/bingx/client.hpp>
#include <exsdk/mock/stream_push.hpp>
#include <exsdk/woox/client.hpp>
#include <exsdk/woox/private_stream.hpp>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/json/serialize.hpp>

using namespace std::chrono_literals;
using exsdk::errc;
using exsdk::test::mock_env;
using exsdk::test::push;

namespace {

exsdk::woox::stream_config woox_stream_cfg(mock_env& env) {
    exsdk::woox::stream_config cfg;
    cfg.url = env.ws_url("/v3/private");
    cfg.clock = env.clk;
    return cfg;
}

exsdk::bingx::stream_config bingx_stream_cfg(mock_env& env) {
    exsdk::bingx::stream_config cfg;
    cfg.spot_url = env.ws_url("/market");
    cfg.swap_url = env.ws_url("/swap-market");
    cfg.clock = env.clk;
    return cfg;
}

const std::string woox_key = "AbmyVJGUpN064ks5ELjLfA==";
const std::string bingx_key = "bingx-demo-api-key-0001";

TEST(woox_stream, subscribes_and_decodes_pushed_events) {
    mock_env env;
    exsdk::woox::client rest(env.ioc.get_executor(), env.woox_config());
    auto key = env.run(rest.create_listen_key());
    ASSERT_TRUE(key);
    exsdk::woox::private_stream s(env.ioc.get_executor(), woox_stream_cfg(env));
    ASSERT_TRUE(env.run(s.connect(key->auth_key)));
    auto accepted = env.run(s.subscribe({"executionreport", "balance", "nosuchtopic"}));
    ASSERT_TRUE(accepted) << accepted.error();
    EXPECT_EQ(*accepted, (std::vector<std::string>{"executionreport", "balance"}));

    EXPECT_EQ(
        env.mock().push_event(push(
            "woox", woox_key, "executionreport",
            R"({"s":"PERP_BTC_USDT","oid":42,"sd":"BUY","px":"30000.5","sx":"0.1","ss":"NEW","mk":false})")),
        1u);
    EXPECT_EQ(env.mock().push_event(push("woox", woox_key, "position", R"({"positions":[]})")),
              0u); // not subscribed
    EXPECT_EQ(
        env.mock().push_event(push("woox", woox_key, "balance",
                                   R"({"balances":[{"t":"USDT","h":"100","f":"0.5","ts":1}]})")),
        1u);
    auto first = env.run(s.next());
    ASSERT_TRUE(first) << first.error();
    EXPECT_EQ(first->topic, "executionreport");
    const auto& r = std::get<exsdk::woox::execution_report>(first->data);
    EXPECT_EQ(r.order_id, 42);
    EXPECT_EQ(r.price, "30000.5");
    EXPECT_EQ(first->ts, env.clk->wall_ms());
    auto second = env.run(s.next());
    ASSERT_TRUE(second);
    EXPECT_EQ(std::get<exsdk::woox::balance_update>(second->data).balances.at(0).holding, "100");
    EXPECT_EQ(s.queued(), 0u);

    ASSERT_TRUE(env.run(s.unsubscribe({"balance"})));
    EXPECT_EQ(env.mock().push_event(push("woox", woox_key, "balance", R"({"balances":[]})")), 0u);
    EXPECT_EQ(env.run(s.subscribe(std::vector<std::string>(11, "balance"))).error().code,
              errc::invalid_argument);
}

TEST(woox_stream, pings_keep_the_socket_past_the_idle_rule) {
    mock_env env;
    exsdk::woox::client rest(env.ioc.get_executor(), env.woox_config());
    auto key = env.run(rest.create_listen_key());
    exsdk::woox::private_stream s(env.ioc.get_executor(), woox_stream_cfg(env));
    ASSERT_TRUE(env.run(s.connect(key->auth_key)));
    ASSERT_TRUE(env.run(s.subscribe({"balance"})));
    exsdk::test::advance(env.ioc, *env.clk, 10min); // the server closes after 60 s of silence
    EXPECT_TRUE(s.is_open());
    EXPECT_EQ(env.mock().push_event(push("woox", woox_key, "balance", R"({"balances":[]})")), 1u);
    EXPECT_TRUE(env.run(s.next()));
}

TEST(woox_stream, a_silent_client_is_closed_by_the_server) {
    mock_env env;
    exsdk::woox::client rest(env.ioc.get_executor(), env.woox_config());
    auto key = env.run(rest.create_listen_key());
    auto cfg = woox_stream_cfg(env);
    cfg.ping_interval = 10min; // longer than the server's 60 s idle rule
    exsdk::woox::private_stream s(env.ioc.get_executor(), cfg);
    ASSERT_TRUE(env.run(s.connect(key->auth_key)));
    auto ended = env.run(s.next());
    ASSERT_FALSE(ended);
    EXPECT_EQ(ended.error().code, errc::network) << ended.error();
    EXPECT_FALSE(s.is_open());
}

TEST(woox_stream, refused_and_replaced_keys) {
    mock_env env;
    exsdk::woox::private_stream s(env.ioc.get_executor(), woox_stream_cfg(env));
    auto refused = env.run(s.connect("no-such-key"));
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, errc::unauthorized);
    EXPECT_EQ(refused.error().http_status, 401);

    exsdk::woox::client rest(env.ioc.get_executor(), env.woox_config());
    auto key = env.run(rest.create_listen_key());
    ASSERT_TRUE(env.run(s.connect(key->auth_key)));
    ASSERT_TRUE(env.run(rest.create_listen_key())); // expires the key this socket uses
    auto ended = env.run(s.next());
    ASSERT_FALSE(ended);
    EXPECT_NE(ended.error().message.find("1008"), std::string::npos) << ended.error();
}

TEST(bingx_stream, swap_events_arrive_gunzipped_and_typed) {
    mock_env env;
    exsdk::bingx::client rest(env.ioc.get_executor(), env.bingx_config());
    auto key = env.run(rest.generate_listen_key());
    ASSERT_TRUE(key);
    exsdk::bingx::account_stream s(env.ioc.get_executor(), bingx_stream_cfg(env));
    ASSERT_TRUE(env.run(s.connect(exsdk::bingx::market::swap, key->key)));
    EXPECT_EQ(
        env.mock().push_event(push(
            "bingx", bingx_key, "ACCOUNT_UPDATE",
            R"({"T":1,"a":{"m":"ORDER","B":[{"a":"USDT","wb":"10","cw":"9","bc":"1"}],"P":[]}})")),
        1u);
    EXPECT_EQ(
        env.mock().push_event(push("bingx", bingx_key, "ORDER_TRADE_UPDATE",
                                   R"({"o":{"s":"LINK-USDT","i":7,"S":"SELL","X":"FILLED"}})")),
        1u);
    auto a = env.run(s.next());
    ASSERT_TRUE(a) << a.error();
    EXPECT_EQ(a->type, "ACCOUNT_UPDATE");
    EXPECT_EQ(std::get<exsdk::bingx::account_update>(a->data).balances.at(0).wallet_balance, "10");
    auto o = env.run(s.next());
    ASSERT_TRUE(o);
    EXPECT_EQ(std::get<exsdk::bingx::order_trade_update>(o->data).order_id, 7);
}

TEST(bingx_stream, answers_server_pings_by_itself) {
    mock_env env;
    exsdk::bingx::client rest(env.ioc.get_executor(), env.bingx_config());
    auto key = env.run(rest.generate_listen_key());
    for (auto m : {exsdk::bingx::market::swap, exsdk::bingx::market::spot}) {
        exsdk::bingx::account_stream s(env.ioc.get_executor(), bingx_stream_cfg(env));
        ASSERT_TRUE(env.run(s.connect(m, key->key)));
        exsdk::test::advance(env.ioc, *env.clk, 2min); // 24 pings; unanswered -> dropped at 15 s
        EXPECT_TRUE(s.is_open());
        ASSERT_TRUE(env.run(rest.extend_listen_key(key->key)));
    }
}

TEST(bingx_stream, spot_subscription_and_execution_report) {
    mock_env env;
    exsdk::bingx::client rest(env.ioc.get_executor(), env.bingx_config());
    auto key = env.run(rest.generate_listen_key());
    exsdk::bingx::account_stream s(env.ioc.get_executor(), bingx_stream_cfg(env));
    ASSERT_TRUE(env.run(s.connect(exsdk::bingx::market::spot, key->key)));
    EXPECT_EQ(env.mock().push_event(push("bingx", bingx_key, "spot.executionReport", R"({"i":1})")),
              0u); // not subscribed yet
    auto sub = env.run(s.subscribe("spot.executionReport"));
    ASSERT_TRUE(sub) << sub.error();
    EXPECT_EQ(
        env.mock().push_event(push("bingx", bingx_key, "spot.executionReport",
                                   R"({"s":"BTC-USDT","S":"BUY","i":99,"X":"NEW","c":"cid"})")),
        1u);
    auto ev = env.run(s.next());
    ASSERT_TRUE(ev) << ev.error();
    EXPECT_EQ(ev->type, "executionReport");
    const auto& r = std::get<exsdk::bingx::execution_report>(ev->data);
    EXPECT_EQ(r.order_id, 99);
    EXPECT_EQ(r.client_order_id, "cid");
}

/// POST /__admin/events on a fresh connection; the answer's body.
boost::asio::awaitable<exsdk::result<std::string>> admin_push(std::uint16_t port,
                                                              std::string body) {
    namespace http = boost::beast::http;
    boost::asio::ip::tcp::socket s(co_await boost::asio::this_coro::executor);
    co_await s.async_connect({boost::asio::ip::make_address("127.0.0.1"), port},
                             boost::asio::use_awaitable);
    http::request<http::string_body> req(http::verb::post, "/__admin/events", 11);
    req.set(http::field::host, "127.0.0.1");
    req.set(http::field::content_type, "application/json");
    req.body() = std::move(body);
    req.prepare_payload();
    co_await http::async_write(s, req, boost::asio::use_awaitable);
    boost::beast::flat_buffer buf;
    http::response<http::string_body> res;
    co_await http::async_read(s, buf, res, boost::asio::use_awaitable);
    co_return res.body();
}

TEST(bingx_stream, spot_balance_pushed_through_admin_events_arrives_typed) {
    mock_env env;
    exsdk::bingx::client rest(env.ioc.get_executor(), env.bingx_config());
    auto key = env.run(rest.generate_listen_key());
    ASSERT_TRUE(key);
    exsdk::bingx::account_stream s(env.ioc.get_executor(), bingx_stream_cfg(env));
    ASSERT_TRUE(env.run(s.connect(exsdk::bingx::market::spot, key->key)));
    ASSERT_TRUE(env.run(s.subscribe("ACCOUNT_UPDATE")));
    // The balance of spec 2.4's spot frame (what ccxt pro's watchBalance waits for).
    auto answer = env.run(admin_push(
        env.mock().port(),
        R"({"exchange":"bingx","apiKey":"bingx-demo-api-key-0001","topic":"ACCOUNT_UPDATE",)"
        R"("data":{"T":1696242817142,"a":{"B":[{"a":"USDT","bc":"-1.0","cw":"86.59",)"
        R"("wb":"86.59"}],"m":"ASSET_TRANSFER"}}})"));
    ASSERT_TRUE(answer);
    EXPECT_EQ(*answer, R"({"delivered":1})");
    auto ev = env.run(s.next());
    ASSERT_TRUE(ev) << ev.error();
    EXPECT_EQ(ev->type, "ACCOUNT_UPDATE");
    EXPECT_FALSE(ev->raw.as_object().contains("data")); // bare, not wrapped
    const auto* a = std::get_if<exsdk::bingx::account_update>(&ev->data);
    ASSERT_NE(a, nullptr) << "not typed: " << boost::json::serialize(ev->raw);
    EXPECT_EQ(a->event_time, exsdk::test::t0_ms);
    EXPECT_EQ(a->transaction_time, 1696242817142);
    EXPECT_EQ(a->reason, "ASSET_TRANSFER");
    ASSERT_EQ(a->balances.size(), 1u);
    EXPECT_EQ(a->balances[0].asset, "USDT");
    EXPECT_EQ(a->balances[0].wallet_balance, "86.59");
    EXPECT_EQ(a->balances[0].balance_change, "-1.0");
}

TEST(bingx_stream, listen_key_expired_is_the_last_frame) {
    mock_env env;
    exsdk::bingx::client rest(env.ioc.get_executor(), env.bingx_config());
    auto key = env.run(rest.generate_listen_key());
    exsdk::bingx::account_stream s(env.ioc.get_executor(), bingx_stream_cfg(env));
    ASSERT_TRUE(env.run(s.connect(exsdk::bingx::market::swap, key->key)));
    exsdk::test::advance(env.ioc, *env.clk, 61min); // never extended
    auto ev = env.run(s.next());
    ASSERT_TRUE(ev) << ev.error();
    ASSERT_TRUE(std::holds_alternative<exsdk::bingx::listen_key_expired>(ev->data));
    EXPECT_EQ(std::get<exsdk::bingx::listen_key_expired>(ev->data).listen_key, key->key);
    EXPECT_FALSE(env.run(s.next())); // closed after it
}

TEST(bingx_stream, deleting_the_key_closes_its_sockets_and_unknown_keys_are_refused) {
    mock_env env;
    exsdk::bingx::client rest(env.ioc.get_executor(), env.bingx_config());
    auto key = env.run(rest.generate_listen_key());
    exsdk::bingx::account_stream s(env.ioc.get_executor(), bingx_stream_cfg(env));
    ASSERT_TRUE(env.run(s.connect(exsdk::bingx::market::swap, key->key)));
    ASSERT_TRUE(env.run(rest.delete_listen_key(key->key)));
    EXPECT_FALSE(env.run(s.next()));
    auto refused = env.run(s.connect(exsdk::bingx::market::swap, key->key));
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, errc::not_found);
}

} // namespace

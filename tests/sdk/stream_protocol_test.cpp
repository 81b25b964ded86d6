// Both stream protocols without I/O: commands, acks, heartbeats and typed decoding of the spec's
// sample payloads (../shared/spec/exchange-api.md 1.4 and 2.4).
#include <exsdk/bingx/stream_protocol.hpp>
#include <exsdk/woox/stream_protocol.hpp>

#include <boost/json/parse.hpp>

#include <gtest/gtest.h>

namespace {

namespace wp = exsdk::woox::stream_protocol;
namespace bp = exsdk::bingx::stream_protocol;

template <class T, class V>
const T& as(const V& v) {
    EXPECT_TRUE(std::holds_alternative<T>(v));
    return std::get<T>(v);
}

TEST(woox_stream_protocol, commands) {
    const std::vector<std::string> topics{"executionreport", "balance"};
    EXPECT_EQ(boost::json::parse(wp::subscribe_command("1", topics)),
              boost::json::parse(
                  R"({"id":"1","cmd":"SUBSCRIBE","params":["executionreport","balance"]})"));
    EXPECT_EQ(boost::json::parse(wp::unsubscribe_command("2", topics)).at("cmd"), "UN_SUBSCRIBE");
    EXPECT_EQ(wp::ping_command(1700000000000), R"({"cmd":"PING","ts":1700000000000})");
}

TEST(woox_stream_protocol, acks_pong_and_errors) {
    auto ok = wp::parse_frame(
        R"({"id":"1","cmd":"SUBSCRIBE","success":true,"time":1700000000000,"data":["executionreport","balance"]})");
    ASSERT_TRUE(ok);
    const auto& a = as<wp::ack>(*ok);
    EXPECT_EQ(a.id, "1");
    EXPECT_TRUE(a.success);
    EXPECT_EQ(a.topics, (std::vector<std::string>{"executionreport", "balance"}));

    auto bad = wp::parse_frame(
        R"({"id":"7","cmd":"SUBSCRIBE","success":false,"time":1,"data":"Command type invalid!"})");
    ASSERT_TRUE(bad);
    EXPECT_FALSE(as<wp::ack>(*bad).success);
    EXPECT_EQ(as<wp::ack>(*bad).message, "Command type invalid!");

    auto pong = wp::parse_frame(R"({"cmd":"PONG","success":true,"time":1700000000123})");
    ASSERT_TRUE(pong);
    EXPECT_EQ(as<wp::pong>(*pong).time, 1700000000123);

    auto err = wp::parse_frame(
        R"({"id":"","cmd":"ERROR","success":false,"time":1,"data":"Invalid request."})");
    ASSERT_TRUE(err);
    EXPECT_EQ(as<wp::error_frame>(*err).message, "Invalid request.");

    auto not_json = wp::parse_frame("hello");
    ASSERT_FALSE(not_json);
    EXPECT_EQ(not_json.error().code, exsdk::errc::protocol);
}

TEST(woox_stream_protocol, execution_report_short_keys) {
    auto f = wp::parse_frame(R"({"topic":"executionreport","ts":1700000000500,"data":{
        "mt":0,"s":"PERP_BTC_USDT","cid":"my-1","oid":123456789,"t":"LIMIT","sd":"BUY","ps":"BOTH",
        "sx":0.5,"px":"30000.1","tid":987,"esx":"0.1","epx":30000.1,"f":"0.0003","fa":"USDT",
        "tesx":"0.1","aepx":"30000.1","ss":"PARTIAL_FILLED","rs":"","ts":1700000000499,
        "ro":false,"mk":true,"lv":10,"m":"CROSS"}})");
    ASSERT_TRUE(f);
    const auto& ev = as<exsdk::woox::stream_event>(*f);
    EXPECT_EQ(ev.topic, "executionreport");
    EXPECT_EQ(ev.ts, 1700000000500);
    const auto& r = std::get<exsdk::woox::execution_report>(ev.data);
    EXPECT_EQ(r.symbol, "PERP_BTC_USDT");
    EXPECT_EQ(r.client_order_id, "my-1");
    EXPECT_EQ(r.order_id, 123456789);
    EXPECT_EQ(r.side, "BUY");
    EXPECT_EQ(r.quantity, "0.5");  // a JSON number kept in its exact text
    EXPECT_EQ(r.price, "30000.1"); // a JSON string as sent
    EXPECT_EQ(r.executed_price, "30000.1");
    EXPECT_EQ(r.trade_id, 987);
    EXPECT_EQ(r.status, "PARTIAL_FILLED");
    EXPECT_TRUE(r.maker);
    EXPECT_FALSE(r.reduce_only);
    EXPECT_EQ(r.leverage, "10");
    EXPECT_EQ(r.margin_mode, "CROSS");
    EXPECT_EQ(ev.raw.at("data").at("oid"), 123456789); // the raw JSON is there too
}

TEST(woox_stream_protocol, balance_position_account_and_unknown_topics) {
    auto bal = wp::parse_frame(
        R"({"topic":"balance","ts":1,"data":{"balances":[{"t":"USDT","h":"100","f":"0.5","ts":2}]}})");
    const auto& b = std::get<exsdk::woox::balance_update>(as<exsdk::woox::stream_event>(*bal).data);
    ASSERT_EQ(b.balances.size(), 1u);
    EXPECT_EQ(b.balances[0].token, "USDT");
    EXPECT_EQ(b.balances[0].holding, "100");
    EXPECT_EQ(b.balances[0].frozen, "0.5");
    EXPECT_EQ(b.balances[0].timestamp, 2);

    auto pos = wp::parse_frame(R"({"topic":"position","ts":1,"data":{"positions":[
        {"s":"PERP_BTC_USDT","h":"1","ps":"BOTH","aop":"30000","mp":"30100","pnl":"100","lv":10,"ts":3}]}})");
    const auto& p =
        std::get<exsdk::woox::position_update>(as<exsdk::woox::stream_event>(*pos).data);
    ASSERT_EQ(p.positions.size(), 1u);
    EXPECT_EQ(p.positions[0].symbol, "PERP_BTC_USDT");
    EXPECT_EQ(p.positions[0].average_open_price, "30000");
    EXPECT_EQ(p.positions[0].leverage, "10");

    auto acc =
        wp::parse_frame(R"({"topic":"account","ts":1,"data":{"accountId":"x","leverage":5}})");
    EXPECT_EQ(std::get<exsdk::woox::account_update>(as<exsdk::woox::stream_event>(*acc).data)
                  .data.at("leverage"),
              5);

    auto unknown = wp::parse_frame(R"({"topic":"somethingnew","ts":9,"data":{"x":1}})");
    ASSERT_TRUE(unknown);
    const auto& u = as<exsdk::woox::stream_event>(*unknown);
    EXPECT_EQ(u.topic, "somethingnew");
    EXPECT_TRUE(std::holds_alternative<std::monostate>(u.data)); // passed on raw, not dropped
    EXPECT_EQ(u.raw.at("data").at("x"), 1);
}

TEST(bingx_stream_protocol, heartbeats) {
    auto swap = bp::parse_frame("Ping");
    ASSERT_TRUE(swap);
    EXPECT_FALSE(as<bp::ping>(*swap).spot);
    EXPECT_EQ(bp::pong_for(as<bp::ping>(*swap)), "Pong");
    auto spot = bp::parse_frame(R"({"ping":"2b8ba11c","time":"2023-01-01T00:00:00.000+0800"})");
    ASSERT_TRUE(spot);
    const auto& p = as<bp::ping>(*spot);
    EXPECT_TRUE(p.spot);
    EXPECT_EQ(boost::json::parse(bp::pong_for(p)),
              boost::json::parse(R"({"pong":"2b8ba11c","time":"2023-01-01T00:00:00.000+0800"})"));
}

TEST(bingx_stream_protocol, subscribe_and_ack) {
    EXPECT_EQ(
        boost::json::parse(bp::subscribe_command("abc", "spot.executionReport")),
        boost::json::parse(R"({"id":"abc","reqType":"sub","dataType":"spot.executionReport"})"));
    auto ack = bp::parse_frame(R"({"id":"abc","code":0,"msg":""})");
    ASSERT_TRUE(ack);
    EXPECT_EQ(as<bp::ack>(*ack).id, "abc");
    EXPECT_EQ(as<bp::ack>(*ack).code, 0);
}

TEST(bingx_stream_protocol, spec_sample_events) {
    auto acc = bp::parse_frame(R"({"e":"ACCOUNT_UPDATE","E":1700000000000,"T":1700000000001,
        "a":{"m":"ORDER","B":[{"a":"USDT","wb":"100.5","cw":"90","bc":"-0.01"}],
             "P":[{"s":"LINK-USDT","pa":"5","ep":"7.8","up":"0.1","mt":"cross","ps":"SHORT"}]}})");
    const auto& a =
        std::get<exsdk::bingx::account_update>(as<exsdk::bingx::stream_event>(*acc).data);
    EXPECT_EQ(a.event_time, 1700000000000);
    EXPECT_EQ(a.reason, "ORDER");
    ASSERT_EQ(a.balances.size(), 1u);
    EXPECT_EQ(a.balances[0].wallet_balance, "100.5");
    EXPECT_EQ(a.balances[0].balance_change, "-0.01");
    ASSERT_EQ(a.positions.size(), 1u);
    EXPECT_EQ(a.positions[0].position_side, "SHORT");

    auto ord = bp::parse_frame(R"({"e":"ORDER_TRADE_UPDATE","E":1700000000002,"o":{"s":"LINK-USDT",
        "c":"","i":1234,"S":"SELL","o":"MARKET","q":"5","p":"7.8","ap":"7.8","x":"TRADE","X":"FILLED",
        "N":"USDT","n":"-0.01","T":1700000000003,"wt":"MARK_PRICE","ps":"SHORT","rp":"0"}})");
    const auto& o =
        std::get<exsdk::bingx::order_trade_update>(as<exsdk::bingx::stream_event>(*ord).data);
    EXPECT_EQ(o.symbol, "LINK-USDT");
    EXPECT_EQ(o.order_id, 1234);
    EXPECT_EQ(o.side, "SELL");
    EXPECT_EQ(o.status, "FILLED");
    EXPECT_EQ(o.fee, "-0.01");
    EXPECT_EQ(o.working_type, "MARK_PRICE");

    auto cfg = bp::parse_frame(
        R"({"e":"ACCOUNT_CONFIG_UPDATE","E":5,"ac":{"s":"BTC-USDT","l":5,"S":6,"mt":"cross"}})");
    const auto& c =
        std::get<exsdk::bingx::account_config_update>(as<exsdk::bingx::stream_event>(*cfg).data);
    EXPECT_EQ(c.symbol, "BTC-USDT");
    EXPECT_EQ(c.long_leverage, "5");
    EXPECT_EQ(c.short_leverage, "6");

    auto spot = bp::parse_frame(R"({"code":0,"dataType":"spot.executionReport","data":{
        "e":"executionReport","E":7,"s":"BTC-USDT","S":"BUY","o":"LIMIT","q":"0.1","p":"30000",
        "x":"NEW","X":"NEW","i":42,"l":"0","z":"0","L":"0","n":"0","N":"USDT","T":8,"c":"cid-1"}})");
    const auto& sev = as<exsdk::bingx::stream_event>(*spot);
    EXPECT_EQ(sev.type, "executionReport");
    const auto& r = std::get<exsdk::bingx::execution_report>(sev.data);
    EXPECT_EQ(r.order_id, 42);
    EXPECT_EQ(r.client_order_id, "cid-1");

    auto expired = bp::parse_frame(R"({"e":"listenKeyExpired","E":9,"listenKey":"abc"})");
    const auto& x =
        std::get<exsdk::bingx::listen_key_expired>(as<exsdk::bingx::stream_event>(*expired).data);
    EXPECT_EQ(x.listen_key, "abc");
    EXPECT_EQ(x.event_time, 9);
}

TEST(bingx_stream_protocol, spot_account_update_from_the_spec_is_typed) {
    // Spec 2.4: spot ACCOUNT_UPDATE is pushed bare, exactly like swap.
    constexpr std::string_view frame =
        R"({"e":"ACCOUNT_UPDATE","E":1696242817000,"T":1696242817142,"a":{"B":[{"a":"USDT",)"
        R"("bc":"-1.0","cw":"86.59","wb":"86.59"}],"m":"ASSET_TRANSFER"}})";
    auto f = bp::parse_frame(frame);
    ASSERT_TRUE(f);
    const auto& ev = as<exsdk::bingx::stream_event>(*f);
    EXPECT_EQ(ev.type, "ACCOUNT_UPDATE");
    EXPECT_EQ(ev.raw, boost::json::parse(frame));
    const auto& a = std::get<exsdk::bingx::account_update>(ev.data);
    EXPECT_EQ(a.event_time, 1696242817000);
    EXPECT_EQ(a.transaction_time, 1696242817142);
    EXPECT_EQ(a.reason, "ASSET_TRANSFER");
    ASSERT_EQ(a.balances.size(), 1u);
    EXPECT_EQ(a.balances[0].asset, "USDT");
    EXPECT_EQ(a.balances[0].wallet_balance, "86.59");
    EXPECT_EQ(a.balances[0].cross_wallet, "86.59");
    EXPECT_EQ(a.balances[0].balance_change, "-1.0");
    EXPECT_TRUE(a.positions.empty());

    // The wrapped form (older mocks) is typed too.
    auto w = bp::parse_frame(R"({"code":0,"dataType":"ACCOUNT_UPDATE","data":)" +
                             std::string(frame) + "}");
    ASSERT_TRUE(w);
    const auto& wev = as<exsdk::bingx::stream_event>(*w);
    EXPECT_EQ(wev.type, "ACCOUNT_UPDATE");
    const auto& wa = std::get<exsdk::bingx::account_update>(wev.data);
    EXPECT_EQ(wa.event_time, 1696242817000);
    ASSERT_EQ(wa.balances.size(), 1u);
    EXPECT_EQ(wa.balances[0].balance_change, "-1.0");
}

TEST(bingx_stream_protocol, unknown_events_are_passed_on_raw) {
    auto f = bp::parse_frame(R"({"e":"SOMETHING_NEW","E":1,"x":{"y":2}})");
    ASSERT_TRUE(f);
    const auto& ev = as<exsdk::bingx::stream_event>(*f);
    EXPECT_EQ(ev.type, "SOMETHING_NEW");
    EXPECT_TRUE(std::holds_alternative<std::monostate>(ev.data));
    EXPECT_EQ(ev.raw.at("x").at("y"), 2);
    EXPECT_FALSE(bp::parse_frame("{broken"));
}

TEST(stream_protocol, commands_carry_only_utf8_text) {
    // Found by fuzz_woox_frames: a topic that is not UTF-8 made subscribe_command() write a
    // frame that is not JSON; the mock answers such a frame with an ERROR that names no id, so
    // subscribe() waited for its ack until the command timeout. Both streams now refuse it.
    const std::vector<std::string> good{"balance", "PERP_BTC_USDT@trade", "\xc3\xa9"};
    EXPECT_TRUE(wp::check_topics(good));
    for (const auto& bad : std::vector<std::vector<std::string>>{
             {}, {"balance", "no\xff"}, {""}, std::vector<std::string>(11, "balance")}) {
        auto r = wp::check_topics(bad);
        ASSERT_FALSE(r);
        EXPECT_EQ(r.error().code, exsdk::errc::invalid_argument);
    }
    EXPECT_TRUE(bp::check_data_type("spot.executionReport"));
    EXPECT_EQ(bp::check_data_type("").error().code, exsdk::errc::invalid_argument);
    EXPECT_EQ(bp::check_data_type("ACCOUNT\xc0").error().code, exsdk::errc::invalid_argument);
}

} // namespace

// accounts: the demo set, the JSON shape in and out, and clear errors naming the bad field.
#include <exsdk/mock/accounts.hpp>

#include <boost/json/parse.hpp>

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

namespace {

using exsdk::mock::accounts;

std::string error_of(std::string_view json) {
    try {
        (void)accounts::from_json(json);
    } catch (const std::invalid_argument& e) {
        return e.what();
    }
    return "(no error)";
}

TEST(accounts, demo_matches_the_documented_values) {
    const auto a = accounts::demo();
    ASSERT_EQ(a.woox.size(), 1u);
    EXPECT_EQ(a.woox[0].user_id, 12523);
    EXPECT_EQ(a.woox[0].account_name, "Main");
    ASSERT_EQ(a.woox[0].api_keys.size(), 2u);
    EXPECT_EQ(a.woox[0].api_keys[0].api_key, "AbmyVJGUpN064ks5ELjLfA==");
    EXPECT_EQ(a.woox[0].api_keys[0].secret, "QHKRXHPAW1MC9YGZMAT8YDJG2HPR");
    EXPECT_EQ(a.woox[0].api_keys[0].permissions, (std::vector<std::string>{"READ", "TRADE"}));
    EXPECT_TRUE(a.woox[0].api_keys[0].allowed_ips.empty());
    EXPECT_EQ(a.woox[0].api_keys[1].api_key, "WooxTradeOnlyDemoKey0001==");
    EXPECT_EQ(a.woox[0].api_keys[1].secret, "WOOXTRADEONLYDEMOSECRET00001");
    EXPECT_EQ(a.woox[0].api_keys[1].permissions, (std::vector<std::string>{"TRADE"}));
    EXPECT_EQ(a.woox[0].api_keys[1].allowed_ips, (std::vector<std::string>{"127.0.0.1"}));
    ASSERT_EQ(a.bingx.size(), 2u);
    EXPECT_EQ(a.bingx[0].uid, 1001);
    EXPECT_EQ(a.bingx[0].api_keys[0].api_key, "bingx-demo-api-key-0001");
    EXPECT_EQ(
        a.bingx[0].api_keys[0].secret,
        "mheO6dR8ovSsxZQCOYEFCtelpuxcWGTfHw7te326y6jOwq5WpvFQ9JNljoTwBXZGv5It07m9RXSPpDQEK2w");
    EXPECT_EQ(a.bingx[1].uid, 1002);
    EXPECT_EQ(a.bingx[1].api_keys[0].api_key, "bingx-demo-api-key-0002");
    EXPECT_EQ(a.bingx[1].api_keys[0].secret,
              "UuGuyEGt6ZEkpUObCYCmIfh0elYsZVh80jlYwpJuRZEw70t6vomMH7Sjmf94ztSI");
    EXPECT_NO_THROW(a.validate());
}

TEST(accounts, parses_the_documented_shape) {
    const auto a = accounts::from_json(R"({
      "woox":[{"userId":12523,"accountName":"Main","apiKeys":[{"apiKey":"k1","secret":"s1",
               "permissions":["READ","TRADE"],"allowedIPs":["127.0.0.1"]}]}],
      "bingx":[{"uid":1001,"apiKeys":[{"apiKey":"b1","secret":"t1","permissions":["READ"],
               "allowedIPs":[]}]}]})");
    ASSERT_EQ(a.woox.size(), 1u);
    EXPECT_EQ(a.woox[0].api_keys[0].allowed_ips, (std::vector<std::string>{"127.0.0.1"}));
    EXPECT_EQ(a.bingx[0].uid, 1001);
    EXPECT_TRUE(a.bingx[0].api_keys[0].allowed_ips.empty());
    // Optional parts: either exchange, permissions, allowedIPs.
    EXPECT_TRUE(accounts::from_json("{}").woox.empty());
    EXPECT_NO_THROW(
        accounts::from_json(R"({"bingx":[{"uid":1,"apiKeys":[{"apiKey":"a","secret":"b"}]}]})"));
}

TEST(accounts, json_round_trip_and_secrets_only_on_request) {
    const auto a = accounts::demo();
    EXPECT_EQ(accounts::from_json(a.to_json(true)), a);
    const auto hidden = a.to_json(false);
    EXPECT_EQ(hidden.find("secret"), std::string::npos);
    EXPECT_EQ(hidden.find("QHKRXHPAW1MC9YGZMAT8YDJG2HPR"), std::string::npos);
    auto v = boost::json::parse(hidden);
    EXPECT_EQ(v.at("woox").at(0).at("apiKeys").at(1).at("allowedIPs").at(0).as_string(),
              "127.0.0.1");
}

TEST(accounts, invalid_files_name_the_bad_field) {
    EXPECT_NE(error_of("{").find("not valid JSON"), std::string::npos);
    EXPECT_NE(error_of("[]").find("(top level): must be a JSON object"), std::string::npos);
    EXPECT_NE(error_of(R"({"wox":[]})").find("(top level).wox: unknown field"), std::string::npos);
    EXPECT_NE(error_of(R"({"woox":{}})").find("woox: must be a JSON array"), std::string::npos);
    EXPECT_NE(
        error_of(R"({"woox":[{"accountName":"a","apiKeys":[]}]})").find("woox[0].userId: missing"),
        std::string::npos);
    EXPECT_NE(error_of(R"({"woox":[{"userId":1.5,"accountName":"a","apiKeys":[]}]})")
                  .find("woox[0].userId: must be an integer"),
              std::string::npos);
    EXPECT_NE(error_of(R"({"woox":[{"userId":1,"apiKeys":[]}]})").find("woox[0].accountName"),
              std::string::npos);
    EXPECT_NE(error_of(R"({"bingx":[{"uid":1,"apiKeys":[{"apiKey":"a"}]}]})")
                  .find("bingx[0].apiKeys[0].secret: missing"),
              std::string::npos);
    EXPECT_NE(error_of(R"({"bingx":[{"uid":1,"apiKeys":[{"apiKey":"a","secret":""}]}]})")
                  .find("bingx[0].apiKeys[0].secret: must not be empty"),
              std::string::npos);
    EXPECT_NE(
        error_of(R"({"bingx":[{"uid":1,"apiKeys":[{"apiKey":"a","secret":"s","allowedIps":[]}]}]})")
            .find("bingx[0].apiKeys[0].allowedIps: unknown field"),
        std::string::npos);
    EXPECT_NE(
        error_of(
            R"({"bingx":[{"uid":1,"apiKeys":[{"apiKey":"a","secret":"s","permissions":"READ"}]}]})")
            .find("bingx[0].apiKeys[0].permissions: must be a JSON array"),
        std::string::npos);
    EXPECT_NE(
        error_of(
            R"({"woox":[{"userId":1,"accountName":"a","apiKeys":[{"apiKey":"a","secret":"s","permissions":["ADMIN"]}]}]})")
            .find("woox[0].apiKeys[0].permissions[0]: \"ADMIN\" is not a WOO X permission"),
        std::string::npos);
    EXPECT_NE(
        error_of(
            R"({"bingx":[{"uid":1,"apiKeys":[{"apiKey":"a","secret":"s","allowedIPs":["1.2.3"]}]}]})")
            .find("bingx[0].apiKeys[0].allowedIPs[0]: \"1.2.3\" is not an IP address"),
        std::string::npos);
    EXPECT_NE(error_of(R"({"bingx":[{"uid":1,"apiKeys":[{"apiKey":"a","secret":"s"}]},
                                    {"uid":2,"apiKeys":[{"apiKey":"a","secret":"t"}]}]})")
                  .find("bingx[1].apiKeys[0].apiKey: duplicate API key"),
              std::string::npos);
    EXPECT_NE(error_of(R"({"bingx":[{"uid":1,"apiKeys":[]},{"uid":1,"apiKeys":[]}]})")
                  .find("bingx[1].uid: duplicate uid 1"),
              std::string::npos);
    // Secrets never appear in error messages.
    EXPECT_EQ(
        error_of(R"({"bingx":[{"uid":1,"apiKeys":[{"apiKey":"a","secret":"TOPSECRET","x":1}]}]})")
            .find("TOPSECRET"),
        std::string::npos);
}

TEST(accounts, the_same_key_string_may_exist_on_both_exchanges) {
    EXPECT_NO_THROW(accounts::from_json(R"({
      "woox":[{"userId":1,"accountName":"a","apiKeys":[{"apiKey":"same","secret":"s"}]}],
      "bingx":[{"uid":1,"apiKeys":[{"apiKey":"same","secret":"s"}]}]})"));
}

} // namespace

// detail::pick_json_members (the answer parsers' fast path, sans-io), and the listen-key parsers
// giving the same answer through it as through their DOM path on the shapes it leaves to that.
#include "detail/json_pick.hpp"

#include <exsdk/bingx/responses.hpp>
#include <exsdk/woox/responses.hpp>

#include <gtest/gtest.h>

#include <array>
#include <vector>

namespace {

using exsdk::detail::json_pick;
using kind = json_pick::kind;

TEST(json_pick, picks_root_and_nested_members_of_each_kind) {
    std::array<json_pick, 5> p{
        json_pick{"ok", {}, kind::boolean}, json_pick{"data", {}, kind::object},
        json_pick{"data", "key", kind::string}, json_pick{"data", "n", kind::integer},
        json_pick{"missing", {}, kind::string}};
    ASSERT_TRUE(exsdk::detail::pick_json_members(
        R"( {"x":[1,{"key":"no"}],"ok":true,"data":{"n":-42,"key":"a\"b\u0041"},"t":1.5} )", p));
    EXPECT_EQ(p[0].seen, 1U);
    EXPECT_TRUE(p[0].matched);
    EXPECT_TRUE(p[0].boolean);
    EXPECT_TRUE(p[1].matched);
    EXPECT_TRUE(p[2].matched);
    EXPECT_EQ(p[2].string, "a\"bA");
    EXPECT_TRUE(p[3].matched);
    EXPECT_EQ(p[3].integer, -42);
    EXPECT_EQ(p[4].seen, 0U);
}

TEST(json_pick, counts_duplicates_and_values_of_other_kinds) {
    std::array<json_pick, 3> p{json_pick{"a", {}, kind::string}, json_pick{"n", {}, kind::integer},
                               json_pick{"big", {}, kind::integer}};
    ASSERT_TRUE(exsdk::detail::pick_json_members(
        R"({"a":"one","a":"two","n":"12","big":18446744073709551615})", p));
    EXPECT_EQ(p[0].seen, 2U);
    EXPECT_EQ(p[0].string, "two");
    EXPECT_EQ(p[1].seen, 1U);
    EXPECT_FALSE(p[1].matched); // a string, not a number
    EXPECT_EQ(p[2].seen, 1U);
    EXPECT_FALSE(p[2].matched); // above INT64_MAX
}

TEST(json_pick, paths_stay_right_after_empty_and_nested_containers) {
    std::array<json_pick, 2> p{json_pick{"after", {}, kind::integer},
                               json_pick{"data", "after", kind::integer}};
    ASSERT_TRUE(exsdk::detail::pick_json_members(
        R"({"e":{},"l":[],"deep":{"x":{"after":1}},"data":{"q":[{"after":2}],"after":3},"after":4})",
        p));
    EXPECT_EQ(p[0].seen, 1U);
    EXPECT_EQ(p[0].integer, 4);
    EXPECT_EQ(p[1].seen, 1U);
    EXPECT_EQ(p[1].integer, 3);
    // Right behind an empty container, at both levels.
    for (const char* text : {R"({"e":{},"after":4,"data":{"l":[],"after":3}})",
                             R"({"l":[],"after":4,"data":{"e":{},"after":3}})"}) {
        ASSERT_TRUE(exsdk::detail::pick_json_members(text, p)) << text;
        EXPECT_EQ(p[0].seen, 1U) << text;
        EXPECT_EQ(p[0].integer, 4) << text;
        EXPECT_EQ(p[1].seen, 1U) << text;
        EXPECT_EQ(p[1].integer, 3) << text;
    }
}

TEST(json_pick, long_keys_match_nothing) {
    const std::string long_key(100, 'k');
    std::array<json_pick, 1> p{json_pick{"k", {}, kind::integer}};
    ASSERT_TRUE(exsdk::detail::pick_json_members(R"({")" + long_key + R"(":{"k":1},"k":2})", p));
    EXPECT_EQ(p[0].seen, 1U);
    EXPECT_EQ(p[0].integer, 2);
}

TEST(json_pick, false_for_invalid_json_and_roots_that_are_not_objects) {
    std::array<json_pick, 1> p{json_pick{"a", {}, kind::integer}};
    for (const char* text : {"", "{", R"({"a":1} x)", R"({"a":01})", "[1,2]", "\"s\"", "1", "null",
                             R"({"a":1,})", "<html></html>"}) {
        EXPECT_FALSE(exsdk::detail::pick_json_members(text, p)) << text;
    }
    std::string deep(40, '[');
    EXPECT_FALSE(exsdk::detail::pick_json_members(R"({"a":)" + deep, p));
}

exsdk::http_response ok(std::string body) {
    return {200, std::move(body), "application/json"};
}

TEST(listen_key_fast_path, woox_answers_it_leaves_to_the_dom_path_keep_their_meaning) {
    namespace woox = exsdk::woox::responses;
    // Taken by the fast path: any member order, extra members, whitespace, escapes.
    auto a = woox::parse_listen_key(ok(
        R"( { "timestamp" : 1, "data" : { "x":[{}], "expiredTime":7, "auth\u004bey":"k\/1" }, "success" : true } )"));
    ASSERT_TRUE(a) << a.error();
    EXPECT_EQ(a->auth_key, "k/1");
    EXPECT_EQ(a->expired_time_ms, 7);
    // Left to the DOM path: a decimal string for expiredTime (int_member takes it), an empty
    // key, success false, a duplicate.
    auto s = woox::parse_listen_key(
        ok(R"({"success":true,"data":{"authKey":"k","expiredTime":"1700000000000"}})"));
    ASSERT_TRUE(s) << s.error();
    EXPECT_EQ(s->expired_time_ms, 1700000000000);
    EXPECT_EQ(
        woox::parse_listen_key(ok(R"({"success":true,"data":{"authKey":"","expiredTime":1}})"))
            .error()
            .code,
        exsdk::errc::protocol);
    EXPECT_FALSE(woox::parse_listen_key(
        ok(R"({"success":false,"code":-1003,"data":{"authKey":"k","expiredTime":1}})")));
    EXPECT_FALSE(woox::parse_listen_key(
        ok(R"({"success":true,"data":{"authKey":"k","expiredTime":1},"success":false})")));
    // A page's content type: never the fast path.
    exsdk::http_response page{200, R"({"success":true,"data":{"authKey":"k","expiredTime":1}})",
                              "text/html"};
    EXPECT_EQ(woox::parse_listen_key(page).error().code, exsdk::errc::unexpected_response);
}

TEST(listen_key_fast_path, bingx_answers_it_leaves_to_the_dom_path_keep_their_meaning) {
    namespace bingx = exsdk::bingx::responses;
    auto flat = bingx::parse_listen_key(ok(R"({"code":0,"listenKey":"abc"})"));
    ASSERT_TRUE(flat) << flat.error();
    EXPECT_EQ(*flat, "abc");
    // The wrapped shape takes the key inside data, whatever the root says.
    auto wrapped =
        bingx::parse_listen_key(ok(R"({"listenKey":"root","code":0,"data":{"listenKey":"in"}})"));
    ASSERT_TRUE(wrapped) << wrapped.error();
    EXPECT_EQ(*wrapped, "in");
    // A code given as a decimal string, and a failing code.
    auto text_code = bingx::parse_listen_key(ok(R"({"code":"0","listenKey":"abc"})"));
    ASSERT_TRUE(text_code) << text_code.error();
    EXPECT_EQ(
        bingx::parse_listen_key(ok(R"({"code":100001,"msg":"x","listenKey":"abc"})")).error().code,
        exsdk::errc::invalid_signature);
    EXPECT_EQ(bingx::parse_listen_key(ok(R"({"listenKey":""})")).error().code,
              exsdk::errc::protocol);
}

} // namespace

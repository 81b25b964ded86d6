// The credentials answer's SAX reader (detail::read_woox_api_key_page, parse_api_key_page's fast
// path) against its DOM path (the reference): on every answer below, when the reader gives a
// page, the DOM path gives the same page; and it does give one for the usual shapes.
#include "woox/api_key_page_reader.hpp"

#include <exsdk/woox/responses.hpp>

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

using exsdk::woox::api_key_page;

void expect_same(const api_key_page& a, const api_key_page& b, const std::string& body) {
    ASSERT_EQ(a.rows.size(), b.rows.size()) << body;
    for (std::size_t i = 0; i < a.rows.size(); ++i) {
        const auto& x = a.rows[i];
        const auto& y = b.rows[i];
        EXPECT_EQ(x.account_name, y.account_name) << body;
        EXPECT_EQ(x.user_id, y.user_id) << body;
        EXPECT_EQ(x.api_key, y.api_key) << body;
        EXPECT_EQ(x.permissions, y.permissions) << body;
        EXPECT_EQ(x.allowed_ips, y.allowed_ips) << body;
    }
    EXPECT_EQ(a.meta.total, b.meta.total) << body;
    EXPECT_EQ(a.meta.records_per_page, b.meta.records_per_page) << body;
    EXPECT_EQ(a.meta.current_page, b.meta.current_page) << body;
}

const std::string row1 =
    R"({"accountName":"Main","userId":12523,"apiKey":"AbmyVJGUpN064ks5ELjLfA==","permissions":["READ","TRADE"]})";
const std::string row2 =
    R"({"accountName":"Sub","userId":7,"apiKey":"K2","permissions":[],"allowedIPs":["127.0.0.1","::1"]})";
const std::string meta = R"({"total":2,"recordsPerPage":25,"currentPage":1})";

std::string answer(const std::string& rows, const std::string& m = meta,
                   const std::string& extra = R"(,"timestamp":1795817770027)") {
    return R"({"success":true,"data":{"rows":[)" + rows + R"(],"meta":)" + m + "}" + extra + "}";
}

// Answers the reader should take.
std::vector<std::string> usual() {
    return {
        answer(row1 + "," + row2),
        answer(""),
        answer(row2),
        // Another member order, whitespace, escapes, unknown members at every level.
        R"( { "timestamp" : 1 , "data" : { "meta" : {"currentPage":3,"x":[{"y":{}}],"recordsPerPage":10,"total":0},
             "more":{"a":[1,2,{"b":null}]}, "rows" : [ {"permissions":["WITHDRAWAL"],"apiKey":"k\u0031",
             "note":{"deep":[[[]]]},"userId":-1,"accountName":"N\"q"} ] }, "success" : true } )",
    };
}

// Answers it must leave to the DOM path (or may: either way the results agree).
std::vector<std::string> unusual() {
    return {
        answer(R"({"accountName":"A","userId":"12","apiKey":"k","permissions":[]})"), // text uid
        answer(R"({"accountName":"A","userId":1.0,"apiKey":"k","permissions":[]})"),  // double
        answer(
            R"({"accountName":"A","userId":18446744073709551615,"apiKey":"k","permissions":[]})"),
        answer(R"({"accountName":"A","userId":1,"apiKey":"k"})"),                      // no perms
        answer(R"({"accountName":"A","userId":1,"apiKey":"k","permissions":"READ"})"), // not list
        answer(R"({"accountName":"A","userId":1,"apiKey":"k","permissions":[1]})"),
        answer(R"({"accountName":"A","userId":1,"apiKey":"k","permissions":[],"allowedIPs":null})"),
        answer(R"({"accountName":"A","accountName":"B","userId":1,"apiKey":"k","permissions":[]})"),
        answer(R"({"accountName":null,"userId":1,"apiKey":"k","permissions":[]})"),
        answer("1"),
        answer("[]"),
        answer(row1, R"({"total":"2","recordsPerPage":25,"currentPage":1})"),
        answer(row1, R"({"total":2,"recordsPerPage":25})"),
        answer(row1, R"({"total":2,"total":3,"recordsPerPage":25,"currentPage":1})"),
        answer(row1, meta, R"(,"success":false)"),
        answer(row1, meta, R"(,"data":{})"),
        R"({"success":true,"data":{"rows":{},"meta":)" + meta + "}}",
        R"({"success":true,"data":{"meta":)" + meta + "}}",
        R"({"success":true,"data":[]})",
        R"({"success":"true","data":{"rows":[],"meta":)" + meta + "}}",
        R"({"data":{"rows":[],"meta":)" + meta + "}}",
        R"([{"success":true}])",
        R"({"success":true,"data":{"rows":[],"meta":)" + meta + "}",
        "",
        R"({"success":false,"code":-1003,"message":"too many"})",
    };
}

TEST(api_key_page_reader, gives_the_dom_paths_page_or_nothing) {
    std::size_t taken = 0;
    for (const auto& set : {usual(), unusual()}) {
        for (const auto& body : set) {
            const auto fast = exsdk::detail::read_woox_api_key_page(body);
            const auto dom = exsdk::detail::parse_woox_api_key_page_dom({200, body, {}});
            if (fast) {
                ++taken;
                ASSERT_TRUE(dom) << body << ": " << dom.error();
                expect_same(*fast, *dom, body);
            }
        }
    }
    EXPECT_GE(taken, usual().size());
}

TEST(api_key_page_reader, takes_the_usual_answers) {
    for (const auto& body : usual()) {
        EXPECT_TRUE(exsdk::detail::read_woox_api_key_page(body)) << body;
    }
    const auto p = exsdk::detail::read_woox_api_key_page(answer(row1 + "," + row2));
    ASSERT_TRUE(p);
    ASSERT_EQ(p->rows.size(), 2U);
    EXPECT_EQ(p->rows[0].permissions, (std::vector<std::string>{"READ", "TRADE"}));
    EXPECT_FALSE(p->rows[0].allowed_ips.has_value());
    EXPECT_EQ(p->rows[1].allowed_ips, (std::vector<std::string>{"127.0.0.1", "::1"}));
    EXPECT_EQ(p->meta.records_per_page, 25);
}

TEST(api_key_page_reader, leaves_duplicates_and_other_kinds_to_the_dom_path) {
    for (const auto& body : unusual()) {
        EXPECT_FALSE(exsdk::detail::read_woox_api_key_page(body)) << body;
    }
}

} // namespace

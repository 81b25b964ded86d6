#include <exsdk/error.hpp>

#include <gtest/gtest.h>

#include <system_error>

namespace {

exsdk::result<int> fails() {
    exsdk::error e(exsdk::errc::rate_limited, "rate limited");
    e.exchange_code = 100410;
    e.http_status = 200;
    return e;
}

TEST(error, carries_code_and_exchange_details) {
    auto r = fails();
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, exsdk::errc::rate_limited);
    EXPECT_TRUE(r.error().is(exsdk::errc::rate_limited));
    EXPECT_EQ(r.error().code.category().name(), std::string("exsdk"));
    EXPECT_EQ(exsdk::to_string(r.error()),
              "rate_limited (exchange 100410, HTTP 200): rate limited");
    // Converts to std::error_code, keeping the category's message.
    std::error_code std_code = r.error().code;
    EXPECT_EQ(std_code.message(), "rate_limited");
}

TEST(error, value_throws_exsdk_exception) {
    auto r = fails();
    try {
        (void)r.value();
        FAIL() << "expected a throw";
    } catch (const exsdk::exception& e) {
        EXPECT_EQ(e.get_error().exchange_code, 100410);
        EXPECT_EQ(e.code(), exsdk::errc::rate_limited);
    }
}

} // namespace

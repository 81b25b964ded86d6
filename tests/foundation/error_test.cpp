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

TEST(error, prints_its_context_when_it_has_one) {
    exsdk::error e(exsdk::errc::not_found, "listen key not found or expired");
    e.http_status = 404;
    e.operation = "bingx.extend_listen_key";
    e.method = "PUT";
    e.path = "/openApi/user/auth/userDataStream?listenKey=abc";
    e.attempts = 1;
    e.elapsed = std::chrono::microseconds(2500);
    e.exchange_answer = true;
    EXPECT_EQ(exsdk::to_string(e),
              "not_found (HTTP 404): listen key not found or expired [bingx.extend_listen_key "
              "PUT /openApi/user/auth/userDataStream?listenKey=abc; 1 attempt in 2.50 ms; the "
              "exchange's answer]");
    e.code = exsdk::make_error_code(exsdk::errc::unexpected_response);
    e.exchange_answer = false;
    e.attempts = 3;
    e.elapsed = std::chrono::milliseconds(2010);
    EXPECT_EQ(exsdk::to_string(e),
              "unexpected_response (HTTP 404): listen key not found or expired "
              "[bingx.extend_listen_key PUT /openApi/user/auth/userDataStream?listenKey=abc; 3 "
              "attempts in 2.01 s; not the exchange's answer]");
    // No answer (a network error): nothing said about whose answer it was.
    exsdk::error net(exsdk::errc::network, "connect to host: Connection refused");
    net.operation = "woox.create_listen_key";
    net.method = "POST";
    net.path = "/v3/account/listenKey";
    net.attempts = 2;
    net.elapsed = std::chrono::microseconds(850);
    EXPECT_EQ(exsdk::to_string(net), "network: connect to host: Connection refused "
                                     "[woox.create_listen_key POST /v3/account/listenKey; 2 "
                                     "attempts in 850 us]");
    EXPECT_EQ(exsdk::to_string(exsdk::errc::unexpected_response),
              std::string("unexpected_response"));
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

// Answer parsing and the error mapping of both exchanges, row by row (sans-io).
#include <exsdk/bingx/responses.hpp>
#include <exsdk/woox/protocol.hpp>
#include <exsdk/woox/responses.hpp>

#include <gtest/gtest.h>

#include <vector>

namespace {

using exsdk::errc;
using exsdk::http_response;
namespace woox = exsdk::woox::responses;
namespace bingx = exsdk::bingx::responses;

http_response answer(unsigned status, std::string body, std::string content_type = {}) {
    return {status, std::move(body), std::move(content_type)};
}

const std::string proxy_404 = "<!DOCTYPE html>\n<html><head><title>404 Not Found</title></head>"
                              "<body><h1>Not Found</h1></body></html>";

std::string woox_error(int code, std::string_view message) {
    return R"({"success":false,"code":)" + std::to_string(code) + R"(,"message":")" +
           std::string(message) + R"("})";
}

TEST(woox_responses, listen_key_success) {
    auto r = woox::parse_listen_key(answer(
        200,
        R"({"success":true,"data":{"authKey":"abc","expiredTime":1700086400000},"timestamp":1})"));
    ASSERT_TRUE(r) << r.error();
    EXPECT_EQ(r->auth_key, "abc");
    EXPECT_EQ(r->expired_time_ms, 1700086400000);
    EXPECT_EQ(exsdk::to_epoch_ms(r->expired_time()), 1700086400000);
}

struct woox_row {
    unsigned status;
    int code;
    std::string_view message;
    errc expected;
};

TEST(woox_responses, every_error_code_maps_to_its_errc) {
    namespace msg = exsdk::woox::protocol::message;
    const woox_row rows[] = {
        {500, -1000, msg::unknown, errc::server_error},
        {401, -1001, msg::invalid_signature, errc::invalid_signature},
        {401, -1002, msg::unauthorized, errc::unauthorized},
        {401, -1002, msg::missing_auth_headers, errc::unauthorized},
        {401, -1002, msg::malformed_timestamp, errc::timestamp_rejected},
        {401, -1002, msg::stale_timestamp, errc::timestamp_rejected},
        {401, -1002, msg::ip_not_allowed, errc::ip_not_allowed},
        {401, -1002, msg::permission_denied, errc::permission_denied},
        {429, -1003, msg::too_many_requests, errc::rate_limited},
        {400, -1004, msg::unknown_parameter, errc::bad_request},
        {400, -1005, msg::invalid_parameter, errc::bad_request},
        {400, -1006, msg::not_found, errc::not_found},
    };
    for (const auto& row : rows) {
        auto r = woox::parse_listen_key(answer(row.status, woox_error(row.code, row.message)));
        ASSERT_FALSE(r) << row.code;
        EXPECT_EQ(r.error().code, row.expected) << row.code << " " << row.message;
        EXPECT_EQ(r.error().exchange_code, row.code);
        EXPECT_EQ(r.error().http_status, static_cast<int>(row.status));
        EXPECT_EQ(r.error().message, row.message);
    }
}

TEST(woox_responses, code_given_as_a_string_is_accepted) {
    auto r = woox::parse_listen_key(
        answer(500, R"({"success":false,"code":"-1000","message":"internal"})"));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, errc::server_error);
    EXPECT_EQ(r.error().exchange_code, -1000);
}

TEST(woox_responses, status_only_answers) {
    EXPECT_EQ(woox::parse_listen_key(answer(418, "")).error().code, errc::banned);
    // An envelope without a code takes its meaning from the status.
    EXPECT_EQ(woox::parse_listen_key(answer(429, R"({"success":false})")).error().code,
              errc::rate_limited);
    EXPECT_EQ(
        woox::parse_listen_key(answer(503, R"({"success":false,"message":"down"})")).error().code,
        errc::server_error);
    // The exchange's envelope with a documented field missing.
    EXPECT_EQ(woox::parse_listen_key(answer(200, R"({"success":true,"data":{}})")).error().code,
              errc::protocol);
}

// Answers that are not WOO X's envelope never take an exchange meaning from their status.
TEST(woox_responses, answers_that_are_not_the_exchanges_are_unexpected_responses) {
    const std::vector<http_response> rows{
        answer(404, proxy_404, "text/html"),
        answer(404, proxy_404),                             // HTML without a content type
        answer(401, "<html>Authorization Required</html>"), // a proxy's auth page
        answer(403, R"({"message":"Forbidden"})", "application/json"), // an API gateway's JSON
        answer(429, "too many"),                                       // a CDN's rate limit
        answer(502, "<html>bad gateway</html>", "text/html"),          // a load balancer
        answer(503, ""),                                               // an empty 503
        answer(200, "not json"),
        answer(200, ""),
        answer(200, R"([1,2])"),
        answer(200, R"({"success":true,"data":{"authKey":"k","expiredTime":1}})", "text/html"),
    };
    for (const auto& r : rows) {
        auto k = woox::parse_listen_key(r);
        ASSERT_FALSE(k) << r.status << " " << r.body;
        EXPECT_EQ(k.error().code, errc::unexpected_response) << r.status << " " << r.body;
        EXPECT_EQ(k.error().http_status, static_cast<int>(r.status));
        EXPECT_EQ(k.error().exchange_code, 0);
        EXPECT_EQ(woox::to_error(r).code, errc::unexpected_response) << r.status << " " << r.body;
        EXPECT_EQ(woox::parse_api_key_page(r).error().code, errc::unexpected_response);
        EXPECT_EQ(woox::parse_system_info(r).error().code, errc::unexpected_response);
    }
    auto page = woox::parse_listen_key(answer(404, proxy_404, "text/html; charset=utf-8"));
    EXPECT_EQ(page.error().message,
              "not the exchange's answer: HTTP 404, text/html; charset=utf-8: \"404 Not Found\"");
}

TEST(woox_responses, credentials_page_with_and_without_allowed_ips) {
    auto r = woox::parse_api_key_page(answer(200, R"({"success":true,"data":{"rows":[
        {"accountName":"Main","userId":12523,"apiKey":"k1","permissions":["READ","TRADE"],"allowedIPs":["127.0.0.1"]},
        {"accountName":"Main","userId":12523,"apiKey":"k2","permissions":["READ"]}],
        "meta":{"total":46,"recordsPerPage":2,"currentPage":1}},"timestamp":1721295317627})"));
    ASSERT_TRUE(r) << r.error();
    ASSERT_EQ(r->rows.size(), 2u);
    EXPECT_EQ(r->rows[0].account_name, "Main");
    EXPECT_EQ(r->rows[0].user_id, 12523);
    EXPECT_EQ(r->rows[0].permissions, (std::vector<std::string>{"READ", "TRADE"}));
    ASSERT_TRUE(r->rows[0].allowed_ips);
    EXPECT_EQ(*r->rows[0].allowed_ips, std::vector<std::string>{"127.0.0.1"});
    EXPECT_FALSE(r->rows[1].allowed_ips); // omitted: no IP restriction
    EXPECT_EQ(r->meta.total, 46);
    EXPECT_EQ(r->meta.records_per_page, 2);
    EXPECT_EQ(r->meta.current_page, 1);
}

TEST(woox_responses, system_info_time) {
    auto r = woox::parse_system_info(
        answer(200, R"({"success":true,"data":{"status":0},"timestamp":1700000000123})"));
    ASSERT_TRUE(r);
    EXPECT_EQ(exsdk::to_epoch_ms(*r), 1700000000123);
}

TEST(bingx_responses, both_listen_key_shapes) {
    const std::string key = "a8ea75681542e66f1a50a1616dd06ed77dab61baa0c296bca03a9b13ee5f2dd7";
    auto bare = bingx::parse_listen_key(answer(200, R"({"listenKey":")" + key + R"("})"));
    ASSERT_TRUE(bare) << bare.error();
    EXPECT_EQ(*bare, key);
    auto wrapped = bingx::parse_listen_key(
        answer(200, R"({"code":0,"msg":"","data":{"listenKey":")" + key + R"("}})"));
    ASSERT_TRUE(wrapped) << wrapped.error();
    EXPECT_EQ(*wrapped, key);
    EXPECT_EQ(bingx::parse_listen_key(answer(200, R"({"code":0,"data":{}})")).error().code,
              errc::protocol);
}

TEST(bingx_responses, empty_200_from_put_and_delete_is_success) {
    EXPECT_TRUE(bingx::parse_empty_success(answer(200, "")));
    EXPECT_TRUE(bingx::parse_empty_success(answer(200, R"({"code":0,"msg":""})")));
    auto missing = bingx::parse_empty_success(answer(204, ""));
    EXPECT_EQ(missing.error().code, errc::bad_request);
    EXPECT_EQ(missing.error().http_status, 204);
    auto gone = bingx::parse_empty_success(answer(404, ""));
    EXPECT_EQ(gone.error().code, errc::not_found);
}

struct bingx_row {
    std::int64_t code;
    std::string message;
    errc expected;
};

TEST(bingx_responses, every_error_code_maps_to_its_errc) {
    const bingx_row rows[] = {
        {100001, "Signature verification failed", errc::invalid_signature},
        {100412, "Null signature", errc::invalid_signature},
        {100413, "Incorrect apiKey", errc::unauthorized},
        {100419, "IP does not match IP whitelist", errc::ip_not_allowed},
        {100421, "Null timestamp or timestamp mismatch", errc::timestamp_rejected},
        {80014, "timestamp is invalid", errc::bad_request},
        {100004, "Permission denied as the API key was created without the permission",
         errc::permission_denied},
        {100410, "rate limited", errc::rate_limited},
    };
    for (const auto& row : rows) {
        auto r = bingx::parse_listen_key(answer(200, R"({"code":)" + std::to_string(row.code) +
                                                         R"(,"msg":")" + row.message +
                                                         R"(","timestamp":1})"));
        ASSERT_FALSE(r) << row.code;
        EXPECT_EQ(r.error().code, row.expected) << row.code;
        EXPECT_EQ(r.error().exchange_code, row.code);
        EXPECT_EQ(r.error().message, row.message);
        EXPECT_EQ(r.error().http_status, 200);
    }
}

TEST(bingx_responses, rate_limit_messages_carry_their_unblock_time) {
    auto disabled = bingx::parse_listen_key(answer(
        200,
        R"({"code":100410,"msg":"code:100410:The endpoint trigger frequency limit rule is currently in the disabled period and will be unblocked after 1727193814249"})"));
    ASSERT_FALSE(disabled);
    EXPECT_EQ(disabled.error().code, errc::rate_limited);
    ASSERT_TRUE(disabled.error().retry_after);
    EXPECT_EQ(exsdk::to_epoch_ms(*disabled.error().retry_after), 1727193814249);

    auto errors = bingx::parse_empty_success(answer(
        200,
        R"({"code":100410,"msg":"over 20 error code:100202 requests within 480000 ms for this api, please verify and fix it ,can retry after time: 1727193970155"})"));
    ASSERT_FALSE(errors);
    ASSERT_TRUE(errors.error().retry_after);
    EXPECT_EQ(exsdk::to_epoch_ms(*errors.error().retry_after), 1727193970155);

    auto plain = bingx::parse_listen_key(answer(200, R"({"code":100410,"msg":"rate limited"})"));
    EXPECT_FALSE(plain.error().retry_after);
}

TEST(bingx_responses, status_only_answers) {
    EXPECT_EQ(bingx::parse_listen_key(answer(418, "")).error().code, errc::banned);
    // The envelope with a zero code and a failure status: the status says what it means.
    EXPECT_EQ(bingx::parse_listen_key(answer(429, R"({"code":0})")).error().code,
              errc::rate_limited);
    EXPECT_EQ(bingx::parse_listen_key(answer(503, R"({"code":0})")).error().code,
              errc::server_error);
}

// A proxy's 404 page never says "listen key gone"; only BingX's documented answer does (404 with
// an empty body from PUT/DELETE, spec 2.3).
TEST(bingx_responses, answers_that_are_not_the_exchanges_are_unexpected_responses) {
    const std::vector<http_response> rows{
        answer(404, proxy_404, "text/html"),
        answer(404, proxy_404),
        answer(404, "", "text/html"), // an empty page is still a page
        answer(404, "Not Found", "text/plain"),
        answer(404, R"({"message":"no route"})", "application/json"),
        answer(204, "<html></html>", "text/html"),
        answer(401, "<html>401</html>"),
        answer(429, ""),
        answer(503, ""),
        answer(502, "<html><title>502 Bad Gateway</title></html>", "text/html"),
        answer(200, "<html>", "text/html"),
        answer(200, "<html>"),
        answer(200, "", "text/html"),
    };
    for (const auto& r : rows) {
        auto put = bingx::parse_empty_success(r);
        ASSERT_FALSE(put) << r.status << " " << r.body;
        EXPECT_EQ(put.error().code, errc::unexpected_response) << r.status << " " << r.body;
        EXPECT_EQ(put.error().http_status, static_cast<int>(r.status));
        EXPECT_EQ(bingx::to_error(r).code, errc::unexpected_response);
        EXPECT_EQ(bingx::parse_listen_key(r).error().code, errc::unexpected_response);
        EXPECT_EQ(bingx::parse_server_time(r).error().code, errc::unexpected_response);
    }
    // An empty 404 is documented for PUT/DELETE only: from generate or server time it is not
    // BingX's answer either.
    EXPECT_EQ(bingx::parse_listen_key(answer(404, "")).error().code, errc::unexpected_response);
    EXPECT_EQ(bingx::parse_server_time(answer(404, "")).error().code, errc::unexpected_response);
    EXPECT_EQ(bingx::parse_empty_success(answer(404, "")).error().code, errc::not_found);
    // BingX's envelope under any status keeps its meaning.
    auto coded = bingx::parse_empty_success(
        answer(404, R"({"code":100413,"msg":"Incorrect apiKey"})", "application/json"));
    EXPECT_EQ(coded.error().code, errc::unauthorized);
}

TEST(answer_excerpts, never_carry_a_signature) {
    auto r = bingx::parse_empty_success(
        answer(404, "<p>Not found: /x?signature=4f581ecdb1fa09b9d6e57886b6f70cffed17f82b93399722939"
                    "e49a38edec2bf</p>"));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message.find("4f581ecd"), std::string::npos) << r.error().message;
    EXPECT_NE(r.error().message.find("signature=***"), std::string::npos) << r.error().message;
}

TEST(bingx_responses, server_time) {
    auto r = bingx::parse_server_time(
        answer(200, R"({"code":0,"msg":"","data":{"serverTime":1700000000456}})"));
    ASSERT_TRUE(r);
    EXPECT_EQ(exsdk::to_epoch_ms(*r), 1700000000456);
}

TEST(responses, times_beyond_what_a_wall_time_holds_are_refused_not_overflowed) {
    // Found by fuzz_sdk_responses: a serverTime of 3219137691294411948 ms overflowed the
    // nanosecond wall time (undefined behaviour). Out of range is now a protocol error, an
    // unblock time out of range is no unblock time, and from_epoch_ms() clamps.
    for (const char* ms : {"3219137691294411948", "9223372036855", "-1"}) {
        auto b = bingx::parse_server_time(
            answer(200, std::string(R"({"code":0,"msg":"","data":{"serverTime":)") + ms + "}}"));
        ASSERT_FALSE(b) << ms;
        EXPECT_EQ(b.error().code, errc::protocol) << ms;
        auto w = woox::parse_system_info(
            answer(200, std::string(R"({"success":true,"data":{},"timestamp":)") + ms + "}"));
        ASSERT_FALSE(w) << ms;
        EXPECT_EQ(w.error().code, errc::protocol) << ms;
    }
    EXPECT_FALSE(bingx::parse_unblock_time("will be unblocked after 9223372036854775807"));
    const auto at_max = "will be unblocked after " + std::to_string(exsdk::max_epoch_ms);
    ASSERT_TRUE(bingx::parse_unblock_time(at_max));
    EXPECT_EQ(exsdk::to_epoch_ms(*bingx::parse_unblock_time(at_max)), exsdk::max_epoch_ms);
    EXPECT_EQ(exsdk::from_epoch_ms(INT64_MAX), exsdk::from_epoch_ms(exsdk::max_epoch_ms));
    EXPECT_EQ(exsdk::from_epoch_ms(INT64_MIN), exsdk::from_epoch_ms(exsdk::min_epoch_ms));
    exsdk::woox::listen_key k;
    k.expired_time_ms = INT64_MAX;
    EXPECT_EQ(exsdk::to_epoch_ms(k.expired_time()), exsdk::max_epoch_ms);
}

} // namespace

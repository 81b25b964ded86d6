// decide_retry(): the whole retry decision, without I/O.
#include <exsdk/retry_policy.hpp>

#include <gtest/gtest.h>

namespace {

using namespace std::chrono_literals;
using exsdk::clock;
using exsdk::errc;

const clock::time_point t0{std::chrono::hours(1)};
const clock::wall_time w0 = exsdk::from_epoch_ms(1'700'000'000'000);

TEST(retry_policy, exponential_backoff_with_cap) {
    exsdk::retry_policy p;
    p.initial_backoff = 100ms;
    p.multiplier = 2;
    p.max_backoff = 1s;
    EXPECT_EQ(p.backoff(1), 100ms);
    EXPECT_EQ(p.backoff(2), 200ms);
    EXPECT_EQ(p.backoff(3), 400ms);
    EXPECT_EQ(p.backoff(5), 1s);
}

TEST(retry_policy, retries_transient_failures_with_jitter_within_bounds) {
    exsdk::retry_policy p;
    p.initial_backoff = 100ms;
    p.jitter = 0.5;
    for (errc e : {errc::network, errc::timeout, errc::server_error, errc::rate_limited}) {
        auto d = exsdk::decide_retry(p, exsdk::error(e), 1, t0, t0, w0, 0.0);
        EXPECT_TRUE(d.retry) << exsdk::to_string(e);
        EXPECT_EQ(d.at, t0 + 100ms);
        d = exsdk::decide_retry(p, exsdk::error(e), 1, t0, t0, w0, 0.999999);
        EXPECT_GE(d.at, t0 + 50ms);
        EXPECT_LT(d.at, t0 + 51ms);
    }
}

TEST(retry_policy, never_retries_bans_auth_parameter_or_cancellation) {
    exsdk::retry_policy p;
    for (errc e :
         {errc::banned, errc::unauthorized, errc::invalid_signature, errc::timestamp_rejected,
          errc::ip_not_allowed, errc::permission_denied, errc::not_found, errc::bad_request,
          errc::protocol, errc::cancelled, errc::invalid_argument}) {
        EXPECT_FALSE(exsdk::decide_retry(p, exsdk::error(e), 1, t0, t0, w0, 0.5).retry)
            << exsdk::to_string(e);
    }
}

// An answer that is not the exchange's is retried only for the statuses a later attempt may
// not repeat (docs/errors.md).
TEST(retry_policy, unexpected_responses_are_retried_by_status) {
    exsdk::retry_policy p;
    auto answer = [](int status) {
        exsdk::error e(errc::unexpected_response, "not the exchange's answer");
        e.http_status = status;
        return e;
    };
    for (int status : {408, 429, 500, 502, 503, 504, 520, 599}) {
        EXPECT_TRUE(exsdk::decide_retry(p, answer(status), 1, t0, t0, w0, 0.5).retry) << status;
        EXPECT_TRUE(exsdk::is_retryable_status(status)) << status;
    }
    for (int status : {200, 204, 301, 302, 400, 401, 403, 404, 405, 410, 451, 501, 505, 511}) {
        EXPECT_FALSE(exsdk::decide_retry(p, answer(status), 1, t0, t0, w0, 0.5).retry) << status;
    }
}

TEST(retry_policy, bounded_attempts_and_total_time) {
    exsdk::retry_policy p;
    p.max_attempts = 3;
    EXPECT_TRUE(exsdk::decide_retry(p, exsdk::error(errc::network), 2, t0, t0, w0, 0).retry);
    EXPECT_FALSE(exsdk::decide_retry(p, exsdk::error(errc::network), 3, t0, t0, w0, 0).retry);
    p.max_total = 1s;
    EXPECT_FALSE(
        exsdk::decide_retry(p, exsdk::error(errc::network), 1, t0, t0 + 950ms, w0, 0).retry);
}

TEST(retry_policy, waits_for_the_exchange_unblock_time_instead_of_backing_off) {
    exsdk::retry_policy p;
    exsdk::error e(errc::rate_limited);
    e.retry_after = w0 + 4200ms;
    auto d = exsdk::decide_retry(p, e, 1, t0, t0, w0, 0);
    ASSERT_TRUE(d.retry);
    EXPECT_EQ(d.at, t0 + 4200ms);
    // Past the budget: give up and let the caller see retry_after.
    e.retry_after = w0 + 480s;
    EXPECT_FALSE(exsdk::decide_retry(p, e, 1, t0, t0, w0, 0).retry);
    // Already unblocked: go now.
    e.retry_after = w0 - 1s;
    EXPECT_EQ(exsdk::decide_retry(p, e, 1, t0, t0, w0, 0).at, t0);
}

TEST(retry_policy, none_means_one_attempt) {
    EXPECT_FALSE(exsdk::decide_retry(exsdk::retry_policy::none(), exsdk::error(errc::network), 1,
                                     t0, t0, w0, 0)
                     .retry);
}

} // namespace

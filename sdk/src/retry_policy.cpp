#include <exsdk/retry_policy.hpp>

#include <algorithm>
#include <cmath>

namespace exsdk {

clock::duration retry_policy::backoff(std::size_t attempt) const noexcept {
    const double factor =
        std::pow(std::max(multiplier, 1.0), static_cast<double>(attempt > 0 ? attempt - 1 : 0));
    const double ns = std::chrono::duration<double, std::nano>(initial_backoff).count() * factor;
    const double cap = std::chrono::duration<double, std::nano>(max_backoff).count();
    return std::chrono::duration_cast<clock::duration>(
        std::chrono::duration<double, std::nano>(std::min(ns, cap)));
}

bool is_retryable_status(int status) noexcept {
    if (status == 408 || status == 429) {
        return true;
    }
    return status >= 500 && status <= 599 && status != 501 && status != 505 && status != 511;
}

bool is_retryable(const error& e) noexcept {
    if (e.is(errc::unexpected_response)) {
        return is_retryable_status(e.http_status);
    }
    return e.is(errc::network) || e.is(errc::timeout) || e.is(errc::server_error) ||
           e.is(errc::rate_limited);
}

retry_decision decide_retry(const retry_policy& p, const error& e, std::size_t attempt,
                            clock::time_point started, clock::time_point now,
                            clock::wall_time wall_now, double random01) noexcept {
    if (attempt >= p.max_attempts || !is_retryable(e)) {
        return {};
    }
    const double j = std::clamp(p.jitter, 0.0, 1.0);
    clock::duration delay = std::chrono::duration_cast<clock::duration>(
        p.backoff(attempt) * (1.0 - j * std::clamp(random01, 0.0, 1.0)));
    if (e.retry_after && p.honour_retry_after) {
        // The exchange said when: going earlier would only prolong its block.
        delay = std::max(clock::duration::zero(),
                         std::chrono::duration_cast<clock::duration>(*e.retry_after - wall_now));
    }
    const auto at = now + delay;
    if (at - started > p.max_total) {
        return {};
    }
    return {true, at};
}

} // namespace exsdk

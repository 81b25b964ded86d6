// exsdk::retry_policy: bounded retries with exponential backoff and jitter that honour the
// exchange's own unblock time. decide_retry() is the whole decision, free of I/O.
#pragma once

#include <exsdk/clock.hpp>
#include <exsdk/error.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>

namespace exsdk {

struct retry_policy {
    /// Attempts per call, the first included (1 = never retry).
    std::size_t max_attempts = 3;
    clock::duration initial_backoff = std::chrono::milliseconds(200);
    clock::duration max_backoff = std::chrono::seconds(5);
    double multiplier = 2.0;
    /// Each backoff is scaled by a random factor in [1 - jitter, 1].
    double jitter = 0.2;
    /// No retry waits past this time after the call began; the last error is returned instead
    /// (with its retry_after, so the caller knows when it may call again).
    clock::duration max_total = std::chrono::seconds(30);
    /// Wait until the exchange's unblock time when it gives one, instead of backing off.
    bool honour_retry_after = true;
    /// Seed of the jitter generator (0: random). Fixed seeds make tests repeatable.
    std::uint32_t jitter_seed = 0;

    static retry_policy none() {
        retry_policy p;
        p.max_attempts = 1;
        return p;
    }
    /// The backoff after failed attempt `attempt` (1-based), before jitter.
    clock::duration backoff(std::size_t attempt) const noexcept;
};

/// True for failures a later attempt may not repeat: network, timeout, server_error and
/// rate_limited, and unexpected_response with a retryable status (is_retryable_status()). Never
/// banned (418), authentication, permission, parameter or not-found errors.
bool is_retryable(const error& e) noexcept;

/// The HTTP statuses of an answer that is not the exchange's (errc::unexpected_response) that a
/// later attempt may not repeat: 408 (the proxy timed out reading the request), 429 (a proxy's or
/// CDN's rate limit) and 5xx (a gateway or load balancer without a healthy exchange behind it),
/// except 501, 505 and 511 (the proxy does not support the request, or wants a login: no retry
/// changes that). Never 2xx/3xx (a page instead of an answer: a wrong URL or a captive portal)
/// or other 4xx (404 from a proxy: a wrong base URL or a route that is down).
bool is_retryable_status(int status) noexcept;

struct retry_decision {
    bool retry = false;
    clock::time_point at{}; ///< when to start the next attempt
};

/// Whether and when to retry after attempt `attempt` (1-based) failed with `e`.
/// `started` is when the call began; `now`/`wall_now` are the present monotonic and (synced)
/// wall times; `random01` is a uniform sample in [0, 1) for the jitter.
retry_decision decide_retry(const retry_policy& p, const error& e, std::size_t attempt,
                            clock::time_point started, clock::time_point now,
                            clock::wall_time wall_now, double random01) noexcept;

} // namespace exsdk

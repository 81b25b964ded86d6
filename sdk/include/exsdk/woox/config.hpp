// Configuration of exsdk::woox::client. Every field has the documented default.
#pragma once

#include <exsdk/clock.hpp>
#include <exsdk/clock_sync.hpp>
#include <exsdk/credentials.hpp>
#include <exsdk/limit_store.hpp>
#include <exsdk/log.hpp>
#include <exsdk/rate_limit.hpp>
#include <exsdk/retry_policy.hpp>
#include <exsdk/sliding_window_limiter.hpp>
#include <exsdk/tls_config.hpp>
#include <exsdk/transport_config.hpp>
#include <exsdk/woox/protocol.hpp>

#include <memory>
#include <string>

namespace exsdk::woox {

/// Client-side rate limits, per endpoint. WOO X counts per account (userId): clients of the same
/// account in one process should share limiters (pass the same objects to each).
struct limits {
    rate_limit listen_key = protocol::listen_key_limit;   ///< 5 / 10 s
    rate_limit credentials = protocol::credentials_limit; ///< 10 / 60 s
    /// Optional shared limiters; when null the client makes its own from the numbers above.
    std::shared_ptr<sliding_window_limiter> listen_key_limiter;
    std::shared_ptr<sliding_window_limiter> credentials_limiter;
    /// Count the limits in a store shared by every process of the account (e.g.
    /// exsdk::redis_limit_store) instead of in process; the limiters above are then unused.
    std::shared_ptr<limit_store> store;
    /// The account's name in the store's keys: every process of one account (all its API keys)
    /// must use the same. Default: "key-" + the first 16 hex digits of SHA-256(API key).
    std::string account;
    /// Switch client-side limiting off (throughput benchmarks against a mock without limits).
    bool enabled = true;
};

struct config {
    std::string base_url = std::string(protocol::rest_base_url);
    exsdk::credentials credentials;
    tls_config tls;
    transport_config transport;
    woox::limits limits;
    retry_policy retry;
    clock_sync_config clock_sync;
    /// Time source for signing, limits, timeouts and backoff (exsdk::manual_clock in tests).
    std::shared_ptr<exsdk::clock> clock = exsdk::system_clock();
    /// Log events of the client's calls (exsdk/log.hpp); off unless a sink is given.
    log_config log;
};

} // namespace exsdk::woox

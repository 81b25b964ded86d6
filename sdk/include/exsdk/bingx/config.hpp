// Configuration of exsdk::bingx::client. Every field has the documented default.
#pragma once

#include <exsdk/bingx/protocol.hpp>
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

#include <chrono>
#include <memory>
#include <optional>
#include <string>

namespace exsdk::bingx {

class ip_group;

struct limits {
    /// Per UID. BingX documents 2/s for each of POST/PUT/DELETE but not whether they share one
    /// window, so by default they do (the safe reading).
    rate_limit user_data_stream = protocol::uid_limit;
    /// One window per method instead of one shared by POST/PUT/DELETE.
    bool separate_method_limits = false;
    /// Share the UID limit between clients of the same UID: pass the same object to each.
    std::shared_ptr<sliding_window_limiter> user_data_stream_limiter;
    /// The account IP group; shared process-wide per host unless `group` is given.
    rate_limit ip_group = protocol::ip_group_limit;
    rate_limit ip_endpoint = protocol::ip_endpoint_limit;
    std::shared_ptr<bingx::ip_group> group;
    /// Count the limits in a store shared by every process (e.g. exsdk::redis_limit_store)
    /// instead of in process; the limiters and `group` above are then unused.
    std::shared_ptr<limit_store> store;
    /// The UID's name in the store's keys: every process of one UID (all its API keys) must use
    /// the same. Default: "key-" + the first 16 hex digits of SHA-256(API key).
    std::string account;
    /// The IP group's name in the store's keys: every process leaving through the same public IP
    /// must use the same. Default: this machine's host name.
    std::string ip_name;
    /// Switch client-side limiting off (throughput benchmarks against a mock without limits).
    bool enabled = true;
};

struct config {
    std::string base_url = std::string(protocol::rest_base_url);
    exsdk::credentials credentials;
    tls_config tls;
    transport_config transport;
    bingx::limits limits;
    retry_policy retry;
    clock_sync_config clock_sync;
    /// Sent as recvWindow when set (the exchange's default is 5000 ms).
    std::optional<std::chrono::milliseconds> recv_window;
    /// Time source for signing, limits, timeouts and backoff (exsdk::manual_clock in tests).
    std::shared_ptr<exsdk::clock> clock = exsdk::system_clock();
    /// Log events of the client's calls (exsdk/log.hpp); off unless a sink is given.
    log_config log;
};

} // namespace exsdk::bingx

// exsdk::redis_limit_store: rate limits shared by every process and host of a fleet, in Redis.
//
// The exchanges count per account and IP, not per process: engines that each limit themselves
// exceed the limit together (and the account gets blocked: BingX 100410, WOO X -1003). With
//
//   auto store = std::make_shared<exsdk::redis_limit_store>(executor, exsdk::redis_config{
//       .url = "redis://10.0.0.5:6379/0"});
//   woox_cfg.limits.store = store;   bingx_cfg.limits.store = store;
//
// every client of every process counts in the same windows: strict sliding windows (never more
// than N starts in any window W, fleet-wide), FIFO by reservation, every limit of a call taken at
// once in ONE round trip (a Lua script over sorted sets of reserved start times, on the Redis
// server's clock), after which the call waits locally on its own timer. A cancelled call gives
// its reservation back; an unblock time an engine hears from the exchange is stored for all;
// keys expire on their own. See README "Many engines, one account" for the key scheme.
//
// One connection (pipelined: coroutines acquiring at once share its writes) serves every client
// given the store. Sockets run on the executor given here (no extra threads), plain or TLS
// (rediss://), with AUTH, a DB index, connect and command timeouts, reconnect with backoff and
// a health check. When Redis cannot be reached, redis_config::on_failure decides: fail
// (errc::limiter_unavailable at once, the default) or local_fallback (a share of every limit in
// process, back to Redis when it answers); stats() reports which and how often it switched.
//
// Threads: every member function may be called from any thread; acquire() runs on the store's
// own strand and resumes the caller on its own executor, like the clients. Destroy the store
// before its executor's io_context.
#pragma once

#include <exsdk/asio_namespace.hpp>
#include <exsdk/clock.hpp>
#include <exsdk/error.hpp>
#include <exsdk/limit_store.hpp>
#include <exsdk/redis_config.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace exsdk {

namespace detail::redis {
struct store_state;
}

struct redis_limit_stats {
    bool connected = false;      ///< the connection is up now
    bool local_fallback = false; ///< acquire() limits in process now (local_fallback policy)
    std::uint64_t connects = 0;  ///< successful connects (the first and every reconnect)
    std::uint64_t connection_failures = 0; ///< failed connect attempts and lost connections
    std::uint64_t fallback_switches = 0;   ///< switches from Redis to the in-process limits
    std::uint64_t fallback_returns = 0;    ///< switches back to Redis
    std::uint64_t acquires = 0;            ///< acquire() calls granted through Redis
    std::uint64_t local_acquires = 0;      ///< ... granted by the in-process fallback
    std::uint64_t unavailable = 0;         ///< ... that returned limiter_unavailable
    std::size_t pending_commands = 0;      ///< commands waiting for their reply now
    std::string last_error;                ///< why Redis last failed ("" if never)
};

class redis_limit_store final : public limit_store {
public:
    /// Connects lazily, at the first acquire() or ping(). `clk` times the waits, timeouts and
    /// backoff (and, with redis_time_source::local, the reservations); clients using the store
    /// should run on the same clock. Throws exsdk::exception (errc::invalid_argument) for a bad
    /// URL, unloadable TLS settings, or local_fallback without a fallback_share in (0, 1].
    redis_limit_store(asio::any_io_executor ex, redis_config cfg,
                      std::shared_ptr<clock> clk = exsdk::system_clock());
    redis_limit_store(const redis_limit_store&) = delete;
    redis_limit_store& operator=(const redis_limit_store&) = delete;
    /// Closes the connection; limiters still held by someone return limiter_unavailable.
    ~redis_limit_store() override;

    std::shared_ptr<call_limiter> make_limiter(std::string_view scope,
                                               std::span<const named_limit> limits) override;

    /// One PING round trip over the store's connection (connecting first if needed): the floor
    /// of every acquire(). errc::limiter_unavailable when Redis cannot answer.
    asio::awaitable<result<void>> ping();

    /// Closes the connection now (a program that is done: its io_context can then run out of
    /// work). Later acquire() calls return limiter_unavailable. Idempotent.
    void close();

    /// The key a named limit lives at: "<key_prefix>:{<scope>}:<name>" (its hold: + ":hold").
    std::string key(std::string_view scope, std::string_view name) const;

    redis_limit_stats stats() const;
    /// True while a command waits for its reply or a connect is in progress: a virtual-time
    /// test driver must let the real I/O finish before it moves its manual clock.
    bool busy() const noexcept;
    /// The URL without user information (safe to print).
    const std::string& printable_url() const noexcept;

private:
    std::shared_ptr<detail::redis::store_state> impl_;
};

} // namespace exsdk

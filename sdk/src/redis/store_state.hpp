// The Redis limit store's shared state (private to exsdk::redis): what the public
// redis_limit_store (redis_limit_store.cpp) and every limiter it made (redis_call_limiter.cpp)
// share: the configuration, the one pipelined connection, the registry of limits, the counters, and
// the failure policy that switches every limit to its in-process share while Redis cannot serve
// (store_state.cpp). Members marked "on the strand" are touched on `strand` only.
#pragma once

#include "detail/object_strand.hpp"
#include "redis/connection.hpp"
#include "redis/limit_scripts.hpp"
#include "redis/redis_url.hpp"

#include <exsdk/redis_limit_store.hpp>
#include <exsdk/sliding_window_limiter.hpp>
#include <exsdk/timer.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <tuple>
#include <vector>

namespace exsdk::detail::redis {

// One limit as the store keeps it: its script arguments and its in-process fallback.
struct store_limit {
    script_limit script;
    std::shared_ptr<sliding_window_limiter> fallback; // null: the share leaves no request
};

// The store's state, shared by the public object and every limiter it made.
struct store_state : std::enable_shared_from_this<store_state> {
    detail::object_strand strand;
    redis_config cfg;
    std::shared_ptr<clock> clk;
    redis_url url;
    std::string url_text;
    std::shared_ptr<connection> conn;

    // On the strand.
    std::string member_prefix; // "<random id>:", this process's reservations
    std::uint64_t next_member = 0;
    bool local = false; // local_fallback in force
    bool stopped = false;
    // Calls waiting for their reserved start: woken when Redis is lost (their reservation can
    // no longer be confirmed), so the policy applies to them at once, not at their turn.
    struct waiter {
        timer* t = nullptr;
        bool lost = false;
    };
    std::vector<waiter*> waiters;

    // Limits by key (make_limiter may run on any thread).
    mutable std::mutex registry_mutex;
    std::map<std::string, std::shared_ptr<store_limit>, std::less<>> registry;

    std::atomic<bool> local_flag{false};
    std::atomic<std::uint64_t> acquires{0}, local_acquires{0}, unavailable{0}, switches{0},
        returns{0};
    mutable std::mutex reason_mutex;
    std::string reason; // why calls last failed or fell back

    /// Throws exsdk::exception (invalid_argument) for a bad URL or configuration.
    store_state(asio::any_io_executor ex, redis_config c, std::shared_ptr<clock> k);

    /// Makes the connection (needs weak_from_this(), so not in the constructor).
    void init();

    std::chrono::milliseconds slack() const {
        return std::chrono::duration_cast<std::chrono::milliseconds>(cfg.key_expiry_slack);
    }

    redis::script_now script_now() const {
        if (cfg.time_source == redis_time_source::local) {
            return std::chrono::duration_cast<std::chrono::microseconds>(
                       clk->now().time_since_epoch())
                .count();
        }
        return std::nullopt;
    }

    // A reserved start on the script's time line, on this process's clock.
    clock::time_point to_local(const acquire_reply& a, clock::time_point received) const {
        using std::chrono::microseconds;
        if (cfg.time_source == redis_time_source::local) {
            return clock::time_point(microseconds(a.start_us));
        }
        return received + microseconds(a.start_us - a.now_us);
    }

    void set_reason(std::string why);
    std::string get_reason() const;

    std::vector<std::shared_ptr<store_limit>> all_limits() const;

    // The failure policy (on the strand), in store_state.cpp.
    void on_down(const std::string& why);
    void wake_waiters();
    void enter_fallback();
    void on_up();

    // EVALSHA, or EVAL when the server does not know the script (restarted, SCRIPT FLUSH).
    template <class Append>
    asio::awaitable<std::tuple<boost::system::error_code, reply>> eval(Append append) {
        std::string cmd;
        append(cmd, false);
        auto [ec, rep] =
            co_await conn->async_exec(std::move(cmd), asio::as_tuple(asio::use_awaitable));
        if (!ec && is_noscript(rep.view())) {
            std::string again;
            append(again, true);
            std::tie(ec, rep) =
                co_await conn->async_exec(std::move(again), asio::as_tuple(asio::use_awaitable));
        }
        co_return std::tuple<boost::system::error_code, reply>(ec, std::move(rep));
    }

    void shutdown();
};

} // namespace exsdk::detail::redis

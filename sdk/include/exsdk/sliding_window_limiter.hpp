// exsdk::sliding_window_limiter: never more than N request starts in any interval of length W.
//
// A token bucket is not enough for exchange limits: it lets 2N requests through across a window
// edge. This limiter keeps the start times themselves. acquire() reserves the earliest start
// time at which the call fits in every limit it needs (at most N reservations in any window,
// reservations in arrival order, so waiters are served FIFO), then waits on a timer of the
// limiter's clock until that time. Nothing polls: a waiter is one pending timer.
//
// The effective window is W plus a safety margin (1 % of W by default), because the exchange
// measures arrival times, not send times: requests N apart by exactly W on our side could arrive
// less than W apart. The achieved rate is therefore 99 % of the documented limit.
//
// Limiters are thread-safe (a mutex per limiter, held for a few instructions), so one limiter can
// be shared by every client of an account or, for BingX's IP group, by every client in the
// process, and acquire() may be awaited from coroutines on any executor and thread. A waiting
// call waits in a coroutine of its own on the caller's executor (so it resumes there and leaves
// the caller's cancellation settings alone). Cancelling a waiting acquire (Asio per-operation
// cancellation) releases its reservation: the calls queued behind it keep their times, so the
// slot is not handed on, but the limit is never exceeded.
#pragma once

#include <exsdk/asio_namespace.hpp>
#include <exsdk/clock.hpp>
#include <exsdk/rate_limit.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/system/error_code.hpp>

#include <array>
#include <cstddef>
#include <deque>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <span>
#include <vector>

namespace exsdk {

class sliding_window_limiter {
public:
    /// acquire_all() takes at most this many distinct limiters (std::invalid_argument beyond).
    static constexpr std::size_t max_limiters_per_call = 8;
    /// Default safety margin: this fraction of the window is added to it.
    static constexpr double default_margin_fraction = 0.01;

    explicit sliding_window_limiter(rate_limit limit,
                                    std::shared_ptr<clock> c = exsdk::system_clock());
    sliding_window_limiter(rate_limit limit, std::shared_ptr<clock> c, clock::duration margin);
    sliding_window_limiter(const sliding_window_limiter&) = delete;
    sliding_window_limiter& operator=(const sliding_window_limiter&) = delete;

    rate_limit limit() const noexcept { return limit_; }
    /// The window actually enforced: limit().window plus the safety margin.
    clock::duration effective_window() const noexcept { return window_; }
    const std::shared_ptr<clock>& get_clock() const noexcept { return clock_; }

    /// Waits (FIFO) until one more request may start and records the start. Returns an empty
    /// error_code, or exsdk::errc::cancelled when the wait was cancelled.
    asio::awaitable<boost::system::error_code> acquire();

    /// Like acquire(), for a call that must fit in every one of `limiters` at the same instant
    /// (e.g. a per-UID limit and an IP-group limit). Null entries and duplicates are ignored.
    /// All limiters must use the same clock.
    static asio::awaitable<boost::system::error_code>
    acquire_all(std::span<sliding_window_limiter* const> limiters);

    /// No call starts before `t`: the exchange gave an unblock time (BingX 100410), and every
    /// caller of the endpoint should wait for it instead of prolonging the block. Keeps the
    /// later of this and any earlier hold.
    void hold_until(clock::time_point t);

    /// Records a start now if one is allowed now; never waits.
    bool try_acquire();
    /// Like try_acquire(), for a call that needs every one of `limiters` (all or none; null
    /// entries and duplicates are ignored).
    static bool try_acquire_all(std::span<sliding_window_limiter* const> limiters);

    /// When a call arriving now would start (now if a start is allowed now).
    clock::time_point next_start() const;
    /// Calls that hold a reservation in the future (waiting in acquire()).
    std::size_t waiting() const;
    /// Starts recorded in the window (t - effective_window(), t].
    std::size_t starts_in_window(clock::time_point t) const;
    /// Every start and reservation after `t` (those still counting at t + effective_window()),
    /// in order. redis_limit_store hands a fallback limiter's to Redis when it returns.
    std::vector<clock::time_point> starts_after(clock::time_point t) const;

private:
    friend class limiter_set_lock;
    // The slow path: reserves the earliest start in every one of the first `n` limiters of
    // `set` (distinct, non-null) and waits for it.
    using limiter_array = std::array<sliding_window_limiter*, max_limiters_per_call>;
    static asio::awaitable<boost::system::error_code> wait_for(limiter_array set, std::size_t n);
    static asio::awaitable<boost::system::error_code> reserve_and_wait(limiter_array set,
                                                                       std::size_t n);
    clock::time_point earliest_locked(clock::time_point now) const;
    void prune_locked(clock::time_point now);
    void release_locked(clock::time_point reservation);

    rate_limit limit_;
    std::shared_ptr<clock> clock_;
    clock::duration window_;
    mutable std::mutex mutex_;
    std::deque<clock::time_point> starts_; // reservations, sorted, pruned to the relevant window
    clock::time_point held_until_{};
};

} // namespace exsdk

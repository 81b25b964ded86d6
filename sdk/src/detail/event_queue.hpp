// A bounded single-consumer FIFO of results for the streams and sessions (private to the SDK):
// producers push, the consumer awaits pop() with an optional deadline. Once closed with an
// error, pop() drains what is queued and then returns that error every time. Single strand; only
// size() and dropped() may be read from other threads.
//
// At most `capacity` items are queued (exsdk/overflow_policy.hpp):
//  - block: the producer awaits wait_for_room() before producing (the stream's reader before
//    reading the socket, a session before taking the stream's next event); push() itself never
//    refuses, so a producer's few status items may pass the bound by that handful.
//  - drop: push() refuses what does not fit and counts it; the first pop() after drops appends
//    the marker made by `gap(n)` where the missing items were, so the consumer learns in order
//    how many were lost.
#pragma once

#include "detail/async_semaphore.hpp"
#include "detail/with_deadline.hpp"

#include <exsdk/clock.hpp>
#include <exsdk/error.hpp>
#include <exsdk/overflow_policy.hpp>
#include <exsdk/timer.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <atomic>
#include <deque>
#include <functional>
#include <optional>
#include <utility>

namespace exsdk::detail {

template <class T>
class event_queue {
public:
    /// What the consumer receives in place of `n` dropped items (drop policy).
    using gap_marker = std::function<result<T>(std::size_t n)>;

    event_queue(asio::any_io_executor ex, std::shared_ptr<clock> clk, std::size_t capacity,
                overflow_policy policy, gap_marker gap)
        : items_(ex, 0), room_(ex, 0), timer_(ex, clk), room_timer_(ex, std::move(clk)),
          capacity_(std::max<std::size_t>(capacity, 1)), policy_(policy), gap_(std::move(gap)) {}

    /// Queues `item`; false when it was dropped (drop policy, queue full).
    bool push(T item) {
        if (queue_.size() >= capacity_ && policy_ == overflow_policy::drop) {
            ++pending_drops_;
            dropped_.fetch_add(1, std::memory_order_relaxed);
            return false;
        }
        queue_.emplace_back(std::move(item));
        size_.store(queue_.size(), std::memory_order_relaxed);
        items_.release();
        return true;
    }

    /// No more items will come; pop() reports `e` once the queue is empty.
    void close(error e) {
        if (!closed_) {
            closed_ = std::move(e);
            items_.release(); // wakes a waiting consumer; the extra permit is never consumed
            wake_producer();  // a blocked producer sees the close
        }
    }
    void reopen() {
        closed_.reset();
        while (items_.available() > queue_.size()) {
            (void)items_.try_acquire(); // drop the wake-up permits of the previous close
        }
    }
    bool is_closed() const noexcept { return closed_.has_value(); }
    /// Thread-safe.
    std::size_t size() const noexcept { return size_.load(std::memory_order_relaxed); }
    std::size_t capacity() const noexcept { return capacity_; }
    /// Items dropped so far (drop policy). Thread-safe.
    std::size_t dropped() const noexcept { return dropped_.load(std::memory_order_relaxed); }
    /// False when a block-policy producer must wait before producing more.
    bool has_room() const noexcept {
        return policy_ == overflow_policy::drop || queue_.size() < capacity_ || closed_;
    }

    /// Block policy: waits until the queue has room (or is closed). errc::timeout when
    /// `deadline` passes first, errc::cancelled when cancelled. Drop policy: returns at once.
    asio::awaitable<result<void>> wait_for_room(std::optional<clock::time_point> deadline = {}) {
        while (!has_room()) {
            const auto ec = co_await acquire(room_, room_timer_, deadline);
            if (ec == asio::error::timed_out) {
                co_return error(errc::timeout, "no room in the event queue before the deadline");
            }
            if (ec) {
                co_return error(errc::cancelled, "waiting for room in the event queue cancelled");
            }
        }
        co_return result<void>{};
    }

    asio::awaitable<result<T>> pop(std::optional<clock::time_point> deadline) {
        if (queue_.empty() && !closed_) {
            const auto ec = co_await acquire(items_, timer_, deadline);
            if (ec == asio::error::timed_out) {
                co_return error(errc::timeout, "no event before the deadline");
            }
            if (ec) {
                co_return error(errc::cancelled, "waiting for an event cancelled");
            }
        } else if (!queue_.empty()) {
            (void)items_.try_acquire();
        }
        if (!queue_.empty()) {
            result<T> item = std::move(queue_.front());
            queue_.pop_front();
            if (pending_drops_ > 0) {
                // Drops happen only while the queue is full, so every queued item came before
                // them: the marker goes last, where the dropped items would have been.
                queue_.emplace_back(gap_(std::exchange(pending_drops_, 0)));
                items_.release();
            }
            size_.store(queue_.size(), std::memory_order_relaxed);
            wake_producer();
            co_return item;
        }
        co_return *closed_;
    }

private:
    /// Takes a permit of `s`, waiting at most until `deadline`: asio::error::timed_out then, or
    /// another error when cancelled.
    static asio::awaitable<boost::system::error_code>
    acquire(async_semaphore& s, timer& t, std::optional<clock::time_point> deadline) {
        if (!deadline) {
            auto [ec] = co_await s.async_acquire(asio::as_tuple(asio::use_awaitable));
            co_return ec;
        }
        t.expires_at(*deadline);
        auto r = co_await race_deadline(t, s.async_acquire(asio::deferred));
        const auto ec = deadline_error(r);
        if (ec && !std::get<1>(r)) {
            co_return boost::system::error_code{}; // granted even though the timer fired too
        }
        co_return ec;
    }

    void wake_producer() {
        if (room_.waiting() > 0 && has_room()) {
            room_.release();
        }
    }

    std::deque<result<T>> queue_;
    std::atomic<std::size_t> size_{0}; // queue_.size(), readable from any thread
    async_semaphore items_;            // one permit per queued item (+1 after close)
    async_semaphore room_;             // a blocked producer waits here; released only to a waiter
    timer timer_;
    timer room_timer_;
    std::optional<error> closed_;
    std::size_t capacity_;
    overflow_policy policy_;
    gap_marker gap_;
    std::size_t pending_drops_ = 0; // dropped since the last marker
    std::atomic<std::size_t> dropped_{0};
};

} // namespace exsdk::detail

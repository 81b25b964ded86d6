// A single-consumer FIFO of results for the streams (private to the SDK): producers push, the
// consumer awaits pop() with an optional deadline. Once closed with an error, pop() drains what
// is queued and then returns that error every time. Single strand; only size() may be read from
// other threads.
#pragma once

#include <exsdk/clock.hpp>
#include <exsdk/detail/async_semaphore.hpp>
#include <exsdk/detail/with_deadline.hpp>
#include <exsdk/error.hpp>
#include <exsdk/timer.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <atomic>
#include <deque>
#include <optional>

namespace exsdk::detail {

template <class T>
class event_queue {
public:
    event_queue(asio::any_io_executor ex, std::shared_ptr<clock> clk)
        : items_(ex, 0), timer_(ex, std::move(clk)) {}

    void push(T item) {
        queue_.push_back(std::move(item));
        size_.store(queue_.size(), std::memory_order_relaxed);
        items_.release();
    }

    /// No more items will come; pop() reports `e` once the queue is empty.
    void close(error e) {
        if (!closed_) {
            closed_ = std::move(e);
            items_.release(); // wakes a waiting consumer; the extra permit is never consumed
        }
    }
    void reopen() {
        closed_.reset();
        while (items_.available() > queue_.size()) {
            (void)items_.try_acquire(); // drop the wake-up permits of the previous close
        }
    }
    bool is_closed() const noexcept { return closed_.has_value(); }
    std::size_t size() const noexcept { return size_.load(std::memory_order_relaxed); }

    asio::awaitable<result<T>> pop(std::optional<clock::time_point> deadline) {
        if (queue_.empty() && !closed_) {
            boost::system::error_code ec;
            if (!deadline) {
                std::tie(ec) = co_await items_.async_acquire(asio::as_tuple(asio::use_awaitable));
            } else {
                timer_.expires_at(*deadline);
                auto r = co_await race_deadline(timer_, items_.async_acquire(asio::deferred));
                ec = deadline_error(r);
                if (ec && !std::get<1>(r)) {
                    ec = {}; // the permit was granted even though the timer fired too
                }
            }
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
            T item = std::move(queue_.front());
            queue_.pop_front();
            size_.store(queue_.size(), std::memory_order_relaxed);
            co_return item;
        }
        co_return *closed_;
    }

private:
    std::deque<T> queue_;
    std::atomic<std::size_t> size_{0}; // queue_.size(), readable from any thread
    async_semaphore items_;            // one permit per queued item (+1 after close)
    timer timer_;
    std::optional<error> closed_;
};

} // namespace exsdk::detail

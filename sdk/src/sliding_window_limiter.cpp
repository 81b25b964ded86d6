#include "detail/spawn.hpp"

#include <exsdk/error.hpp>
#include <exsdk/sliding_window_limiter.hpp>
#include <exsdk/timer.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <array>
#include <stdexcept>

namespace exsdk {

namespace {

clock::duration default_margin(rate_limit limit) {
    return std::chrono::duration_cast<clock::duration>(
        limit.window * sliding_window_limiter::default_margin_fraction);
}

} // namespace

// Locks a set of limiters in address order (deadlock-free), skipping nulls and duplicates.
class limiter_set_lock {
public:
    static constexpr std::size_t max_limiters = sliding_window_limiter::max_limiters_per_call;

    explicit limiter_set_lock(std::span<sliding_window_limiter* const> limiters) {
        for (auto* l : limiters) {
            if (l == nullptr ||
                std::find(set_.begin(), set_.begin() + size_, l) != set_.begin() + size_) {
                continue;
            }
            if (size_ == max_limiters) {
                throw std::invalid_argument("exsdk: too many limiters for one call");
            }
            set_[size_++] = l;
        }
        std::sort(set_.begin(), set_.begin() + size_);
        for (std::size_t i = 0; i < size_; ++i) {
            if (set_[i]->clock_ != set_[0]->clock_) {
                throw std::invalid_argument("exsdk: limiters of one call must share a clock");
            }
            set_[i]->mutex_.lock();
        }
    }
    limiter_set_lock(const limiter_set_lock&) = delete;
    limiter_set_lock& operator=(const limiter_set_lock&) = delete;
    ~limiter_set_lock() {
        for (std::size_t i = size_; i > 0; --i) {
            set_[i - 1]->mutex_.unlock();
        }
    }

    std::span<sliding_window_limiter* const> limiters() const { return {set_.data(), size_}; }

    // The earliest start that fits every limiter.
    clock::time_point earliest(clock::time_point now) {
        clock::time_point t = now;
        for (auto* l : limiters()) {
            l->prune_locked(now);
            t = std::max(t, l->earliest_locked(now));
        }
        return t;
    }

    // Reserves the earliest start that fits every limiter; returns it.
    clock::time_point reserve(clock::time_point now) {
        const clock::time_point t = earliest(now);
        for (auto* l : limiters()) {
            l->starts_.push_back(t);
        }
        return t;
    }

    void release(clock::time_point t) {
        for (auto* l : limiters()) {
            l->release_locked(t);
        }
    }

    clock::time_point held_until() const {
        clock::time_point t{};
        for (auto* l : limiters()) {
            t = std::max(t, l->held_until_);
        }
        return t;
    }

private:
    std::array<sliding_window_limiter*, max_limiters> set_{};
    std::size_t size_ = 0;
};

sliding_window_limiter::sliding_window_limiter(rate_limit limit, std::shared_ptr<clock> c)
    : sliding_window_limiter(limit, std::move(c), default_margin(limit)) {}

sliding_window_limiter::sliding_window_limiter(rate_limit limit, std::shared_ptr<clock> c,
                                               clock::duration margin)
    : limit_(limit), clock_(c ? std::move(c) : system_clock()),
      window_(std::chrono::duration_cast<clock::duration>(limit.window) +
              std::max(margin, clock::duration::zero())) {
    if (!limit.enabled()) {
        throw std::invalid_argument(
            "exsdk: a sliding_window_limiter needs requests > 0 and window > 0");
    }
}

clock::time_point sliding_window_limiter::earliest_locked(clock::time_point now) const {
    clock::time_point t = std::max(now, held_until_);
    if (!starts_.empty()) {
        t = std::max(t, starts_.back()); // reservations stay in arrival order (FIFO)
    }
    if (starts_.size() >= limit_.requests) {
        // The N-th most recent start must have left the window.
        t = std::max(t, starts_[starts_.size() - limit_.requests] + window_);
    }
    return t;
}

void sliding_window_limiter::prune_locked(clock::time_point now) {
    // A start at or before now - window can no longer share a window with any start >= now.
    const auto horizon = now - window_;
    while (!starts_.empty() && starts_.front() <= horizon) {
        starts_.pop_front();
    }
}

void sliding_window_limiter::release_locked(clock::time_point reservation) {
    // Usually the newest reservation; search from the back.
    for (auto it = starts_.end(); it != starts_.begin();) {
        --it;
        if (*it == reservation) {
            starts_.erase(it);
            return;
        }
        if (*it < reservation) {
            return;
        }
    }
}

asio::awaitable<boost::system::error_code> sliding_window_limiter::acquire() {
    // The common case, a free slot, costs one lock, one clock read and no timer.
    {
        std::lock_guard lock(mutex_);
        const auto now = clock_->now();
        prune_locked(now);
        if (earliest_locked(now) <= now) {
            starts_.push_back(now);
            co_return boost::system::error_code{};
        }
    }
    co_return co_await wait_for(limiter_array{this}, 1);
}

asio::awaitable<boost::system::error_code>
sliding_window_limiter::acquire_all(std::span<sliding_window_limiter* const> limiters) {
    limiter_array set{};
    std::size_t n = 0;
    {
        limiter_set_lock lock(limiters);
        if (lock.limiters().empty()) {
            co_return boost::system::error_code{};
        }
        const auto now = lock.limiters()[0]->clock_->now();
        if (lock.earliest(now) <= now) {
            lock.reserve(now);
            co_return boost::system::error_code{}; // fast path: no timer at all
        }
        n = lock.limiters().size();
        std::copy_n(lock.limiters().begin(), n, set.begin());
    }
    co_return co_await wait_for(set, n);
}

asio::awaitable<boost::system::error_code> sliding_window_limiter::wait_for(limiter_array set,
                                                                            std::size_t n) {
    // The wait runs as its own coroutine, on a strand over the caller's executor: what it needs
    // (no exception on cancellation) it sets in its own frame, never in the caller's coroutine;
    // the caller's cancellation reaches it on that strand, whatever thread emits it. The
    // reservation is made inside it, so a caller that throws before it starts leaves none.
    auto strand = asio::make_strand(co_await asio::this_coro::executor);
    co_return co_await detail::spawn(strand, reserve_and_wait(set, n), asio::use_awaitable);
}

asio::awaitable<boost::system::error_code>
sliding_window_limiter::reserve_and_wait(limiter_array set, std::size_t n) {
    co_await asio::this_coro::throw_if_cancelled(false);
    const std::span<sliding_window_limiter* const> limiters(set.data(), n);
    std::shared_ptr<clock> clk;
    clock::time_point start{};
    {
        limiter_set_lock lock(limiters);
        clk = lock.limiters()[0]->clock_;
        start = lock.reserve(clk->now());
    }
    timer t(co_await asio::this_coro::executor, clk);
    for (;;) {
        t.expires_at(start);
        auto [ec] = co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
        limiter_set_lock lock(limiters);
        if (ec) {
            lock.release(start);
            co_return make_error_code(errc::cancelled);
        }
        // A hold (an unblock time from the exchange) may have come in while this call waited:
        // then its reservation moves behind the hold instead of going out inside the block.
        if (lock.held_until() <= start) {
            co_return boost::system::error_code{};
        }
        lock.release(start);
        start = lock.reserve(clk->now());
    }
}

void sliding_window_limiter::hold_until(clock::time_point t) {
    std::lock_guard lock(mutex_);
    held_until_ = std::max(held_until_, t);
}

bool sliding_window_limiter::try_acquire() {
    std::lock_guard lock(mutex_);
    const auto now = clock_->now();
    prune_locked(now);
    if (earliest_locked(now) > now) {
        return false;
    }
    starts_.push_back(now);
    return true;
}

bool sliding_window_limiter::try_acquire_all(std::span<sliding_window_limiter* const> limiters) {
    limiter_set_lock lock(limiters);
    if (lock.limiters().empty()) {
        return true;
    }
    const auto now = lock.limiters()[0]->clock_->now();
    if (lock.earliest(now) > now) {
        return false;
    }
    lock.reserve(now);
    return true;
}

clock::time_point sliding_window_limiter::next_start() const {
    std::lock_guard lock(mutex_);
    return earliest_locked(clock_->now());
}

std::size_t sliding_window_limiter::waiting() const {
    std::lock_guard lock(mutex_);
    const auto now = clock_->now();
    return static_cast<std::size_t>(
        std::count_if(starts_.begin(), starts_.end(), [now](auto t) { return t > now; }));
}

std::size_t sliding_window_limiter::starts_in_window(clock::time_point t) const {
    std::lock_guard lock(mutex_);
    return static_cast<std::size_t>(std::count_if(
        starts_.begin(), starts_.end(), [&](auto s) { return s > t - window_ && s <= t; }));
}

std::vector<clock::time_point> sliding_window_limiter::starts_after(clock::time_point t) const {
    std::lock_guard lock(mutex_);
    std::vector<clock::time_point> out;
    for (auto s : starts_) {
        if (s > t) {
            out.push_back(s);
        }
    }
    return out;
}

} // namespace exsdk

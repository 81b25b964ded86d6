// The mock's side of a rate limit: the start times of the requests it admitted, so "at most N in
// any interval of length W" is checked exactly (window (now - W, now], like the SDK's limiter).
// Bounded: only admitted starts are recorded, and only for an enabled limit, so it never holds
// more than the limit's N; count() forgets the starts that left the window.
// Not thread-safe: it lives in the shared state, under its mutex.
#pragma once

#include <exsdk/clock.hpp>
#include <exsdk/rate_limit.hpp>

#include <chrono>
#include <cstddef>
#include <deque>
#include <optional>

namespace exsdk::mock::detail {

class sliding_window {
public:
    using time_point = clock::time_point;

    /// Admitted starts in (now - window, now]; forgets older ones.
    std::size_t count(time_point now, std::chrono::milliseconds window) {
        const auto horizon = now - window;
        while (!starts_.empty() && starts_.front() <= horizon) {
            starts_.pop_front();
        }
        return starts_.size();
    }

    /// True when one more start is allowed now. A disabled limit admits everything.
    bool admits(time_point now, const rate_limit& limit) {
        return !limit.enabled() || count(now, limit.window) < limit.requests;
    }

    void record(time_point now) { starts_.push_back(now); }
    /// Records an admitted start; nothing for a disabled limit (it never counts).
    void record(time_point now, const rate_limit& limit) {
        if (limit.enabled()) {
            starts_.push_back(now);
        }
    }

    /// How many more starts are allowed now.
    std::size_t remaining(time_point now, const rate_limit& limit) {
        if (!limit.enabled()) {
            return limit.requests;
        }
        const auto n = count(now, limit.window);
        return n >= limit.requests ? 0 : limit.requests - n;
    }

    /// Time until the oldest counted start leaves the window (zero when none is counted).
    std::chrono::milliseconds until_reset(time_point now, const rate_limit& limit) {
        if (!limit.enabled() || count(now, limit.window) == 0) {
            return std::chrono::milliseconds(0);
        }
        return std::chrono::ceil<std::chrono::milliseconds>(starts_.front() + limit.window - now);
    }

    bool empty() const noexcept { return starts_.empty(); }
    std::size_t size() const noexcept { return starts_.size(); }

    /// When the window will be empty (its newest start leaves it); nullopt when it is empty at
    /// `now` (old starts are forgotten first).
    std::optional<time_point> ends_at(time_point now, std::chrono::milliseconds window) {
        if (count(now, window) == 0) {
            return std::nullopt;
        }
        return starts_.back() + window;
    }

private:
    std::deque<time_point> starts_;
};

} // namespace exsdk::mock::detail

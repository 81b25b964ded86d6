// exsdk::manual_clock: a clock that moves only when told to. Advancing it completes every timer
// wait (exsdk::timer) whose deadline has been reached, in deadline order, by posting the
// completions to the waiters' executors. Thread-safe.
#pragma once

#include <exsdk/clock.hpp>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/system/error_code.hpp>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>

namespace exsdk {

class manual_clock final : public clock {
public:
    ~manual_clock() override;
    using wait_handler = boost::asio::any_completion_handler<void(boost::system::error_code)>;

    /// Starts at `start` (epoch time). Wall and monotonic time move together.
    explicit manual_clock(wall_time start);
    /// Starts at epoch milliseconds `start_ms`.
    explicit manual_clock(std::int64_t start_ms) : manual_clock(from_epoch_ms(start_ms)) {}

    wall_time wall_now() const noexcept override;
    time_point now() const noexcept override;
    manual_clock* scheduler() noexcept override { return this; }

    /// Moves time forward by `d` (negative values are ignored) and fires due waits.
    void advance(duration d);
    /// Sets the time. Moving backwards is allowed (the mock's admin API can do it) but never
    /// fires anything; prefer advance() for clocks shared with SDK clients.
    void set(wall_time t);
    void set_ms(std::int64_t ms) { set(from_epoch_ms(ms)); }

    /// The earliest pending deadline, if any wait is pending.
    std::optional<time_point> next_deadline() const;
    /// Advances to the earliest pending deadline; false when nothing is waiting.
    bool advance_to_next();
    /// Number of pending waits.
    std::size_t pending() const;

    // --- used by exsdk::timer -------------------------------------------------------------
    /// Schedules `h` to complete with success at `deadline` (immediately, through a post, when
    /// the deadline has passed). The handler's cancellation slot, if connected, cancels the wait
    /// with operation_aborted. Returns an id for cancel().
    std::uint64_t schedule(time_point deadline, boost::asio::any_io_executor ex, wait_handler h);
    /// Completes the wait `id` with operation_aborted if still pending. Returns 1 if it was.
    std::size_t cancel(std::uint64_t id);
    /// True while the wait `id` has neither fired nor been cancelled.
    bool is_pending(std::uint64_t id) const;

private:
    void fire_due();

    std::atomic<std::int64_t> now_ns_;
    mutable std::mutex mutex_;
    std::uint64_t next_id_ = 1;
    struct wait_list; // the pending waits, in deadline order (clock.cpp)
    std::unique_ptr<wait_list> waits_;
};

} // namespace exsdk

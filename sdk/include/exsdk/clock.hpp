// exsdk::clock: where the SDK and the mock exchange read time. Injected everywhere (clients,
// limiters, sessions, the mock), so tests can run whole lifecycles in virtual time with
// exsdk::manual_clock instead of sleeping.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <memory>

namespace exsdk {

class manual_clock;

class clock {
public:
    /// Epoch time: request timestamps, key expiry times, what exchanges report.
    using wall_time = std::chrono::system_clock::time_point;
    /// Monotonic time: rate-limit windows, timeouts, keep-alive schedules.
    using time_point = std::chrono::steady_clock::time_point;
    using duration = std::chrono::steady_clock::duration;

    clock() = default;
    clock(const clock&) = delete;
    clock& operator=(const clock&) = delete;
    virtual ~clock() = default;

    virtual wall_time wall_now() const noexcept = 0;
    virtual time_point now() const noexcept = 0;

    /// Epoch milliseconds, as exchanges use them.
    std::int64_t wall_ms() const noexcept {
        return std::chrono::duration_cast<std::chrono::milliseconds>(wall_now().time_since_epoch())
            .count();
    }

    /// The manual clock that schedules timers on this clock, or nullptr when timers are the
    /// operating system's (then now() must be std::chrono::steady_clock's time line). A clock
    /// that wraps a manual clock (to skew its wall time, say) returns the wrapped one.
    virtual manual_clock* scheduler() noexcept { return nullptr; }
};

/// The real clock (std::chrono::system_clock + std::chrono::steady_clock). Never null.
const std::shared_ptr<clock>& system_clock();

/// The epoch milliseconds a clock::wall_time can hold: +-2^63 ns, about the years 1678 to 2262.
inline constexpr std::int64_t max_epoch_ms =
    std::chrono::duration_cast<std::chrono::milliseconds>(clock::wall_time::duration::max())
        .count();
inline constexpr std::int64_t min_epoch_ms = -max_epoch_ms;

/// Converts epoch milliseconds to wall time (clamped to [min_epoch_ms, max_epoch_ms], so any
/// value an exchange sends converts without overflow) and back.
inline clock::wall_time from_epoch_ms(std::int64_t ms) noexcept {
    return clock::wall_time(std::chrono::milliseconds(std::clamp(ms, min_epoch_ms, max_epoch_ms)));
}
inline std::int64_t to_epoch_ms(clock::wall_time t) noexcept {
    return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

} // namespace exsdk

// Drives an io_context in virtual time: run what is ready, then jump the manual clock to the
// next timer deadline, until a condition holds. Loopback socket I/O completes within poll(), so
// client and embedded mock on one io_context make whole lifecycles deterministic.
#pragma once

#include <exsdk/clock.hpp>
#include <exsdk/manual_clock.hpp>

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <functional>
#include <memory>

namespace exsdk::test {

/// Runs every handler that is ready, including those they make ready; returns how many ran.
std::size_t drain(boost::asio::io_context& ioc);

/// Alternates drain() and manual_clock::advance_to_next() until `done()` is true, nothing is
/// left to wait for, or virtual time passed `limit`. Returns done().
bool run_virtual(boost::asio::io_context& ioc, manual_clock& clk, const std::function<bool()>& done,
                 clock::duration limit = std::chrono::hours(24 * 365));

/// Advances virtual time by `d`, firing and running everything due on the way, in order.
void advance(boost::asio::io_context& ioc, manual_clock& clk, clock::duration d);

/// A clock whose wall time is `skew` away from a manual clock's (timers and monotonic time are
/// the manual clock's): a machine with a wrong clock, for clock-sync tests.
class skewed_clock final : public clock {
public:
    skewed_clock(std::shared_ptr<manual_clock> base, clock::duration skew)
        : base_(std::move(base)), skew_(skew) {}
    wall_time wall_now() const noexcept override {
        return base_->wall_now() + std::chrono::duration_cast<wall_time::duration>(skew_);
    }
    time_point now() const noexcept override { return base_->now(); }
    manual_clock* scheduler() noexcept override { return base_.get(); }

private:
    std::shared_ptr<manual_clock> base_;
    clock::duration skew_;
};

} // namespace exsdk::test

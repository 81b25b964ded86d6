// exsdk::timer: a waitable timer on an injected exsdk::clock. On the system clock it is an
// asio::steady_timer; on a manual clock the clock itself completes it when time is advanced.
// Same interface and cancellation behaviour as asio::steady_timer (per-operation cancellation
// through the handler's cancellation slot, cancel() for all pending waits).
#pragma once

#include <exsdk/asio_namespace.hpp>
#include <exsdk/clock.hpp>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/steady_timer.hpp>

#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

namespace exsdk {

class manual_clock;

class timer {
public:
    timer(asio::any_io_executor ex, std::shared_ptr<clock> c);
    timer(const timer&) = delete;
    timer& operator=(const timer&) = delete;
    ~timer();

    using executor_type = asio::any_io_executor;
    executor_type get_executor() noexcept { return steady_.get_executor(); }
    const std::shared_ptr<clock>& get_clock() const noexcept { return clock_; }

    /// Sets the deadline; like asio's timers, this cancels pending waits.
    std::size_t expires_at(clock::time_point t);
    std::size_t expires_after(clock::duration d) { return expires_at(clock_->now() + d); }
    clock::time_point expiry() const noexcept { return expiry_; }

    /// Cancels every pending wait (they complete with operation_aborted).
    std::size_t cancel();

    /// Waits until expiry(). Completion signature: void(boost::system::error_code).
    template <class CompletionToken = asio::default_completion_token_t<executor_type>>
    auto async_wait(CompletionToken&& token = {}) {
        return asio::async_initiate<CompletionToken, void(boost::system::error_code)>(
            [this](auto handler) {
                if (manual_ == nullptr) {
                    steady_.async_wait(std::move(handler));
                } else {
                    start_manual_wait(std::move(handler));
                }
            },
            token);
    }

private:
    void start_manual_wait(asio::any_completion_handler<void(boost::system::error_code)> handler);

    std::shared_ptr<clock> clock_;
    manual_clock* manual_;      // clock_->scheduler(): non-null for virtual time
    asio::steady_timer steady_; // used when the clock is the system clock
    clock::time_point expiry_{};
    std::vector<std::uint64_t> manual_ids_; // pending manual waits (usually 0 or 1)
};

} // namespace exsdk

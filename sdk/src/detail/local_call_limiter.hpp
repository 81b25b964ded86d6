// The in-process call_limiter (private to the SDK): the limits of one kind of call as
// sliding_window_limiters of this process, taken together with acquire_all(). What every client
// uses unless its config names a limit_store. acquire() hands out acquire_all()'s own awaitable,
// so the seam costs a virtual call and no extra coroutine frame.
#pragma once

#include <exsdk/call_limiter.hpp>
#include <exsdk/sliding_window_limiter.hpp>

#include <array>
#include <memory>
#include <span>
#include <stdexcept>
#include <vector>

namespace exsdk::detail {

class local_call_limiter final : public call_limiter {
public:
    /// `limits[0]` is the endpoint's own limiter (held back by hold_for); null entries are
    /// skipped. `owners` keep the limiters alive (shared limiters, the BingX IP group).
    local_call_limiter(std::span<sliding_window_limiter* const> limits,
                       std::vector<std::shared_ptr<const void>> owners)
        : owners_(std::move(owners)) {
        for (auto* l : limits) {
            if (l == nullptr) {
                continue;
            }
            if (size_ == set_.size()) {
                throw std::invalid_argument("exsdk: too many limiters for one call");
            }
            set_[size_++] = l;
        }
        holdable_ = !limits.empty() && limits[0] != nullptr;
    }

    bool empty() const noexcept { return size_ == 0; }

    asio::awaitable<boost::system::error_code> acquire() override {
        return sliding_window_limiter::acquire_all({set_.data(), size_});
    }

    bool try_acquire() override {
        return sliding_window_limiter::try_acquire_all({set_.data(), size_});
    }

    asio::awaitable<void> hold_for(clock::duration wait) override {
        if (holdable_ && wait > clock::duration::zero()) {
            set_[0]->hold_until(set_[0]->get_clock()->now() + wait);
        }
        co_return;
    }

private:
    std::array<sliding_window_limiter*, sliding_window_limiter::max_limiters_per_call> set_{};
    std::size_t size_ = 0;
    bool holdable_ = false;
    std::vector<std::shared_ptr<const void>> owners_;
};

} // namespace exsdk::detail

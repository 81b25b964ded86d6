#include <exsdk/manual_clock.hpp>
#include <exsdk/timer.hpp>

#include <algorithm>

namespace exsdk {

timer::timer(asio::any_io_executor ex, std::shared_ptr<clock> c)
    : clock_(c ? std::move(c) : system_clock()), manual_(clock_->scheduler()),
      steady_(std::move(ex)) {}

timer::~timer() {
    cancel();
}

std::size_t timer::expires_at(clock::time_point t) {
    expiry_ = t;
    if (manual_ == nullptr) {
        return steady_.expires_at(t);
    }
    return cancel();
}

std::size_t timer::cancel() {
    if (manual_ == nullptr) {
        return steady_.cancel();
    }
    std::size_t n = 0;
    for (auto id : manual_ids_) {
        n += manual_->cancel(id);
    }
    manual_ids_.clear();
    return n;
}

void timer::start_manual_wait(
    asio::any_completion_handler<void(boost::system::error_code)> handler) {
    // Forget waits that already fired or were cancelled through their slot.
    std::erase_if(manual_ids_, [this](std::uint64_t id) { return !manual_->is_pending(id); });
    if (auto id = manual_->schedule(expiry_, get_executor(), std::move(handler)); id != 0) {
        manual_ids_.push_back(id);
    }
}

} // namespace exsdk

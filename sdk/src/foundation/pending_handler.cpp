#include "detail/async_semaphore.hpp"
#include "detail/pending_handler.hpp"

#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>

namespace exsdk::detail {

pending_handler::pending_handler(boost::asio::any_io_executor ex, handler_type h)
    : work(boost::asio::prefer(ex, boost::asio::execution::outstanding_work.tracked)),
      handler(std::move(h)) {}

void pending_handler::complete(boost::system::error_code ec) && {
    // Posted through `work` (the I/O object's executor) and run on the handler's own associated
    // executor (a coroutine's strand, say), as Asio's own operations do.
    auto work_ex = work;
    auto handler_ex = boost::asio::get_associated_executor(handler, work_ex);
    boost::asio::post(
        work_ex, boost::asio::bind_executor(handler_ex, [self = std::move(*this), ec]() mutable {
            auto slot = boost::asio::get_associated_cancellation_slot(self.handler);
            if (slot.is_connected()) {
                slot.clear();
            }
            auto h = std::move(self.handler);
            self.work = {}; // release the work guard before the continuation runs
            std::move(h)(ec);
        }));
}

// ---------------------------------------------------------------------------------------------

async_semaphore::~async_semaphore() {
    auto waiters = std::move(waiters_);
    for (auto& [id, w] : waiters) {
        std::move(w).complete(boost::asio::error::operation_aborted);
    }
}

// complete() only posts, so it may run under the lock.
void async_semaphore::start_wait(pending_handler::handler_type h, bool priority) {
    auto slot = boost::asio::get_associated_cancellation_slot(h);
    pending_handler w(ex_, std::move(h));
    std::lock_guard lock(mutex_);
    if (try_acquire_locked()) {
        std::move(w).complete({});
        return;
    }
    constexpr std::uint64_t normal = std::uint64_t{1} << 63;
    const std::uint64_t id = next_id_++ | (priority ? 0 : normal);
    waiters_.emplace(id, std::move(w));
    if (slot.is_connected()) {
        slot.assign([this, id](boost::asio::cancellation_type type) {
            if (type != boost::asio::cancellation_type::none) {
                cancel(id);
            }
        });
    }
}

void async_semaphore::cancel(std::uint64_t id) {
    std::lock_guard lock(mutex_);
    auto node = waiters_.extract(id);
    if (!node.empty()) {
        std::move(node.mapped()).complete(boost::asio::error::operation_aborted);
    }
}

void async_semaphore::release() {
    std::lock_guard lock(mutex_);
    if (waiters_.empty()) {
        ++permits_;
        return;
    }
    auto node = waiters_.extract(waiters_.begin());
    std::move(node.mapped()).complete({});
}

} // namespace exsdk::detail

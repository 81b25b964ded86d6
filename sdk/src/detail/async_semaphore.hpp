// A FIFO async semaphore: the permits of the HTTP connection pool. Thread-safe (a mutex held for
// a few instructions): coroutines on any thread may wait and release. Waiting is an Asio
// operation with per-operation cancellation; a cancelled waiter takes nothing. Waiters
// may ask for priority (served first): a call that waited for its rate-limit slot takes the
// next free connection, so it starts at its reserved time.
// (Asio 1.81's buffered channel cannot serve here: cancelling its last receive waiter leaves it
// refusing every later try_send.)
#pragma once

#include "detail/pending_handler.hpp"

#include <boost/asio/async_result.hpp>

#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>

namespace exsdk::detail {

class async_semaphore {
public:
    async_semaphore(boost::asio::any_io_executor ex, std::size_t permits)
        : ex_(std::move(ex)), permits_(permits) {}
    async_semaphore(const async_semaphore&) = delete;
    async_semaphore& operator=(const async_semaphore&) = delete;
    ~async_semaphore(); // pending waiters complete with operation_aborted

    /// Takes a permit if one is free, without waiting.
    bool try_acquire() {
        std::lock_guard lock(mutex_);
        return try_acquire_locked();
    }

    /// Waits (FIFO) for a permit. Completion: void(error_code); operation_aborted if cancelled.
    /// Priority waiters are served before the others (FIFO among themselves).
    template <class CompletionToken>
    auto async_acquire(CompletionToken&& token, bool priority = false) {
        return boost::asio::async_initiate<CompletionToken, void(boost::system::error_code)>(
            [this, priority](auto handler) {
                start_wait(pending_handler::handler_type(std::move(handler)), priority);
            },
            token);
    }

    /// Returns a permit: the first waiter gets it, else it becomes free.
    void release();

    std::size_t available() const {
        std::lock_guard lock(mutex_);
        return permits_;
    }
    std::size_t waiting() const {
        std::lock_guard lock(mutex_);
        return waiters_.size();
    }

private:
    bool try_acquire_locked() noexcept {
        if (permits_ > 0 && waiters_.empty()) {
            --permits_;
            return true;
        }
        return false;
    }
    void start_wait(pending_handler::handler_type h, bool priority);
    void cancel(std::uint64_t id);

    mutable std::mutex mutex_;
    boost::asio::any_io_executor ex_;
    std::size_t permits_;
    std::uint64_t next_id_ = 1;
    // FIFO by key: priority waiters' keys have the top bit clear, the others' set, so the map's
    // order serves every priority waiter first.
    std::map<std::uint64_t, pending_handler> waiters_;
};

} // namespace exsdk::detail

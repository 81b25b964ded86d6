// A FIFO async semaphore (single strand): the permits of the HTTP connection pool. Waiting is
// an Asio operation with per-operation cancellation; a cancelled waiter takes nothing.
// (Asio 1.81's buffered channel cannot serve here: cancelling its last receive waiter leaves it
// refusing every later try_send.)
#pragma once

#include <exsdk/detail/pending_handler.hpp>

#include <boost/asio/async_result.hpp>

#include <cstddef>
#include <cstdint>
#include <map>

namespace exsdk::detail {

class async_semaphore {
public:
    async_semaphore(boost::asio::any_io_executor ex, std::size_t permits)
        : ex_(std::move(ex)), permits_(permits) {}
    async_semaphore(const async_semaphore&) = delete;
    async_semaphore& operator=(const async_semaphore&) = delete;
    ~async_semaphore(); // pending waiters complete with operation_aborted

    /// Takes a permit if one is free, without waiting.
    bool try_acquire() noexcept {
        if (permits_ > 0 && waiters_.empty()) {
            --permits_;
            return true;
        }
        return false;
    }

    /// Waits (FIFO) for a permit. Completion: void(error_code); operation_aborted if cancelled.
    template <class CompletionToken>
    auto async_acquire(CompletionToken&& token) {
        return boost::asio::async_initiate<CompletionToken, void(boost::system::error_code)>(
            [this](auto handler) { start_wait(pending_handler::handler_type(std::move(handler))); },
            token);
    }

    /// Returns a permit: the first waiter gets it, else it becomes free.
    void release();

    std::size_t available() const noexcept { return permits_; }
    std::size_t waiting() const noexcept { return waiters_.size(); }

private:
    void start_wait(pending_handler::handler_type h);
    void cancel(std::uint64_t id);

    boost::asio::any_io_executor ex_;
    std::size_t permits_;
    std::uint64_t next_id_ = 1;
    std::map<std::uint64_t, pending_handler> waiters_; // FIFO by id
};

} // namespace exsdk::detail

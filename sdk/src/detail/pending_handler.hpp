// A parked completion handler: what exsdk's own async operations (manual-clock waits, the
// connection semaphore) keep while an operation is pending. complete() posts the handler to its
// associated executor with the result, after disconnecting its cancellation slot.
#pragma once

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/system/error_code.hpp>

namespace exsdk::detail {

struct pending_handler {
    using handler_type = boost::asio::any_completion_handler<void(boost::system::error_code)>;

    /// Takes `h` and keeps `ex` busy (outstanding work) until the handler ran.
    pending_handler(boost::asio::any_io_executor ex, handler_type h);
    pending_handler(pending_handler&&) noexcept = default;
    pending_handler& operator=(pending_handler&&) noexcept = default;

    /// Posts the handler with `ec`. Never runs it inline: callers may hold locks or be inside
    /// another handler.
    void complete(boost::system::error_code ec) &&;

    boost::asio::any_io_executor work;
    handler_type handler;
};

} // namespace exsdk::detail

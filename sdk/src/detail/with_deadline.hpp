// Runs one deferred Asio operation against an exsdk::timer: whichever finishes first cancels the
// other (Asio parallel_group). The caller's own cancellation reaches the operation too.
// Include only from .cpp files: parallel_group is heavy.
#pragma once

#include <exsdk/timer.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <tuple>
#include <utility>

namespace exsdk::detail {

/// Awaits `op` until `t`'s expiry; returns the parallel group's tuple: (completion order, the
/// operation's results..., the timer's error_code). Use deadline_error() to read it.
template <class DeferredOp>
auto race_deadline(timer& t, DeferredOp op) {
    return boost::asio::experimental::make_parallel_group(std::move(op),
                                                          t.async_wait(boost::asio::deferred))
        .async_wait(boost::asio::experimental::wait_for_one(), boost::asio::use_awaitable);
}

/// The outcome of race_deadline(): asio::error::timed_out when the timer expired first, else the
/// operation's own error code.
template <class Tuple>
boost::system::error_code deadline_error(const Tuple& result) {
    const auto& order = std::get<0>(result);
    const boost::system::error_code timer_ec = std::get<std::tuple_size_v<Tuple> - 1>(result);
    if (order[0] == 1 && !timer_ec) {
        return boost::asio::error::timed_out;
    }
    return std::get<1>(result);
}

/// Awaits `op` (completion signature void(error_code, ...)) until `t`'s expiry. Returns the
/// operation's error code, or asio::error::timed_out when the timer expired first.
template <class DeferredOp>
boost::asio::awaitable<boost::system::error_code> with_deadline(timer& t, DeferredOp op) {
    co_return deadline_error(co_await race_deadline(t, std::move(op)));
}

} // namespace exsdk::detail

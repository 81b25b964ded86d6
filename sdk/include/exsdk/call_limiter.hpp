// exsdk::call_limiter: the rate limits one kind of call takes together, as the clients see them.
//
// A client builds one call_limiter per endpoint when it is constructed (BingX POST
// userDataStream: the UID window, the IP group and the endpoint's IP limit; WOO X listenKey: the
// account's window) and, for every attempt of a call, awaits acquire() before sending. Two
// implementations ship with the SDK: the in-process one over exsdk::sliding_window_limiter (the
// default) and exsdk::redis_limit_store's, which counts every process of a fleet together. Other
// stores can implement exsdk::limit_store (limit_store.hpp).
#pragma once

#include <exsdk/asio_namespace.hpp>
#include <exsdk/clock.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/system/error_code.hpp>

#include <string>

namespace exsdk {

class call_limiter {
public:
    call_limiter() = default;
    call_limiter(const call_limiter&) = delete;
    call_limiter& operator=(const call_limiter&) = delete;
    virtual ~call_limiter() = default;

    /// Waits (FIFO) until one more call may start in every limit and records the start.
    /// Returns an empty error_code, exsdk::errc::cancelled (Asio per-operation cancellation;
    /// the reservation is given back) or exsdk::errc::limiter_unavailable (the store cannot
    /// answer and its failure policy says fail; failure_reason() says why). Callable from any
    /// thread; never changes the caller's coroutine state.
    virtual asio::awaitable<boost::system::error_code> acquire() = 0;

    /// Records one start now in every limit if all have room and nobody is waiting, without
    /// suspending; false otherwise (then acquire() waits for the earliest start). The clients
    /// call it at the instant a pooled connection is ready to write the request, so the start
    /// the limits record is the request's real start. A store that only answers asynchronously
    /// (Redis) keeps the default: always false.
    virtual bool try_acquire() { return false; }

    /// The exchange named an unblock time `wait` from now (BingX 100410): no call of this kind
    /// starts before it, in any process sharing the limits. Applies to the first limit (the
    /// endpoint's own); keeps the later of this and any earlier hold.
    virtual asio::awaitable<void> hold_for(clock::duration wait) = 0;

    /// Why the last acquire() returned limiter_unavailable (never contains secrets).
    virtual std::string failure_reason() const { return {}; }
};

} // namespace exsdk

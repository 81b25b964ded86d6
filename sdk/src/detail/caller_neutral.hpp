// detail::caller_neutral(body): runs an SDK call's body inside the caller's own coroutine and
// leaves the caller's coroutine state as it found it (private to the SDK).
//
// In Boost 1.81 throw_if_cancelled belongs to the whole awaitable thread: a nested coroutine
// that switches it off (the SDK reports cancellation as errc::cancelled, never as an exception)
// switches it off for its caller too. The body runs with it off, and the caller's value is put
// back before the caller resumes, whatever the body returned or threw. Cancellation filters are
// never touched. A REST call runs on the caller's executor and thread, with no hop (the clients'
// shared state is mutex-guarded), so the caller resumes where it was. The hot calls
// (request_pipeline::run) do the same save and restore inline, without this wrapper's frame;
// this wrapper serves the other bodies (server_time, sync_clock, all_api_key_permissions).
#pragma once

#include <exsdk/asio_namespace.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/this_coro.hpp>

#include <exception>
#include <optional>
#include <utility>

namespace exsdk::detail {

template <class T>
asio::awaitable<T> caller_neutral(asio::awaitable<T> body) {
    const bool caller_throws = co_await asio::this_coro::throw_if_cancelled();
    co_await asio::this_coro::throw_if_cancelled(false);
    std::optional<T> out;
    std::exception_ptr failure;
    try {
        out.emplace(co_await std::move(body));
    } catch (...) {
        failure = std::current_exception(); // (only bad_alloc: errors are values)
    }
    co_await asio::this_coro::throw_if_cancelled(caller_throws);
    if (failure) {
        std::rethrow_exception(failure);
    }
    co_return std::move(*out);
}

} // namespace exsdk::detail

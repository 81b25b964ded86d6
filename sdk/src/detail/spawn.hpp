// detail::spawn(ex, body, token): asio::co_spawn for the SDK's own coroutines, with a
// cancellation path that is safe across threads (private to the SDK).
//
// Why not plain co_spawn: Boost 1.81's co_spawn keeps the spawned coroutine's cancellation signal
// inside the handler it installs in the caller's cancellation slot, and emits into it through a
// dispatch to the spawn executor that may run later, on another thread. By then the call may
// have completed and the caller's coroutine moved on: Asio clears (destroys) that slot handler
// when the caller resumes, and the deferred emit touches freed memory. Here the signal is shared
// by everything that may still reach it (the forwarder in the caller's slot, every deferred
// emit, the completion), so a late cancellation is harmless: it finds a finished coroutine.
//
// The body runs in its own awaitable thread on `ex`; the completion goes to the token's handler
// through the handler's associated executor (which is kept busy until then), like co_spawn.
#pragma once

#include <exsdk/asio_namespace.hpp>

#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/prefer.hpp>

#include <exception>
#include <memory>
#include <utility>

namespace exsdk::detail {

template <class T>
struct spawn_signature {
    using type = void(std::exception_ptr, T);
};
template <>
struct spawn_signature<void> {
    using type = void(std::exception_ptr);
};

/// Installed in the caller's cancellation slot: emits on the body's executor, never inline on
/// the emitting thread.
template <class Executor>
struct cancellation_forwarder {
    std::shared_ptr<asio::cancellation_signal> signal;
    Executor ex;

    void operator()(asio::cancellation_type type) const {
        asio::dispatch(ex, [sig = signal, type] { sig->emit(type); });
    }
};

/// co_spawn's completion handler (runs on the body's executor): hands the result to the
/// caller's handler on its associated executor.
template <class Handler, class Executor>
struct spawn_completion {
    using handler_executor = asio::associated_executor_t<Handler, Executor>;
    using tracked_executor = std::decay_t<decltype(asio::prefer(
        std::declval<handler_executor>(), asio::execution::outstanding_work.tracked))>;

    spawn_completion(Handler h, const Executor& ex, std::shared_ptr<asio::cancellation_signal> s)
        : handler(std::move(h)), work(asio::prefer(asio::get_associated_executor(handler, ex),
                                                   asio::execution::outstanding_work.tracked)),
          signal(std::move(s)) {}

    template <class... Args>
    void operator()(Args... args) {
        auto target = work;
        asio::dispatch(target, [h = std::move(handler), ... a = std::move(args)]() mutable {
            std::move(h)(std::move(a)...);
        });
    }

    Handler handler;
    tracked_executor work;                             // the caller's executor stays busy
    std::shared_ptr<asio::cancellation_signal> signal; // outlives the body's cancellation chain
};

template <class Executor>
struct initiate_spawn {
    Executor ex;

    template <class Handler, class T>
    void operator()(Handler&& handler, asio::awaitable<T> body) const {
        using handler_type = std::decay_t<Handler>;
        auto slot = asio::get_associated_cancellation_slot(handler);
        std::shared_ptr<asio::cancellation_signal> signal;
        if (slot.is_connected()) {
            signal = std::make_shared<asio::cancellation_signal>();
            slot.template emplace<cancellation_forwarder<Executor>>(signal, ex);
        }
        auto body_slot = signal ? signal->slot() : asio::cancellation_slot();
        asio::co_spawn(ex, std::move(body),
                       asio::bind_cancellation_slot(
                           body_slot, spawn_completion<handler_type, Executor>(
                                          std::forward<Handler>(handler), ex, std::move(signal))));
    }
};

/// Runs `body` as its own coroutine on `ex`; completes `token` with (exception_ptr[, T]).
template <class Executor, class T, class CompletionToken>
auto spawn(const Executor& ex, asio::awaitable<T> body, CompletionToken&& token) {
    return asio::async_initiate<CompletionToken, typename spawn_signature<T>::type>(
        initiate_spawn<Executor>{ex}, token, std::move(body));
}

} // namespace exsdk::detail

// exsdk::listen_key_session_base<Event>: what both exchanges' listen-key sessions
// (woox::listen_key_session, bingx::listen_key_session) offer besides run(): their updates, in
// order, and what they have done so far. Not constructed by itself: it is their public base.
//
// Threads: any member from any thread; next() runs on the session's strand and resumes the
// caller on its own executor, its coroutine state left as it was.
#pragma once

#include <exsdk/asio_namespace.hpp>
#include <exsdk/clock.hpp>
#include <exsdk/error.hpp>
#include <exsdk/session_update.hpp>

#include <boost/asio/awaitable.hpp>

#include <cstddef>
#include <memory>
#include <optional>
#include <string>

namespace exsdk {

namespace detail {
template <class Event>
class session_runtime;
} // namespace detail

template <class Event>
class listen_key_session_base {
public:
    /// The next update, in order: stream events and state changes. Once run() has ended and
    /// everything was taken, the error run() ended with. errc::timeout when `deadline` passes.
    asio::awaitable<result<session_update<Event>>>
    next(std::optional<clock::time_point> deadline = {});

    /// The listen key in use ("" before the first). Thread-safe.
    std::string listen_key() const;
    /// Connects, disconnects, keys created, events, gaps, drops so far. Thread-safe.
    session_counters stats() const;
    /// Updates not yet taken by next() (at most about max_queued_updates).
    std::size_t queued() const;

protected:
    /// `owner`: the session's state, whose member `runtime` runs it (held through an aliasing
    /// pointer, so a call keeps the whole session alive).
    template <class Impl>
    explicit listen_key_session_base(const std::shared_ptr<Impl>& owner) noexcept
        : runtime_(owner, &owner->runtime) {}
    listen_key_session_base(const listen_key_session_base&) = delete;
    listen_key_session_base& operator=(const listen_key_session_base&) = delete;
    ~listen_key_session_base() = default;

private:
    std::shared_ptr<detail::session_runtime<Event>> runtime_;
};

} // namespace exsdk

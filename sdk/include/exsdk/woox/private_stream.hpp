// exsdk::woox::private_stream: the WOO X private websocket (spec 1.4).
//
//   woox::private_stream s(executor, cfg);
//   co_await s.connect(key.auth_key);                      // wss://.../v3/private?key=...
//   co_await s.subscribe({"executionreport", "balance"});  // waits for the ack
//   for (;;) { auto ev = co_await s.next(); if (!ev) break; ... }
//
// After connect() the stream reads by itself: it answers nothing (WOO X servers send no pings)
// but sends {"cmd":"PING"} every ping_interval so the server's 60 s idle rule never closes it,
// and declares the socket dead when no frame arrived for ping_interval + pong_timeout. Events
// queue in arrival order until next() takes them, at most max_queued_events of them: then the
// stream stops reading the socket (overflow_policy::block, the default: none is dropped) or
// drops and reports errc::events_dropped (overflow_policy::drop). When the socket closes,
// next() returns the queued events, then the error that closed it. Every member function may be
// called from any thread (the stream runs on its own strand; callers resume on their own
// executor). Destroying the stream aborts the socket: pending calls complete with
// errc::cancelled.
// Most users want woox::listen_key_session, which owns the whole lifecycle.
#pragma once

#include <exsdk/asio_namespace.hpp>
#include <exsdk/clock.hpp>
#include <exsdk/error.hpp>
#include <exsdk/log.hpp>
#include <exsdk/overflow_policy.hpp>
#include <exsdk/tls_config.hpp>
#include <exsdk/woox/protocol.hpp>
#include <exsdk/woox/stream_events.hpp>

#include <boost/asio/awaitable.hpp>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace exsdk::woox {

struct stream_config {
    /// ws(s)://host[:port]/v3/private; the key is appended as ?key=.
    std::string url = std::string(protocol::private_stream_url);
    tls_config tls;
    std::shared_ptr<exsdk::clock> clock = exsdk::system_clock();
    clock::duration connect_timeout = std::chrono::seconds(10);
    /// How often the client sends PING (WOO X asks for every 10-25 s).
    clock::duration ping_interval = protocol::client_ping_interval;
    /// Extra silence tolerated after a PING before the socket counts as dead.
    clock::duration pong_timeout = std::chrono::seconds(10);
    /// How long subscribe()/unsubscribe() wait for their ack.
    clock::duration command_timeout = std::chrono::seconds(
        10); /// Events received and not yet taken by next(): at most this many (at least 1) ...
    std::size_t max_queued_events = default_max_queued;
    /// ... then block (stop reading the socket until next() makes room; commands wait for
    /// their acks meanwhile) or drop (see exsdk/overflow_policy.hpp).
    overflow_policy overflow = overflow_policy::block;
    /// Log events: stream.connected, stream.connect_failed, stream.disconnected (exsdk/log.hpp);
    /// off unless a sink is given.
    log_config log;
};

class private_stream {
public:
    /// Throws exsdk::exception (errc::invalid_argument) for a bad URL or TLS settings.
    private_stream(asio::any_io_executor ex, stream_config cfg);
    private_stream(const private_stream&) = delete;
    private_stream& operator=(const private_stream&) = delete;
    ~private_stream(); // aborts the socket; the reader and pinger finish on their own

    /// Opens the socket with `auth_key`. A refused key (unknown, expired, replaced) is
    /// errc::unauthorized (HTTP 401 from the server).
    asio::awaitable<result<void>> connect(std::string_view auth_key);
    /// SUBSCRIBE; returns the topics the server accepted (unknown ones are left out).
    asio::awaitable<result<std::vector<std::string>>> subscribe(std::vector<std::string> topics);
    asio::awaitable<result<std::vector<std::string>>> unsubscribe(std::vector<std::string> topics);

    /// The next event. errc::timeout when `deadline` (on the stream's clock) passes first; the
    /// error that closed the socket once the queue is empty.
    asio::awaitable<result<stream_event>> next(std::optional<clock::time_point> deadline = {});

    /// Sends a close frame and closes; next() then reports errc::cancelled.
    asio::awaitable<void> close();

    bool is_open() const;
    /// Events received and not yet taken by next().
    std::size_t queued() const;
    /// Events dropped so far because the queue was full (overflow_policy::drop).
    std::size_t dropped() const;

private:
    struct impl;
    std::shared_ptr<impl> impl_;
};

} // namespace exsdk::woox

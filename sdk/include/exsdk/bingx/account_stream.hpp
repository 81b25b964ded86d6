// exsdk::bingx::account_stream: the BingX account websocket (spec 2.4), spot or swap.
//
//   bingx::account_stream s(executor, cfg);
//   co_await s.connect(bingx::market::swap, key.key);   // .../swap-market?listenKey=...
//   for (;;) { auto ev = co_await s.next(); if (!ev) break; ... }
//
// Every server frame is gzip-compressed; the stream inflates it (zlib), answers the server's
// heartbeats by itself (swap "Ping" -> "Pong", spot {"ping":..} -> {"pong":..}) and declares the
// socket dead when no frame arrived for idle_timeout. Spot needs subscribe(); swap pushes
// without it. Events queue in arrival order until next() takes them, at most
// max_queued_events of them: then the stream stops reading the socket (overflow_policy::block,
// the default: none is dropped, but the server's pings go unanswered meanwhile) or drops and
// reports errc::events_dropped (overflow_policy::drop). A listenKeyExpired event is delivered
// like any other (nothing flows after it). Every member function may be called from any thread
// (the stream runs on its own strand; callers resume on their own executor). Destroying the
// stream aborts the socket: pending calls complete with errc::cancelled. Most users want
// bingx::listen_key_session, which owns the whole lifecycle.
#pragma once

#include <exsdk/asio_namespace.hpp>
#include <exsdk/bingx/protocol.hpp>
#include <exsdk/bingx/stream_events.hpp>
#include <exsdk/clock.hpp>
#include <exsdk/error.hpp>
#include <exsdk/log.hpp>
#include <exsdk/overflow_policy.hpp>
#include <exsdk/tls_config.hpp>

#include <boost/asio/awaitable.hpp>

#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace exsdk::bingx {

struct stream_config {
    /// ws(s)://host[:port]/market (spot) and .../swap-market (swap); ?listenKey= is appended.
    std::string spot_url = std::string(protocol::spot_stream_url);
    std::string swap_url = std::string(protocol::swap_stream_url);
    tls_config tls;
    std::shared_ptr<exsdk::clock> clock = exsdk::system_clock();
    clock::duration connect_timeout = std::chrono::seconds(10);
    /// No frame for this long (the server pings about every 5 s): the socket is dead.
    clock::duration idle_timeout = std::chrono::seconds(30);
    /// How long subscribe() waits for its ack.
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

class account_stream {
public:
    /// Throws exsdk::exception (errc::invalid_argument) for bad URLs or TLS settings.
    account_stream(asio::any_io_executor ex, stream_config cfg);
    account_stream(const account_stream&) = delete;
    account_stream& operator=(const account_stream&) = delete;
    ~account_stream();

    /// Opens the socket for `listen_key` on `m`. A refused key is errc::unauthorized or
    /// errc::not_found, as the server answered the upgrade.
    asio::awaitable<result<void>> connect(market m, std::string_view listen_key);
    /// Spot only: subscribes to `data_type` ("spot.executionReport", "ACCOUNT_UPDATE") and
    /// waits for the ack.
    asio::awaitable<result<void>> subscribe(std::string_view data_type);
    /// The next event; errc::timeout when `deadline` passes first; the error that closed the
    /// socket once the queue is empty.
    asio::awaitable<result<stream_event>> next(std::optional<clock::time_point> deadline = {});
    asio::awaitable<void> close();

    bool is_open() const;
    std::size_t queued() const;
    /// Events dropped so far because the queue was full (overflow_policy::drop).
    std::size_t dropped() const;

private:
    struct impl;
    std::shared_ptr<impl> impl_;
};

} // namespace exsdk::bingx

// exsdk::woox::listen_key_session: keeps a WOO X private stream alive for weeks.
//
// One long-running operation, in the shape of Boost.Redis's async_run:
//
//   woox::listen_key_session session(rest_client, cfg);
//   co_spawn(ex, session.run(), bind_cancellation_slot(stop.slot(), detached));
//   for (;;) {
//       auto u = co_await session.next();
//       if (!u) break;                                   // run() ended
//       if (u->status == session_status::event) handle(*u->event);
//       if (u->status == session_status::gap) resync_from_rest();
//   }
//
// run() owns the lifecycle: create a listen key (POST, through the client's rate limiter) ->
// connect -> subscribe -> keep alive (PING every 15 s) -> rotate -> reconnect with backoff ->
// resubscribe. A WOO X key cannot be extended and every POST expires the live key, so the session
// never creates a key while its socket is healthy and its key valid: after a dropped socket it
// reconnects with the same key; it creates a new one only when the server refuses the key or
// when the key is within rotate_before_expiry of its expiredTime (a planned rotation, reported
// as key_rotated then gap, since the old socket dies with the old key). A socket the server
// closes with 1008 (key replaced, expired or revoked) also gets a new key at once. Run one
// session per API key: WOO X scopes keys to the API key, so two sessions (or any other POST
// with the same API key) keep killing each other's keys. run() returns
// errc::cancelled when cancelled, or the error when the credentials cannot work (unauthorized,
// permission, IP, signature, ban).
//
// Threads and lifetime: run(), next(), listen_key() and stats() may be called from any thread;
// the session runs on its own strand over the client's executor and shares the client's state,
// so the client object may go away first. Destroying the session ends run() with
// errc::cancelled.
#pragma once

#include <exsdk/asio_namespace.hpp>
#include <exsdk/error.hpp>
#include <exsdk/listen_key_session_base.hpp>
#include <exsdk/log.hpp>
#include <exsdk/overflow_policy.hpp>
#include <exsdk/session_update.hpp>
#include <exsdk/woox/private_stream.hpp>
#include <exsdk/woox/stream_events.hpp>

#include <boost/asio/awaitable.hpp>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace exsdk::woox {

class client;

struct session_config {
    /// Stream settings; its clock is replaced by the REST client's, so both share one time.
    stream_config stream;
    std::vector<std::string> topics{protocol::topics.begin(), protocol::topics.end()};
    /// Rotate the key this long before its expiredTime.
    clock::duration rotate_before_expiry = std::chrono::minutes(10);
    reconnect_policy reconnect;
    /// Updates not yet taken by next(): at most this many (at least 1; a block-policy session may
    /// add the few status updates of one reconnect) ...
    std::size_t max_queued_updates = default_max_queued;
    /// ... then block (stop taking events from the socket until next() makes room) or drop
    /// (report a gap update with `dropped`); see exsdk/overflow_policy.hpp. The session's own
    /// stream always blocks (stream.overflow is ignored): the session drains it.
    overflow_policy overflow = overflow_policy::block;
    /// Log events of the session (session.connected, .disconnected, .reconnecting, .key_rotated,
    /// .gap; exsdk/log.hpp). Without a sink of its own the session logs to the client's, and its
    /// stream (stream.log) to the session's.
    log_config log;
};

using session_update = exsdk::session_update<stream_event>;

class listen_key_session : public listen_key_session_base<stream_event> {
public:
    listen_key_session(client& rest, session_config cfg);
    listen_key_session(const listen_key_session&) = delete;
    listen_key_session& operator=(const listen_key_session&) = delete;
    ~listen_key_session();

    /// Runs until cancelled or a fatal error; see the header comment.
    asio::awaitable<result<void>> run();

    // next(), listen_key(), stats(), queued(): exsdk::listen_key_session_base.

private:
    struct impl;
    explicit listen_key_session(std::shared_ptr<impl> state);
    std::shared_ptr<impl> impl_;
};

} // namespace exsdk::woox

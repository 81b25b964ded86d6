// exsdk::bingx::listen_key_session: keeps a BingX account stream alive for weeks.
//
// One long-running operation, in the shape of Boost.Redis's async_run (see
// woox::listen_key_session for the calling pattern). run() owns: generate a listen key (through
// the client's rate limiters) -> connect (spot: subscribe) -> keep alive (answer the server's
// pings; PUT every 30 min, also while disconnected, so the key never lapses) -> rotate on a 404
// from PUT or a listenKeyExpired event -> reconnect with backoff (a PUT first checks that the
// key survived the lost socket: one deleted elsewhere is replaced, not reconnected with) ->
// resubscribe, and DELETE the key when it stops. A PUT answer carries no key and the key never
// changes on extend. run() returns errc::cancelled when cancelled, or the error when the
// credentials cannot work.
//
// Threads and lifetime: as woox::listen_key_session (any thread; the client object may go away
// first; destroying the session ends run() with errc::cancelled, after a bounded DELETE).
#pragma once

#include <exsdk/asio_namespace.hpp>
#include <exsdk/bingx/account_stream.hpp>
#include <exsdk/bingx/protocol.hpp>
#include <exsdk/bingx/stream_events.hpp>
#include <exsdk/error.hpp>
#include <exsdk/listen_key_session_base.hpp>
#include <exsdk/log.hpp>
#include <exsdk/overflow_policy.hpp>
#include <exsdk/session_update.hpp>

#include <boost/asio/awaitable.hpp>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace exsdk::bingx {

class client;

struct session_config {
    /// Stream settings; its clock is replaced by the REST client's, so both share one time.
    stream_config stream;
    bingx::market market = bingx::market::swap;
    /// Spot subscriptions (swap pushes without subscribing).
    std::vector<std::string> spot_topics{std::string(protocol::spot_execution_report_topic),
                                         std::string(protocol::account_update_topic)};
    /// PUT this often (BingX: every 30 min; keys lapse 60 min after the last extend).
    clock::duration extend_interval = protocol::extend_interval;
    /// After a failed PUT (5xx, network), try again this soon.
    clock::duration extend_retry = std::chrono::minutes(1);
    /// DELETE the key when run() stops, bounded by shutdown_timeout.
    bool delete_on_shutdown = true;
    clock::duration shutdown_timeout = std::chrono::seconds(5);
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

    asio::awaitable<result<void>> run();
    // next(), listen_key(), stats(), queued(): exsdk::listen_key_session_base.

    /// The listen key in use ("" before the first and after shutdown).
    /// Successful PUTs so far.
    std::size_t extends() const;

private:
    struct impl;
    explicit listen_key_session(std::shared_ptr<impl> state);
    std::shared_ptr<impl> impl_;
};

} // namespace exsdk::bingx

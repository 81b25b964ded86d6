// exsdk::mock::config: every setting of the mock exchange, with the documented defaults. The
// program's flags map one to one onto these fields (docs/mock-exchange.md lists them).
#pragma once

#include <exsdk/bingx/protocol.hpp>
#include <exsdk/clock.hpp>
#include <exsdk/mock/accounts.hpp>
#include <exsdk/mock/journal.hpp>
#include <exsdk/rate_limit.hpp>
#include <exsdk/woox/protocol.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace exsdk::mock {

using namespace std::chrono_literals;

/// The latest time a manual clock may be set or advanced to (POST /__admin/clock,
/// --clock manual:START_MS): 2200-01-01T00:00:00Z, far inside what a wall time holds (2262), so
/// no deadline the mock computes from it overflows.
inline constexpr std::int64_t max_clock_ms = 7'258'118'400'000;

/// Rate limits, as sliding windows on the mock's clock. A limit with `requests == 0` is off.
/// Only requests that passed authentication are counted.
struct limits_config {
    bool enabled = true; ///< false (--no-rate-limits) switches every limit and block off

    /// WOO X: per account (userId) and endpoint.
    exsdk::rate_limit woox_listen_key = woox::protocol::listen_key_limit;
    exsdk::rate_limit woox_credentials = woox::protocol::credentials_limit;
    /// BingX: per UID for each of POST/PUT/DELETE userDataStream (see below).
    exsdk::rate_limit bingx_uid = bingx::protocol::uid_limit;
    /// BingX account IP group: per IP over the group, and per IP and endpoint (method + path).
    exsdk::rate_limit bingx_ip_group = bingx::protocol::ip_group_limit;
    exsdk::rate_limit bingx_ip_endpoint = bingx::protocol::ip_endpoint_limit;
    /// The spec counts 2/s per UID for EACH method; true makes the three methods share one.
    bool bingx_uid_shared_across_methods = false;
    /// After a BingX limit is exceeded, the UID + endpoint answers the "disabled period" form
    /// for this long (0: no disabled period). Calls during it do not extend it.
    std::chrono::milliseconds bingx_disabled_period = bingx::protocol::default_disabled_period;
    /// More than this many error answers per API key + endpoint within the window block that
    /// endpoint for the key (0: rule off).
    std::size_t bingx_error_threshold = bingx::protocol::error_block_threshold;
    std::chrono::milliseconds bingx_error_window = bingx::protocol::error_block_window;
    /// The errors remembered per API key + endpoint for that rule (a mock bound: retries during a
    /// block are errors too). Beyond it the oldest is forgotten, so a block set after such a
    /// flood ends `bingx_error_window` after the oldest error kept. At least threshold + 1.
    std::size_t bingx_error_history = 10000;
};

struct config {
    /// Listen address (an IP literal or "localhost") and port (0: an ephemeral port).
    std::string host = "127.0.0.1";
    std::uint16_t port = 0;

    /// Serve HTTPS only, with a CA and a server certificate (SAN IP:127.0.0.1, DNS:localhost
    /// and the listen address) generated at start(). `ca_out`, when set, receives the CA PEM.
    bool tls = false;
    std::string ca_out;

    /// Every time read (timestamps, expiry, rate windows, timeouts) and wait goes through it.
    std::shared_ptr<exsdk::clock> clock = exsdk::system_clock();

    /// WOO X: reject when |server - x-api-timestamp| is above this.
    std::chrono::milliseconds woox_timestamp_window = woox::protocol::default_timestamp_window;
    /// BingX: reject timestamps further in the future than this ...
    std::chrono::milliseconds bingx_max_future = bingx::protocol::max_future_skew;
    /// ... or older than the request's recvWindow, this when the request sends none.
    std::chrono::milliseconds bingx_default_recv_window = bingx::protocol::default_recv_window;

    limits_config limits;

    /// Serve the admin API under /__admin/ (false: those paths answer 404).
    bool admin = true;

    mock::accounts accounts = mock::accounts::demo();

    /// Larger request bodies are answered 413 in the exchange's envelope, then the connection
    /// is closed.
    std::size_t max_body_bytes = 1 << 20;
    /// Request header block limit (431, then close).
    std::size_t max_header_bytes = std::size_t{16} * 1024;

    /// Connection timeouts, on `clock` (a manual clock only fires them when advanced):
    std::chrono::milliseconds idle_timeout = 60s;   ///< waiting for a request's first byte
    std::chrono::milliseconds header_timeout = 10s; ///< first byte to end of headers; TLS handshake
    std::chrono::milliseconds body_timeout = 30s;   ///< receiving the body
    std::chrono::milliseconds write_timeout = 30s;  ///< sending an answer (or closing TLS)
    /// A websocket closing handshake, whoever began it (our close frame, one sent because the
    /// client broke the protocol, or the client's): the TCP connection is cut this long after
    /// the close frame if the client has not closed it. The socket stops counting at once.
    std::chrono::milliseconds close_timeout = 5s;

    /// Connections beyond this are closed as soon as they are accepted.
    std::size_t max_connections = 10000;

    /// Open websocket account streams per client IP; beyond, the upgrade is refused with 429.
    /// WOO X counts /v3/private sockets, BingX /market and /swap-market sockets together.
    std::size_t woox_max_streams_per_ip = woox::protocol::max_sockets_per_ip;
    std::size_t bingx_max_streams_per_ip = bingx::protocol::max_sockets_per_ip;
    /// Frames waiting to be written to one stream socket (a client that does not read). One
    /// more and the socket is cut (TCP close, journaled as 1006 with fault "slow_consumer").
    std::size_t stream_max_queued_frames = 10000;

    /// The journal keeps the most recent entries up to this many (0: no journal) ...
    std::size_t journal_capacity = 100000;
    /// ... and up to this many bytes (0: no journal): each entry counts its struct and its
    /// strings' heap buffers; the newest entry is always kept.
    std::size_t journal_max_bytes = std::size_t{64} << 20U;

    /// BingX: live listen keys per UID (at least 1). Generating one more retires the UID's least
    /// recently generated or extended key: its sockets get listenKeyExpired and close as on
    /// expiry (journaled with fault "retired"), and PUT/DELETE on it answer 404. A mock bound:
    /// BingX documents none. (WOO X keeps one key per API key, as the exchange does.)
    std::size_t bingx_max_listen_keys_per_uid = 1000;

    /// Seed of the listen-key generator (0: random). Same seed, same keys.
    std::uint64_t seed = 0;

    /// Called for every journaled request (after it is answered, outside the state lock, on
    /// the server's thread). The program's --log-requests uses it. Must not block.
    std::function<void(const journal_entry&)> on_request;
};

} // namespace exsdk::mock

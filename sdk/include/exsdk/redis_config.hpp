// Configuration of exsdk::redis_limit_store. Every field has the documented default.
#pragma once

#include <exsdk/clock.hpp>
#include <exsdk/credentials.hpp>
#include <exsdk/tls_config.hpp>

#include <chrono>
#include <cstddef>
#include <string>

namespace exsdk {

/// What acquire() does while Redis cannot be reached (connect refused or timed out, a command
/// timed out, the connection was lost, an error reply).
enum class redis_failure_policy {
    /// Calls return errc::limiter_unavailable at once (the default): nothing is sent unless the
    /// fleet-wide limits can be checked.
    fail,
    /// Each process limits itself in process at `fallback_share` of every limit (e.g. 1/4 for a
    /// fleet of 4 processes, so that together they stay under the limit), and returns to Redis
    /// when it answers again. redis_limit_store::stats() counts the switches.
    local_fallback,
};

/// Whose clock reserves start times.
enum class redis_time_source {
    /// The Redis server's (TIME inside the script), converted to each host's clock on arrival:
    /// hosts whose clocks differ still share one time line (the default).
    server,
    /// The store's own clock (exsdk::clock::now(), passed to the script): every process must
    /// share that clock, i.e. run on one host, or be a test on an exsdk::manual_clock.
    local,
};

struct redis_config {
    /// redis://[[USER]:PASSWORD@]HOST[:PORT][/DB] or rediss://... (TLS). Port 6379, DB 0.
    std::string url = "redis://127.0.0.1:6379/0";
    /// AUTH user and password; when set they replace the URL's. Never printed.
    std::string username;
    exsdk::secret password;
    /// rediss:// only: the same settings as the exchange transport's (CA file or PEM, SNI name,
    /// verification).
    tls_config tls;

    /// Resolve + TCP connect + TLS handshake + AUTH/SELECT, on the store's clock.
    clock::duration connect_timeout = std::chrono::seconds(2);
    /// A command without its reply after this long means the connection is dead: it is closed,
    /// every command in flight fails (see `on_failure`) and a reconnect starts.
    clock::duration command_timeout = std::chrono::seconds(1);
    /// Reconnect backoff: doubles from `reconnect_min` to `reconnect_max` after each failed
    /// attempt, scaled by a random factor in [0.5, 1] (a fleet does not reconnect in step).
    clock::duration reconnect_min = std::chrono::milliseconds(50);
    clock::duration reconnect_max = std::chrono::seconds(2);
    /// An idle connection sends PING this often, so a dead server is noticed before a call
    /// needs it (0: never).
    clock::duration health_check_interval = std::chrono::seconds(5);
    /// Commands waiting for a reply (pipelined) at most; beyond, acquire() fails like an
    /// unreachable server. Bounds the memory of a client whose server stalls.
    std::size_t max_pending_commands = 100000;

    /// Every key starts with this ("exsdk:{woox:<account>}:listen_key"). Give each
    /// environment (production, staging) its own.
    std::string key_prefix = "exsdk";
    /// Keys expire this long after the last reservation they hold left its window (no key
    /// outlives its use by more).
    clock::duration key_expiry_slack = std::chrono::seconds(10);
    /// The window actually enforced is the limit's plus this fraction of it (as
    /// sliding_window_limiter does: the exchange measures arrival, not send, times).
    double margin_fraction = 0.01;
    /// A call that could only start later than this after its reserved start (its process was
    /// descheduled, Redis answered slowly) reserves again, behind the queue, instead of going:
    /// later, it would start inside the next reservations' window. Zero (the default): each
    /// limit's margin, which keeps every window strict but costs throughput on a starved
    /// machine; larger values trade the strictness for throughput (the exchange then sees up
    /// to this much lateness, which its own window must absorb).
    clock::duration max_lateness{};
    redis_time_source time_source = redis_time_source::server;

    redis_failure_policy on_failure = redis_failure_policy::fail;
    /// local_fallback only: the share of every limit this process may use alone, in (0, 1]
    /// (floor(requests * share) per window; a limit that leaves less than one request fails
    /// its calls with limiter_unavailable instead). Required with local_fallback.
    double fallback_share = 0;
};

} // namespace exsdk

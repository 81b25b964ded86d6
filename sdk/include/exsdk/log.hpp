// exsdk::log_config: what a client, stream or session tells the application about what it does,
// as structured events (a level, a name, fields) handed to a sink of the application's.
//
//   cfg.log.sink = [](const exsdk::log_event& e) { std::clog << exsdk::to_string(e) << '\n'; };
//   cfg.log.level = exsdk::log_level::debug;   // every request; info: retries, syncs, streams
//
// Off by default: without a sink nothing is built and each event site costs one comparison of a
// byte (the benchmarks show it). Events (source, name: fields):
//   client   request.sent      operation method path attempt                           (debug)
//   client   request.answered  operation method path attempt status exchange_code code
//                              latency_ms exchange_answer; code is "ok" or the errc    (debug)
//   client   request.failed    operation method path attempt code message latency_ms (no
//                              answer: network, timeout, cancelled)                    (info)
//   client   limiter.waited    operation waited_ms (only above slow_limiter_wait)      (info)
//   client   retry             operation attempt reason status exchange_code delay_ms  (info)
//   client   clock.synced      offset_ms round_trip_ms / clock.sync_failed code message (info/warn)
//   stream   stream.connected  url / stream.connect_failed url code status message    (info/warn)
//   stream   stream.disconnected code message close_code                            (warn)
//   session  session.connected / session.disconnected reason planned /
//            session.reconnecting backoff_ms / session.key_rotated reason key /
//            session.gap outage_ms dropped                                            (info/warn)
// Sources are "woox.client", "bingx.client", "woox.stream", "bingx.stream", "woox.session",
// "bingx.session". Paths carry no signature, timestamp or recvWindow; listen keys appear
// shortened ("a8ea75...(64)"); no event carries an API key, a secret or a signature.
//
// Threads: the sink is called synchronously, from whichever thread runs the SDK code that
// emits the event: REST calls run in their callers' coroutines, so one client's events come
// from every thread that calls it, concurrently, and one sink shared by several objects sees
// all of theirs. The sink must therefore be thread-safe, cheap and non-blocking, and must not
// call back into the emitting object; wrap a sink that is not thread-safe in
// exsdk::serialized(). Why not serialise inside the SDK: a lock per client would not protect a
// sink shared by several clients (the usual case: one application logger), would add a lock to
// every logged call, and most loggers are already thread-safe. Field values are views valid
// only during the call: copy what you keep.
#pragma once

#include <exsdk/clock.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <variant>

namespace exsdk {

enum class log_level : std::uint8_t { trace, debug, info, warn, error, off };

/// "trace", "debug", "info", "warn", "error", "off".
const char* to_string(log_level l) noexcept;

/// One field of an event: a name and a number, a flag or a text (a view: valid during the call).
struct log_field {
    std::string_view name;
    std::variant<std::int64_t, double, bool, std::string_view> value;
};

struct log_event {
    log_level level = log_level::info;
    std::string_view source; ///< "woox.client", "bingx.session", ...
    std::string_view name;   ///< "request.answered", "session.key_rotated", ...
    clock::wall_time time;   ///< on the emitting object's clock (virtual time in tests)
    std::span<const log_field> fields;

    /// The field called `name`, or nullptr.
    const log_field* find(std::string_view field_name) const noexcept;
};

/// Receives events. Must be thread-safe (see the header comment).
using log_sink = std::function<void(const log_event&)>;

struct log_config {
    /// Empty (the default): logging is off and costs nothing.
    log_sink sink;
    /// Events below this level are neither built nor passed on.
    log_level level = log_level::info;
    /// limiter.waited is emitted only for waits longer than this.
    clock::duration slow_limiter_wait = std::chrono::milliseconds(100);

    bool enabled() const noexcept { return sink && level != log_level::off; }
};

/// One line: "2023-11-14T22:13:20.000Z info bingx.client request.answered operation=... status=404
/// ..." (UTC, millisecond precision); texts with spaces, quotes or '=' are quoted with escapes.
std::string to_string(const log_event& e);

/// A sink that calls `sink` under a mutex of its own, one event at a time, for sinks that are not
/// thread-safe. Copies of the returned sink share the mutex.
log_sink serialized(log_sink sink);

} // namespace exsdk

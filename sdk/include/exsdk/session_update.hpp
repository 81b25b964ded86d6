// What a listen_key_session reports through next(): the stream's events, in order, and the
// session's state changes, so a trading engine knows when to re-sync state from REST.
#pragma once

#include <exsdk/clock.hpp>

#include <cstddef>
#include <optional>
#include <string>

namespace exsdk {

enum class session_status {
    event,        ///< `event` holds a stream event
    connected,    ///< a socket is open and subscribed: events flow
    disconnected, ///< the socket closed (detail says why); a reconnect follows
    reconnecting, ///< waiting `backoff` before the next connect attempt
    key_rotated,  ///< a new listen key replaced the previous one
    gap,          ///< connected again after an outage of `outage`, or `dropped` updates were
                  ///< dropped because next() did not keep up (overflow_policy::drop): events
                  ///< are missing, re-sync from REST now
};

const char* to_string(session_status s) noexcept;

template <class Event>
struct session_update {
    session_status status = session_status::event;
    std::optional<Event> event;
    std::string detail;
    clock::duration backoff{}; ///< for reconnecting
    clock::duration outage{};  ///< for gap after an outage
    std::size_t dropped = 0;   ///< for gap: updates dropped from the full queue (0: an outage)
};

/// What a session has done so far.
struct session_counters {
    std::size_t connects = 0;     ///< sockets opened and subscribed
    std::size_t disconnects = 0;  ///< sockets lost (planned rotations not counted)
    std::size_t keys_created = 0; ///< listen keys created / generated
    std::size_t events = 0;       ///< stream events delivered
    std::size_t gaps = 0;         ///< gaps reported (reconnections after an outage, drops)
    std::size_t dropped = 0;      ///< updates dropped because the queue was full
};

/// Reconnect backoff of a session: exponential with jitter, reset once a socket is up again.
struct reconnect_policy {
    clock::duration initial = std::chrono::milliseconds(500);
    clock::duration max = std::chrono::seconds(30);
    double multiplier = 2.0;
    double jitter = 0.2; ///< each delay is scaled by a random factor in [1 - jitter, 1]
    /// The delay before reconnect attempt `attempt` (1-based), before jitter.
    clock::duration delay(std::size_t attempt) const noexcept;
};

} // namespace exsdk

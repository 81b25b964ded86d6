// The time-based rules of one mock websocket, sans-io: a state machine fed with what happened
// (opened, client activity, a valid pong, the key's expiry moved, closing began, a ping sent)
// that says when it next needs the clock (next_deadline) and what to do then (on_timer):
//   WOO X: idle close (60 s of client silence, 1001), socket age (24 h, 1001), key expiry (1008);
//   BingX: heartbeat every 5 s, pong timeout (15 s without a valid pong, 1008), key expiry
//          (listenKeyExpired, then 1000);
//   both:  the closing handshake's deadline (close_timeout), after which the socket is cut.
// It also names the close a listen-key event (replaced, deleted, revoked, expired) ends a socket
// with, so every exchange close code comes from that exchange's protocol.hpp (the mock's own
// 1006 and 1012 stay in streams.hpp's close_code).
// The I/O half (basic_stream_session.hpp) keeps one timer wait for next_deadline() and performs
// the actions; tests drive this class with plain time points (tests/mock/stream_timers_test.cpp).
#pragma once

#include "listen_keys.hpp"

#include <exsdk/clock.hpp>

#include <cstdint>
#include <string_view>

namespace exsdk::mock::detail {

enum class stream_kind : std::uint8_t; // streams.hpp

/// What a timer expiry (or a listen-key event) asks the socket to do.
struct timer_action {
    enum class type : std::uint8_t {
        none,
        send_ping,  ///< BingX heartbeat (swap "Ping", spot {"ping":..}); then call ping_sent()
        close,      ///< start the closing handshake with `code` and `reason`
        expire_key, ///< BingX: send listenKeyExpired, then close with `code` and `reason`
        cut,        ///< the closing handshake timed out: close the TCP connection
    };
    type what = type::none;
    std::uint16_t code = 0;  ///< close, expire_key
    std::string_view reason; ///< close, expire_key (static text)

    friend bool operator==(const timer_action&, const timer_action&) = default;
};

class stream_timers {
public:
    using time_point = exsdk::clock::time_point;
    using duration = exsdk::clock::duration;

    stream_timers(stream_kind kind, duration close_timeout) noexcept;

    // ---- inputs -------------------------------------------------------------------------
    /// The socket opened at `now`: the socket age, idle, pong and heartbeat clocks start.
    void opened(time_point now) noexcept;
    /// The client sent a frame (or a control frame) at `now` (WOO X idle close).
    void client_activity(time_point now) noexcept { last_activity_ = now; }
    /// The client answered a heartbeat at `now` (BingX pong timeout).
    void valid_pong(time_point now) noexcept { last_pong_ = now; }
    /// The listen key now expires at wall time `wall_ms` (epoch ms).
    void key_expires(std::int64_t wall_ms) noexcept { key_expires_ms_ = wall_ms; }
    /// The closing handshake began at `now` (ours or Beast's): only its deadline counts now.
    void closing_began(time_point now) noexcept;
    /// The heartbeat asked by on_timer() went out at `now`: the next one is due an interval on.
    void ping_sent(time_point now) noexcept { next_ping_ = now + ping_interval_; }

    // ---- outputs ------------------------------------------------------------------------
    bool closing() const noexcept { return closing_; }
    /// When on_timer() next has something to do; `now`/`wall_ms` place the key's wall-clock
    /// expiry on the steady time line.
    time_point next_deadline(time_point now, std::int64_t wall_ms) const noexcept;
    /// What is due at `now` (`wall_ms` on the wall clock): at most one action. At the same
    /// instant WOO X's socket age wins over the key expiry, which wins over idleness; BingX's key
    /// expiry wins over the pong timeout, which wins over the heartbeat.
    timer_action on_timer(time_point now, std::int64_t wall_ms) const noexcept;
    /// The close that ends the socket when its listen key expires (by the clock or an event).
    timer_action key_expired() const noexcept;
    /// A listen-key event: `extended` moves the key expiry to `expires_ms` (nothing to do);
    /// the others end the socket.
    timer_action key_event(listen_key_event ev, std::int64_t expires_ms) noexcept;

private:
    const bool woox_;
    const duration ping_interval_;
    const duration close_timeout_;
    bool closing_ = false;
    time_point connected_{};
    time_point last_activity_{}; ///< WOO X: the client's last frame
    time_point last_pong_{};     ///< BingX: the last valid pong (or the connect)
    time_point next_ping_{};
    time_point close_deadline_{};
    std::int64_t key_expires_ms_ = 0;
};

} // namespace exsdk::mock::detail

#include "stream_timers.hpp"
#include "streams.hpp"

#include <exsdk/bingx/protocol.hpp>
#include <exsdk/woox/protocol.hpp>

#include <algorithm>
#include <chrono>

namespace exsdk::mock::detail {

namespace {

namespace wp = woox::protocol;
namespace bp = bingx::protocol;

/// A protocol.hpp close code as the websocket's 16-bit status.
constexpr std::uint16_t status(std::int64_t code) noexcept {
    return static_cast<std::uint16_t>(code);
}

constexpr timer_action close(std::int64_t code, std::string_view reason) noexcept {
    return {timer_action::type::close, status(code), reason};
}

constexpr std::string_view key_expired_reason = "listen key expired";

} // namespace

stream_timers::stream_timers(stream_kind kind, duration close_timeout) noexcept
    : woox_(kind == stream_kind::woox_private),
      ping_interval_(kind == stream_kind::bingx_swap ? duration(bp::swap_ping_interval)
                                                     : duration(bp::spot_ping_interval)),
      close_timeout_(close_timeout) {}

void stream_timers::opened(time_point now) noexcept {
    connected_ = now;
    last_activity_ = now;
    last_pong_ = now;
    next_ping_ = now + ping_interval_;
}

void stream_timers::closing_began(time_point now) noexcept {
    closing_ = true;
    close_deadline_ = now + close_timeout_;
}

stream_timers::time_point stream_timers::next_deadline(time_point now,
                                                       std::int64_t wall_ms) const noexcept {
    if (closing_) {
        return close_deadline_;
    }
    const auto key_at =
        now + std::chrono::milliseconds(std::max<std::int64_t>(0, key_expires_ms_ - wall_ms));
    if (woox_) {
        return std::min(
            {connected_ + wp::max_socket_lifetime, last_activity_ + wp::idle_timeout, key_at});
    }
    return std::min({next_ping_, last_pong_ + bp::pong_timeout, key_at});
}

timer_action stream_timers::on_timer(time_point now, std::int64_t wall_ms) const noexcept {
    if (closing_) {
        if (now >= close_deadline_) {
            return {
                timer_action::type::cut, 0, {}}; // the client never finished the closing handshake
        }
        return {};
    }
    if (woox_) {
        // At the same instant, the 24 h socket age wins over the key's 24 h expiry.
        if (now >= connected_ + wp::max_socket_lifetime) {
            return close(wp::going_away_close_code, "connection lifetime (24 h) reached");
        }
        if (wall_ms >= key_expires_ms_) {
            return key_expired();
        }
        if (now >= last_activity_ + wp::idle_timeout) {
            return close(wp::going_away_close_code, "idle timeout");
        }
        return {};
    }
    if (wall_ms >= key_expires_ms_) {
        return key_expired();
    }
    if (now >= last_pong_ + bp::pong_timeout) {
        return close(bp::policy_close_code, "pong timeout");
    }
    if (now >= next_ping_) {
        return {timer_action::type::send_ping, 0, {}};
    }
    return {};
}

timer_action stream_timers::key_expired() const noexcept {
    if (woox_) {
        return close(wp::key_gone_close_code, key_expired_reason);
    }
    // BingX: the event, then the close; nothing after it.
    return {timer_action::type::expire_key, status(bp::key_expired_close_code), key_expired_reason};
}

timer_action stream_timers::key_event(listen_key_event ev, std::int64_t expires_ms) noexcept {
    switch (ev) {
    case listen_key_event::extended: key_expires(expires_ms); return {};
    case listen_key_event::expired:
    case listen_key_event::retired: return key_expired(); // retired: exactly as on expiry
    case listen_key_event::replaced:
        return close(woox_ ? wp::key_gone_close_code : bp::policy_close_code,
                     "listen key replaced");
    case listen_key_event::deleted:
        return close(woox_ ? wp::key_deleted_close_code : bp::key_expired_close_code,
                     "listen key deleted");
    case listen_key_event::revoked:
        return close(woox_ ? wp::key_gone_close_code : bp::policy_close_code, "listen key revoked");
    }
    return {};
}

} // namespace exsdk::mock::detail

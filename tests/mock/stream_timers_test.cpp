// The mock's stream timers without a socket (stream_timers.hpp): heartbeat cadence, idle close,
// socket age against key expiry, pong timeout, key expiry and its extension, the closing
// handshake's deadline, and the close each listen-key event ends a socket with. Time is plain
// time points: the steady time line starts at t0, the wall clock at w0 and both move together.
#include "stream_timers.hpp"
#include "streams.hpp"

#include <exsdk/bingx/protocol.hpp>
#include <exsdk/woox/protocol.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <ostream>
#include <vector>

namespace exsdk::mock::detail {
// Readable failures: "close 1008 listen key expired".
void PrintTo(const timer_action& a, std::ostream* os) {
    static constexpr const char* names[] = {"none", "send_ping", "close", "expire_key", "cut"};
    *os << names[static_cast<int>(a.what)] << ' ' << a.code << ' ' << a.reason;
}
} // namespace exsdk::mock::detail

namespace {

using namespace std::chrono_literals;
namespace d = exsdk::mock::detail;
using d::stream_kind;
using d::timer_action;
using type = timer_action::type;
using time_point = d::stream_timers::time_point;

const time_point t0 = time_point{} + 1000s;
constexpr std::int64_t w0 = 1'700'000'000'000;
constexpr auto close_timeout = 5s;
constexpr std::int64_t far_ms = w0 + 7 * 24 * 3600 * 1000LL; // a key that outlives every test

/// The wall clock at steady time `t`.
std::int64_t wall(time_point t) {
    return w0 + std::chrono::duration_cast<std::chrono::milliseconds>(t - t0).count();
}

/// A socket of `kind` opened at t0 whose key expires at wall `key_ms`.
d::stream_timers opened(stream_kind kind, std::int64_t key_ms = far_ms) {
    d::stream_timers t(kind, close_timeout);
    t.opened(t0);
    t.key_expires(key_ms);
    return t;
}

timer_action at(const d::stream_timers& t, time_point now) {
    return t.on_timer(now, wall(now));
}

timer_action close(std::int64_t code, std::string_view reason) {
    return {type::close, static_cast<std::uint16_t>(code), reason};
}

const timer_action nothing{};
const timer_action ping{type::send_ping, 0, {}};
const timer_action cut{type::cut, 0, {}};

TEST(stream_timers, bingx_heartbeat_every_interval_from_the_last_ping) {
    struct row {
        stream_kind kind;
        std::chrono::seconds interval;
    };
    for (const row r : {row{stream_kind::bingx_spot, exsdk::bingx::protocol::spot_ping_interval},
                        row{stream_kind::bingx_swap, exsdk::bingx::protocol::swap_ping_interval}}) {
        SCOPED_TRACE(static_cast<int>(r.kind));
        auto t = opened(r.kind);
        auto due = t0 + r.interval;
        for (int i = 0; i < 5; ++i) {
            EXPECT_EQ(t.next_deadline(due - 1ms, wall(due - 1ms)), due);
            EXPECT_EQ(at(t, due - 1ms), nothing);
            EXPECT_EQ(at(t, due), ping);
            t.valid_pong(due);      // answered at once: no pong timeout
            t.ping_sent(due + 3ms); // a late wake-up: the next one is an interval after it
            due += r.interval + 3ms;
        }
    }
    // WOO X: the server never pings.
    auto w = opened(stream_kind::woox_private);
    EXPECT_EQ(at(w, t0 + 59s), nothing);
}

TEST(stream_timers, woox_idle_close_after_60s_of_client_silence) {
    auto t = opened(stream_kind::woox_private);
    EXPECT_EQ(t.next_deadline(t0, w0), t0 + 60s);
    t.client_activity(t0 + 30s);
    EXPECT_EQ(t.next_deadline(t0 + 30s, wall(t0 + 30s)), t0 + 90s);
    EXPECT_EQ(at(t, t0 + 60s), nothing); // the silence restarted at 30 s
    EXPECT_EQ(at(t, t0 + 90s - 1ms), nothing);
    EXPECT_EQ(at(t, t0 + 90s), close(exsdk::woox::protocol::going_away_close_code, "idle timeout"));
    EXPECT_EQ(exsdk::woox::protocol::going_away_close_code, 1001);
}

TEST(stream_timers, woox_socket_age_wins_over_key_expiry_at_the_same_instant) {
    const auto day = t0 + 24h;
    struct row {
        std::int64_t key_ms;
        time_point now;
        timer_action want;
    };
    const std::vector<row> rows = {
        // the key expires exactly when the socket turns 24 h: the socket age wins
        {wall(day), day, close(1001, "connection lifetime (24 h) reached")},
        // the key expires a millisecond earlier: its own close (key gone)
        {wall(day) - 1, day - 1ms, close(1008, "listen key expired")},
        // the key outlives the socket
        {far_ms, day, close(1001, "connection lifetime (24 h) reached")},
    };
    for (const auto& r : rows) {
        auto t = opened(stream_kind::woox_private, r.key_ms);
        for (auto s = t0; s < r.now; s += 50s) {
            t.client_activity(s); // never idle
        }
        EXPECT_EQ(t.next_deadline(r.now - 1ms, wall(r.now - 1ms)), r.now);
        EXPECT_EQ(at(t, r.now - 1ms), nothing);
        EXPECT_EQ(at(t, r.now), r.want);
    }
}

TEST(stream_timers, bingx_pong_timeout_15s_without_a_valid_pong) {
    for (auto kind : {stream_kind::bingx_spot, stream_kind::bingx_swap}) {
        auto t = opened(kind);
        t.ping_sent(t0 + 5s);
        t.ping_sent(t0 + 10s);
        EXPECT_EQ(t.next_deadline(t0 + 10s, wall(t0 + 10s)), t0 + 15s);
        // At 15 s the pong timeout wins over the heartbeat due at the same instant.
        EXPECT_EQ(at(t, t0 + 15s),
                  close(exsdk::bingx::protocol::policy_close_code, "pong timeout"));

        auto answered = opened(kind);
        answered.ping_sent(t0 + 5s);
        answered.valid_pong(t0 + 6s);
        answered.ping_sent(t0 + 10s);
        EXPECT_EQ(at(answered, t0 + 15s), ping);
        answered.ping_sent(t0 + 15s);
        answered.ping_sent(t0 + 20s);
        EXPECT_EQ(at(answered, t0 + 21s - 1ms), nothing);
        EXPECT_EQ(at(answered, t0 + 21s), close(1008, "pong timeout"));
        // Client frames that are not pongs do not count.
        answered.client_activity(t0 + 20s);
        EXPECT_EQ(at(answered, t0 + 21s), close(1008, "pong timeout"));
    }
}

TEST(stream_timers, key_expiry_closes_woox_and_sends_the_event_then_closes_bingx) {
    struct row {
        stream_kind kind;
        timer_action want;
    };
    const std::vector<row> rows = {
        {stream_kind::woox_private,
         close(exsdk::woox::protocol::key_gone_close_code, "listen key expired")},
        {stream_kind::bingx_spot,
         {type::expire_key,
          static_cast<std::uint16_t>(exsdk::bingx::protocol::key_expired_close_code),
          "listen key expired"}},
        {stream_kind::bingx_swap, {type::expire_key, 1000, "listen key expired"}},
    };
    for (const auto& r : rows) {
        SCOPED_TRACE(static_cast<int>(r.kind));
        auto t = opened(r.kind, w0 + 3000); // before the first heartbeat and any idleness
        EXPECT_EQ(t.next_deadline(t0, w0), t0 + 3s);
        EXPECT_EQ(at(t, t0 + 3s - 1ms), nothing);
        EXPECT_EQ(at(t, t0 + 3s), r.want);
        EXPECT_EQ(t.key_expired(), r.want);
        EXPECT_EQ(t.key_event(d::listen_key_event::expired, 0), r.want);
        EXPECT_EQ(t.key_event(d::listen_key_event::retired, 0), r.want); // exactly as on expiry
    }
    // BingX: the key's expiry wins over a pong timeout due at the same instant.
    auto t = opened(stream_kind::bingx_spot, wall(t0 + 15s));
    t.ping_sent(t0 + 5s);
    t.ping_sent(t0 + 10s);
    EXPECT_EQ(at(t, t0 + 15s).what, type::expire_key);
}

TEST(stream_timers, key_extended_moves_the_deadline) {
    auto t = opened(stream_kind::woox_private, w0 + 10'000);
    EXPECT_EQ(t.next_deadline(t0, w0), t0 + 10s);
    EXPECT_EQ(t.key_event(d::listen_key_event::extended, w0 + 50'000), nothing);
    EXPECT_EQ(t.next_deadline(t0, w0), t0 + 50s);
    t.client_activity(t0 + 40s);
    EXPECT_EQ(at(t, t0 + 10s), nothing); // the old expiry is gone
    EXPECT_EQ(at(t, t0 + 50s), close(1008, "listen key expired"));
    // The key's wall-clock expiry is placed on the steady time line from where the clock is.
    EXPECT_EQ(t.next_deadline(t0 + 20s, wall(t0 + 20s)), t0 + 50s);
    EXPECT_EQ(t.next_deadline(t0 + 60s, wall(t0 + 60s)), t0 + 60s); // overdue: now

    auto b = opened(stream_kind::bingx_swap, w0 + 2000);
    b.key_expires(w0 + 4000); // the input behind the extended event
    EXPECT_EQ(b.next_deadline(t0, w0), t0 + 4s);
    EXPECT_EQ(at(b, t0 + 2s), nothing);
}

TEST(stream_timers, close_timeout_cuts_a_closing_socket) {
    for (auto kind : {stream_kind::woox_private, stream_kind::bingx_spot}) {
        auto t = opened(kind, w0 + 1000);
        EXPECT_FALSE(t.closing());
        t.closing_began(t0 + 500ms);
        EXPECT_TRUE(t.closing());
        // Only the handshake's deadline counts now: no key expiry, ping or idle close.
        EXPECT_EQ(t.next_deadline(t0 + 500ms, wall(t0 + 500ms)), t0 + 500ms + close_timeout);
        EXPECT_EQ(at(t, t0 + 5s), nothing);
        EXPECT_EQ(at(t, t0 + 500ms + close_timeout - 1ms), nothing);
        EXPECT_EQ(at(t, t0 + 500ms + close_timeout), cut);
    }
}

TEST(stream_timers, listen_key_events_close_with_the_exchange_code) {
    namespace wp = exsdk::woox::protocol;
    namespace bp = exsdk::bingx::protocol;
    using ev = d::listen_key_event;
    struct row {
        stream_kind kind;
        ev event;
        timer_action want;
    };
    const std::vector<row> rows = {
        {stream_kind::woox_private, ev::replaced,
         close(wp::key_gone_close_code, "listen key replaced")},
        {stream_kind::woox_private, ev::deleted,
         close(wp::key_deleted_close_code, "listen key deleted")},
        {stream_kind::woox_private, ev::revoked,
         close(wp::key_gone_close_code, "listen key revoked")},
        {stream_kind::bingx_spot, ev::replaced,
         close(bp::policy_close_code, "listen key replaced")},
        {stream_kind::bingx_spot, ev::deleted,
         close(bp::key_expired_close_code, "listen key deleted")},
        {stream_kind::bingx_swap, ev::revoked, close(bp::policy_close_code, "listen key revoked")},
    };
    for (const auto& r : rows) {
        auto t = opened(r.kind);
        EXPECT_EQ(t.key_event(r.event, 0), r.want) << static_cast<int>(r.event);
    }
    EXPECT_EQ(wp::key_gone_close_code, 1008);
    EXPECT_EQ(wp::key_deleted_close_code, 1000);
    EXPECT_EQ(bp::policy_close_code, 1008);
}

} // namespace

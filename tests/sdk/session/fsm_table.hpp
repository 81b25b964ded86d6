// Table-driven tests of the listen-key session state machines (sdk/src/woox/session_fsm.hpp,
// sdk/src/bingx/session_fsm.hpp): no sockets, no Asio, no clock. A table is a list of rows
// "this happened (at this time) -> the machine must do this next"; run() feeds the inputs in
// order and compares each action, written as a short text ("connect k1", "backoff #2",
// "report_disconnected planned: ..."), so a failing row shows what the machine did instead.
// Times are offsets from two fixed origins: steady t0 and wall w0 (+30s = 30 s after).
#pragma once

#include "bingx/session_fsm.hpp"
#include "woox/session_fsm.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstddef>
#include <initializer_list>
#include <string>
#include <vector>

namespace exsdk::test::fsm {

using namespace std::chrono_literals;
using in = exsdk::detail::session_input_kind;
using step = exsdk::detail::session_action_kind;
using input = exsdk::detail::session_input;
using action = exsdk::detail::session_action;
using woox_fsm = exsdk::woox::detail::session_fsm;
using bingx_fsm = exsdk::bingx::detail::session_fsm;

inline const clock::time_point t0 = clock::time_point{} + 24h;
inline const clock::wall_time w0 = from_epoch_ms(1'700'000'000'000);

/// An input at `t` after both origins (steady and wall clocks advance together).
inline input at(clock::duration t, in what) {
    input i;
    i.what = what;
    i.now = t0 + t;
    i.wall_now = w0 + std::chrono::duration_cast<clock::wall_time::duration>(t);
    return i;
}
inline input failed(clock::duration t, in what, error e) {
    input i = at(t, what);
    i.err = std::move(e);
    return i;
}
inline input failed(clock::duration t, in what, errc e, std::string message = {}) {
    return failed(t, what, error(e, std::move(message)));
}
/// create_key answered `key`; WOO X keys expire `expires_in` after the origin.
inline input created(clock::duration t, std::string key, clock::duration expires_in = 0s) {
    input i = at(t, in::key_created);
    i.key = std::move(key);
    if (expires_in != 0s) {
        i.expires = w0 + std::chrono::duration_cast<clock::wall_time::duration>(expires_in);
    }
    return i;
}
/// A socket the server closed with WebSocket close code `code`.
inline input lost(clock::duration t, std::int64_t code, std::string message) {
    error e(errc::network, std::move(message));
    e.exchange_code = code;
    return failed(t, in::socket_lost, std::move(e));
}

// (Strings are built with += : GCC 12 warns falsely (-Wrestrict) on "literal" + std::string&&.)
inline std::string offset(clock::duration d) {
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
    std::string s = "+";
    s += ms % 1000 == 0 ? std::to_string(ms / 1000) + "s" : std::to_string(ms) + "ms";
    return s;
}
inline std::string outcome(const result<void>& r) {
    if (r) {
        return "ok";
    }
    std::string s = to_string(static_cast<errc>(r.error().code.value()));
    s += ": ";
    s += r.error().message;
    return s;
}

/// The action as a line of a table.
inline std::string describe(const action& a) {
    std::string s;
    switch (a.what) {
    case step::wait_for_room: return "wait_for_room";
    case step::create_key: return "create_key";
    case step::connect:
        s = "connect ";
        s += a.key;
        return s;
    case step::subscribe: return "subscribe";
    case step::next_event:
        s = "next_event until ";
        s += offset(a.deadline - t0);
        if (a.room_deadline) {
            s += " room until ";
            s += offset(*a.room_deadline - t0);
        }
        return s;
    case step::extend:
        s = "extend ";
        s += a.key;
        return s;
    case step::close_stream: return "close_stream";
    case step::drain: return "drain";
    case step::report_connected:
        s = "report_connected";
        if (a.outage) {
            s += " gap ";
            s += offset(*a.outage);
        }
        return s;
    case step::report_disconnected:
        s = "report_disconnected";
        s += a.planned ? " planned: " : ": ";
        s += a.detail;
        return s;
    case step::report_key_rotated:
        s = "report_key_rotated: ";
        s += a.detail;
        return s;
    case step::backoff:
        s = "backoff #";
        s += std::to_string(a.attempt);
        if (a.not_before) {
            s += " not_before ";
            s += offset(*a.not_before - w0);
        }
        return s;
    case step::finish:
        s = "finish ";
        s += outcome(a.outcome);
        return s;
    case step::delete_key:
        s = "delete_key ";
        s += a.key;
        s += " within ";
        s += offset(a.timeout);
        return s;
    case step::done:
        s = "done ";
        s += outcome(a.outcome);
        return s;
    }
    return "?";
}

struct row {
    input happened;
    std::string next; ///< describe() of the action the machine must return
};

/// Feeds the rows to `m` in order; each action must match its row.
template <class Machine>
void run(Machine& m, const std::vector<row>& table) {
    for (std::size_t i = 0; i < table.size(); ++i) {
        std::string where = "row ";
        where += std::to_string(i + 1);
        where += " -> ";
        where += table[i].next;
        SCOPED_TRACE(where);
        EXPECT_EQ(describe(m.resume(table[i].happened)), table[i].next);
    }
}

/// The rows that bring a fresh machine to its first socket with key `key` (WOO X: expiring
/// `expires_in` after the origin), all at +0s.
inline std::vector<row> first_connect(std::string key, clock::duration expires_in = 0s) {
    return {
        {at(0s, in::start), "wait_for_room"},
        {at(0s, in::room), "create_key"},
        {created(0s, key, expires_in), "connect " + key},
        {at(0s, in::connected), "subscribe"},
        {at(0s, in::subscribed), "report_connected"},
    };
}

inline std::vector<row> operator+(std::vector<row> a, const std::vector<row>& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

inline woox_fsm::config woox_config() {
    return {.rotate_before_expiry = 10min};
}
inline bingx_fsm::config bingx_config() {
    return {.extend_interval = 30min,
            .extend_retry = 1min,
            .delete_on_shutdown = true,
            .shutdown_timeout = 5s};
}

} // namespace exsdk::test::fsm

// The vocabulary of the listen-key session state machines (private to the SDK): what happened
// (session_input) and what to do next (session_action). Both machines (woox/session_fsm.hpp,
// bingx/session_fsm.hpp) speak it, and one driver (session/session_driver.hpp) runs either.
//
// Sans-io, in the form of Boost.Redis's detail/*_fsm.hpp: a machine never does I/O, never reads
// a clock and never waits. The driver performs each action, then calls resume() with what came
// of it (every input carries the time it was read at); resume() returns the next action. Tests
// drive a machine with a table of inputs and compare the actions (tests/sdk/session/).
#pragma once

#include <exsdk/clock.hpp>
#include <exsdk/error.hpp>

#include <boost/assert.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <utility>

namespace exsdk::detail {

/// Errors no reconnect can fix: the session stops and run() returns them. Only the exchange's
/// own answers say so: an answer that is not the exchange's (errc::unexpected_response: a proxy
/// page, whatever its status) is transient, like a network error.
inline bool is_fatal_session_error(const error& e) {
    return e.is(errc::unauthorized) || e.is(errc::invalid_signature) ||
           e.is(errc::permission_denied) || e.is(errc::ip_not_allowed) || e.is(errc::banned) ||
           e.is(errc::invalid_argument);
}

/// What happened: the outcome of the last action (or the start of run()).
enum class session_input_kind {
    start,          ///< run() began
    room,           ///< wait_for_room: the update queue has room
    key_created,    ///< create_key: the exchange gave `key` (WOO X: expiring at `expires`)
    key_failed,     ///< create_key failed with `err` (fatal, transient with retry_after, cancelled)
    connected,      ///< connect: the socket is up
    connect_failed, ///< connect failed with `err` (refused: unauthorized/not_found; cancelled)
    subscribed,     ///< subscribe: every topic is on
    subscribe_failed, ///< subscribe failed with `err`
    event,            ///< next_event: an event was delivered (already queued for next())
    key_lapsed_event, ///< next_event: a listenKeyExpired event was delivered (already queued)
    timed_out,        ///< next_event: the deadline passed while the socket is open
    next_cancelled,   ///< next_event: cancelled while the socket is open (`err`)
    socket_lost, ///< next_event: the socket is gone with `err` (WOO X: exchange_code = close code)
    extended,    ///< extend: the exchange extended the key
    extend_failed, ///< extend failed with `err` (not_found: the key is gone; cancelled)
    backoff_done,  ///< backoff: the delay passed
    drained,       ///< drain: the stream's queued events are delivered
    cancelled,     ///< a wait (room, backoff, drain) was cancelled
    reported,      ///< report_*: the status update is out
    closed,        ///< close_stream: the stream is closed
    shutdown,      ///< the lifecycle ended (after finish) with `err`, or success when none
    deleted,       ///< delete_key ended (answered, failed or out of time: it does not matter)
};

struct session_input {
    session_input_kind what = session_input_kind::start;
    clock::time_point now{};     ///< the session clock's now() when this happened
    clock::wall_time wall_now{}; ///< ... and its wall_now()
    std::optional<error> err;    ///< for the *_failed, next_cancelled, socket_lost, shutdown inputs
    std::string key;             ///< key_created
    std::optional<clock::wall_time> expires; ///< key_created (WOO X: expiredTime)
};

/// What to do next.
enum class session_action_kind {
    wait_for_room,       ///< block policy: until the update queue has room
    create_key,          ///< WOO X POST /v1/listenKey, BingX generate (POST)
    connect,             ///< open the stream with `key`
    subscribe,           ///< subscribe the configured topics
    next_event,          ///< the stream's next event until `deadline` (room until `room_deadline`)
    extend,              ///< BingX PUT `key`
    close_stream,        ///< close the stream
    drain,               ///< deliver the events the stream still holds
    report_connected,    ///< "connected", then "gap" after `outage` when an earlier socket was lost
    report_disconnected, ///< "disconnected" because of `detail`, `planned` or not
    report_key_rotated,  ///< "key_rotated" because of `detail`
    backoff,    ///< "reconnecting": wait attempt `attempt`'s delay, not before `not_before`
    finish,     ///< the lifecycle ended with `outcome`: leave its cancellable part
    delete_key, ///< BingX DELETE `key`, bounded by `timeout`
    done,       ///< shut down: run() returns `outcome`
};

struct session_action {
    session_action_kind what = session_action_kind::wait_for_room;
    std::string key;                                ///< connect, extend, delete_key
    clock::time_point deadline{};                   ///< next_event
    std::optional<clock::time_point> room_deadline; ///< next_event
    std::string detail;                             ///< report_disconnected, report_key_rotated
    bool planned = false;                           ///< report_disconnected
    std::optional<clock::duration> outage;          ///< report_connected
    std::size_t attempt = 0;                        ///< backoff (1-based)
    std::optional<clock::wall_time> not_before;     ///< backoff
    clock::duration timeout{};                      ///< delete_key
    result<void> outcome;                           ///< finish, done
};

/// The decisions both machines share: the key, the backoff attempt count (reset by a connect)
/// and the gap accounting (a socket lost, then a socket up again: the outage between).
class session_fsm_base {
public:
    /// The listen key in use ("" when none) and a number that changes whenever it does (the
    /// driver publishes the key for listen_key() when it changes).
    const std::string& key() const noexcept { return key_ ? *key_ : no_key_; }
    std::size_t key_generation() const noexcept { return key_generation_; }
    bool has_key() const noexcept { return key_.has_value(); }

protected:
    void set_key(std::optional<std::string> k) {
        key_ = std::move(k);
        ++key_generation_;
    }
    void drop_key() { set_key(std::nullopt); }

    session_action act(session_action_kind s) const {
        session_action a;
        a.what = s;
        return a;
    }
    session_action backoff(std::optional<clock::wall_time> not_before = {}) {
        session_action a = act(session_action_kind::backoff);
        a.attempt = ++failures_;
        a.not_before = not_before;
        return a;
    }
    session_action report_connected(clock::time_point now) {
        failures_ = 0;
        session_action a = act(session_action_kind::report_connected);
        if (lost_at_) {
            a.outage = now - *lost_at_;
            lost_at_.reset();
        }
        return a;
    }
    session_action report_disconnected(clock::time_point now, std::string why, bool planned) {
        if (!lost_at_) {
            lost_at_ = now;
        }
        session_action a = act(session_action_kind::report_disconnected);
        a.detail = std::move(why);
        a.planned = planned;
        return a;
    }
    session_action report_key_rotated(std::string why) const {
        session_action a = act(session_action_kind::report_key_rotated);
        a.detail = std::move(why);
        return a;
    }
    session_action end(session_action_kind s, result<void> outcome) const {
        session_action a = act(s);
        a.outcome = std::move(outcome);
        return a;
    }
    static error cancelled() { return error(errc::cancelled, "the session was cancelled"); }
    /// An input the machine cannot take in its state: a bug of the driver. Ends run() with it.
    session_action misuse() {
        BOOST_ASSERT_MSG(false, "listen-key session: an input its state machine cannot take");
        return end(session_action_kind::done,
                   error(errc::invalid_argument,
                         "listen-key session: an input its state machine cannot take"));
    }

private:
    inline static const std::string no_key_;
    std::optional<std::string> key_;
    std::size_t key_generation_ = 0;
    std::size_t failures_ = 0;
    std::optional<clock::time_point> lost_at_;
};

/// The part of the lifecycle both machines share, written once: start, waiting for room, a
/// failed create, connect and subscribe (a failed subscribe closes the stream first), backoff,
/// and the stream's close on shutdown. `State` is the machine's own state enum; it names at
/// least idle, waiting_room, creating, reporting_key, connecting, subscribing, closing_refused,
/// reporting_up, backing_off, finished, closing_shutdown and done. The machine (`Derived`)
/// decides the rest through after_room(), key_created(), on_refused() and
/// after_shutdown_close(), and handles its own states where resume_shared() returns nothing.
template <class Derived, class State>
class session_fsm_cycle : public session_fsm_base {
public:
    using input = session_input;
    using action = session_action;

protected:
    session_action wait_for_room() {
        state_ = State::waiting_room;
        return act(session_action_kind::wait_for_room);
    }
    session_action create_key() {
        state_ = State::creating;
        return act(session_action_kind::create_key);
    }
    /// The new key is a rotation: report why the old one went, then connect.
    session_action report_rotation(std::string why) {
        state_ = State::reporting_key;
        return report_key_rotated(std::move(why));
    }
    session_action connect() {
        state_ = State::connecting;
        session_action a = act(session_action_kind::connect);
        a.key = key();
        return a;
    }
    session_action finish(result<void> outcome) {
        state_ = State::finished;
        return end(session_action_kind::finish, std::move(outcome));
    }
    session_action done() {
        state_ = State::done;
        return end(session_action_kind::done, outcome_);
    }
    session_action back_off(std::optional<clock::wall_time> not_before = {}) {
        state_ = State::backing_off;
        return backoff(not_before);
    }
    /// create_key failed: the end when fatal or cancelled, else a backoff (not before the
    /// exchange's retry_after).
    session_action key_failed(const error& e) {
        if (e.is(errc::cancelled) || is_fatal_session_error(e)) {
            return finish(e);
        }
        return back_off(e.retry_after);
    }
    /// connect or subscribe failed: a refused key (401/404) is dropped; then a backoff.
    session_action up_failed(const error& e) {
        if (e.is(errc::cancelled)) {
            return finish(e);
        }
        if (e.is(errc::unauthorized) || e.is(errc::not_found)) {
            drop_key(); // refused: the server no longer knows this key
            derived().on_refused();
        }
        return back_off();
    }

    /// The shared states' next action, or nothing when `in` is for one of Derived's own states.
    std::optional<session_action> resume_shared(const session_input& in) {
        using kind = session_input_kind;
        if (in.what == kind::shutdown) { // run() is ending: close the stream first
            outcome_ = in.err ? result<void>(*in.err) : result<void>();
            state_ = State::closing_shutdown;
            return act(session_action_kind::close_stream);
        }
        switch (state_) {
        case State::idle: return in.what == kind::start ? wait_for_room() : misuse();
        case State::waiting_room: // block policy: the application catches up first
            if (in.what == kind::room) {
                return derived().after_room(in);
            }
            return in.what == kind::cancelled ? finish(cancelled()) : misuse();
        case State::creating:
            if (in.what == kind::key_created) {
                return derived().key_created(in);
            }
            return in.what == kind::key_failed && in.err ? key_failed(*in.err) : misuse();
        case State::reporting_key: return in.what == kind::reported ? connect() : misuse();
        case State::connecting:
            if (in.what == kind::connected) {
                state_ = State::subscribing;
                return act(session_action_kind::subscribe);
            }
            return in.what == kind::connect_failed && in.err ? up_failed(*in.err) : misuse();
        case State::subscribing:
            if (in.what == kind::subscribed) {
                state_ = State::reporting_up;
                return report_connected(in.now);
            }
            if (in.what == kind::subscribe_failed && in.err) {
                pending_ = *in.err;
                state_ = State::closing_refused;
                return act(session_action_kind::close_stream);
            }
            return misuse();
        case State::closing_refused:
            return in.what == kind::closed ? up_failed(pending_) : misuse();
        case State::backing_off:
            if (in.what == kind::backoff_done) {
                return wait_for_room();
            }
            return in.what == kind::cancelled ? finish(cancelled()) : misuse();
        case State::closing_shutdown:
            return in.what == kind::closed ? derived().after_shutdown_close() : misuse();
        case State::finished:
        case State::done: return misuse();
        default: return std::nullopt;
        }
    }

    State state_ = State::idle;

private:
    Derived& derived() { return static_cast<Derived&>(*this); }

    error pending_; // a failed subscribe's error, acted on once the stream is closed
    result<void> outcome_;
};

} // namespace exsdk::detail

#include "woox/session_fsm.hpp"

#include <exsdk/woox/protocol.hpp>

namespace exsdk::woox::detail {

using kind = exsdk::detail::session_input_kind;
using step = exsdk::detail::session_action_kind;

clock::wall_time session_fsm::rotation_time() const {
    return expires_ -
           std::chrono::duration_cast<clock::wall_time::duration>(cfg_.rotate_before_expiry);
}

bool session_fsm::key_usable(clock::wall_time wall_now) const {
    return has_key() && wall_now < rotation_time();
}

session_fsm::action session_fsm::wait_for_room() {
    state_ = state::waiting_room;
    return act(step::wait_for_room);
}

// 1. A key: reuse a valid one, create one otherwise.
session_fsm::action session_fsm::after_room(const input& in) {
    if (!key_usable(in.wall_now)) {
        state_ = state::creating;
        return act(step::create_key);
    }
    return connect();
}

// 2. Connect and subscribe.
session_fsm::action session_fsm::connect() {
    state_ = state::connecting;
    action a = act(step::connect);
    a.key = key();
    return a;
}

session_fsm::action session_fsm::up_failed(const error& e) {
    if (e.is(errc::cancelled)) {
        return finish(e);
    }
    if (e.is(errc::unauthorized) || e.is(errc::not_found)) {
        drop_key(); // refused: expired or replaced elsewhere
    }
    state_ = state::backing_off;
    return backoff();
}

// After a disconnect: a planned rotation creates the next key at once, anything else backs off.
session_fsm::action session_fsm::after_down() {
    if (rotating_) {
        return wait_for_room();
    }
    state_ = state::backing_off;
    return backoff();
}

session_fsm::action session_fsm::finish(result<void> outcome) {
    state_ = state::finished;
    return end(step::finish, std::move(outcome));
}

session_fsm::action session_fsm::resume(const input& in) {
    if (in.what == kind::shutdown) { // run() is ending: close the stream (the key stays)
        outcome_ = in.err ? result<void>(*in.err) : result<void>();
        state_ = state::closing_shutdown;
        return act(step::close_stream);
    }
    switch (state_) {
    case state::idle:
        if (in.what == kind::start) {
            return wait_for_room();
        }
        break;
    case state::waiting_room:
        if (in.what == kind::cancelled) {
            return finish(cancelled());
        }
        if (in.what == kind::room) {
            return after_room(in);
        }
        break;
    case state::creating:
        if (in.what == kind::key_created) {
            const bool replaced = created_;
            set_key(in.key);
            expires_ = in.expires.value_or(clock::wall_time{});
            created_ = true;
            const bool planned = std::exchange(rotating_, false);
            if (replaced) {
                state_ = state::reporting_key;
                return report_key_rotated(planned ? "planned rotation before expiredTime"
                                                  : "the previous key was refused");
            }
            return connect();
        }
        if (in.what == kind::key_failed && in.err) {
            const error& e = *in.err;
            if (e.is(errc::cancelled) || exsdk::detail::is_fatal_session_error(e)) {
                return finish(e);
            }
            state_ = state::backing_off;
            return backoff(e.retry_after);
        }
        break;
    case state::reporting_key:
        if (in.what == kind::reported) {
            return connect();
        }
        break;
    case state::connecting:
        if (in.what == kind::connected) {
            state_ = state::subscribing;
            return act(step::subscribe);
        }
        if (in.what == kind::connect_failed && in.err) {
            return up_failed(*in.err);
        }
        break;
    case state::subscribing:
        if (in.what == kind::subscribed) {
            state_ = state::reporting_up;
            return report_connected(in.now);
        }
        if (in.what == kind::subscribe_failed && in.err) {
            pending_ = *in.err;
            state_ = state::closing_refused;
            return act(step::close_stream);
        }
        break;
    case state::closing_refused:
        if (in.what == kind::closed) {
            return up_failed(pending_);
        }
        break;
    case state::reporting_up:
        if (in.what == kind::reported) {
            // 3. Deliver events until the socket dies or the key must rotate. While the
            // application is behind, the rotation waits too (no deadline on the room): the
            // socket's events stay in order before it.
            rotate_at_ =
                in.now + std::chrono::duration_cast<clock::duration>(rotation_time() - in.wall_now);
            state_ = state::streaming;
            action a = act(step::next_event);
            a.deadline = rotate_at_;
            return a;
        }
        break;
    case state::streaming:
        switch (in.what) {
        case kind::event: {
            action a = act(step::next_event);
            a.deadline = rotate_at_;
            return a;
        }
        case kind::timed_out: // planned: the key is about to expire
            rotating_ = true;
            drop_key();
            state_ = state::closing_rotation;
            return act(step::close_stream);
        case kind::next_cancelled: // run() itself was cancelled
            return finish(in.err.value_or(cancelled()));
        case kind::socket_lost: {
            const error e = in.err.value_or(error(errc::network));
            if (e.exchange_code == protocol::key_gone_close_code) {
                drop_key(); // replaced, expired or revoked: reconnecting with it is futile
            }
            state_ = state::reporting_down;
            return report_disconnected(in.now, e.message, false);
        }
        default: break;
        }
        break;
    case state::closing_rotation:
        if (in.what == kind::closed) {
            state_ = state::reporting_down;
            return report_disconnected(in.now, "rotating the listen key before it expires", true);
        }
        break;
    case state::reporting_down:
        if (in.what == kind::reported) {
            return after_down();
        }
        break;
    case state::backing_off:
        if (in.what == kind::backoff_done) {
            return wait_for_room();
        }
        if (in.what == kind::cancelled) {
            return finish(cancelled());
        }
        break;
    case state::closing_shutdown:
        if (in.what == kind::closed) {
            state_ = state::done;
            return end(step::done, outcome_);
        }
        break;
    case state::finished:
    case state::done: break;
    }
    return misuse();
}

} // namespace exsdk::woox::detail

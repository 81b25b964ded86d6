#include "bingx/session_fsm.hpp"

namespace exsdk::bingx::detail {

using kind = exsdk::detail::session_input_kind;
using step = exsdk::detail::session_action_kind;

namespace {
constexpr const char* gone_on_extend = "the previous key is gone (404 on extend)";
constexpr const char* refused_by_stream = "the previous key was refused by the stream";
constexpr const char* lapsed = "the previous key lapsed (listenKeyExpired)";
} // namespace

// 1. A key, kept extended even while no socket is up (and checked after a lost socket: a key
//    deleted elsewhere is replaced before any futile reconnect).
session_fsm::action session_fsm::after_room(const input& in) {
    if (has_key() && in.now >= next_extend_) {
        return extend(state::checking_key);
    }
    return ensure_key();
}

session_fsm::action session_fsm::ensure_key() {
    if (!has_key()) {
        return create_key();
    }
    return connect(); // 2. Connect (spot: subscribe).
}

void session_fsm::on_refused() {
    why_new_ = refused_by_stream;
}

session_fsm::action session_fsm::key_created(const input& in) {
    const bool replaced = created_;
    set_key(in.key);
    created_ = true;
    next_extend_ = in.now + cfg_.extend_interval;
    rotating_ = false;
    if (replaced) {
        return report_rotation(why_new_);
    }
    return connect();
}

// 3. Deliver events; extend on schedule (also while the application is behind: the room is
//    waited for only until the PUT is due); rotate when the key is gone.
session_fsm::action session_fsm::next_event() {
    state_ = state::streaming;
    action a = act(step::next_event);
    a.deadline = next_extend_;
    a.room_deadline = next_extend_;
    return a;
}

session_fsm::action session_fsm::extend(state next) {
    state_ = next;
    action a = act(step::extend);
    a.key = key();
    return a;
}

// The socket is done: a lapsed key is replaced at once (after the events already received),
// anything else backs off.
session_fsm::action session_fsm::end_of_socket() {
    if (rotating_) {
        state_ = state::draining;
        return act(step::drain);
    }
    return back_off();
}

// DELETE on the way out, bounded: a stuck exchange must not hold shutdown.
session_fsm::action session_fsm::after_shutdown_close() {
    if (has_key() && cfg_.delete_on_shutdown) {
        state_ = state::deleting;
        action a = act(step::delete_key);
        a.key = key();
        a.timeout = cfg_.shutdown_timeout;
        return a;
    }
    drop_key();
    return done();
}

session_fsm::action session_fsm::resume(const input& in) {
    if (auto shared = resume_shared(in)) {
        return std::move(*shared);
    }
    switch (state_) {
    case state::checking_key:
        if (in.what == kind::extended) {
            next_extend_ = in.now + cfg_.extend_interval;
            return ensure_key();
        }
        if (in.what == kind::extend_failed && in.err) {
            if (in.err->is(errc::cancelled)) {
                return finish(cancelled());
            }
            if (in.err->is(errc::not_found)) { // lapsed or deleted: a new key is needed
                drop_key();
                why_new_ = gone_on_extend;
            } else {
                next_extend_ = in.now + cfg_.extend_retry; // 5xx, network: the key lives on
            }
            return ensure_key();
        }
        break;
    case state::reporting_up:
        if (in.what == kind::reported) {
            return next_event();
        }
        break;
    case state::streaming:
        switch (in.what) {
        case kind::event: return next_event();
        case kind::key_lapsed_event: // nothing more flows on this socket
            rotating_ = true;
            why_new_ = lapsed;
            return end_of_socket();
        case kind::timed_out: // a PUT is due (or the application is behind until it was)
            if (has_key() && in.now >= next_extend_) {
                return extend(state::extending);
            }
            return next_event();
        case kind::next_cancelled: return finish(in.err.value_or(cancelled()));
        case kind::socket_lost: {
            state_ = state::reporting_lost;
            action a = report_disconnected(
                in.now, in.err ? in.err->message : std::string("the stream was lost"), false);
            next_extend_ = in.now; // check the key before reconnecting with it
            return a;
        }
        default: break;
        }
        break;
    case state::extending:
        if (in.what == kind::extended) {
            next_extend_ = in.now + cfg_.extend_interval;
            return next_event();
        }
        if (in.what == kind::extend_failed && in.err) {
            if (in.err->is(errc::cancelled)) {
                return finish(cancelled());
            }
            if (in.err->is(errc::not_found)) {
                rotating_ = true;
                why_new_ = gone_on_extend;
                return end_of_socket();
            }
            next_extend_ = in.now + cfg_.extend_retry;
            return next_event();
        }
        break;
    case state::reporting_lost:
        if (in.what == kind::reported) {
            return end_of_socket();
        }
        break;
    case state::draining:
        if (in.what == kind::drained) {
            drop_key();
            state_ = state::closing_rotation;
            return act(step::close_stream);
        }
        if (in.what == kind::cancelled) {
            return finish(cancelled());
        }
        break;
    case state::closing_rotation:
        if (in.what == kind::closed) {
            state_ = state::reporting_down;
            return report_disconnected(in.now, "the listen key lapsed", true);
        }
        break;
    case state::reporting_down:
        if (in.what == kind::reported) {
            return wait_for_room();
        }
        break;
    case state::deleting:
        if (in.what == kind::deleted) {
            drop_key();
            return done();
        }
        break;
    default: break;
    }
    return misuse();
}

} // namespace exsdk::bingx::detail

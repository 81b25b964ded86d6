#include "woox/session_fsm.hpp"

#include <exsdk/woox/protocol.hpp>

#include <utility>

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

// 1. A key: reuse a valid one, create one otherwise.
session_fsm::action session_fsm::after_room(const input& in) {
    if (!key_usable(in.wall_now)) {
        return create_key();
    }
    return connect(); // 2. Connect and subscribe.
}

session_fsm::action session_fsm::key_created(const input& in) {
    const bool replaced = created_;
    set_key(in.key);
    expires_ = in.expires.value_or(clock::wall_time{});
    created_ = true;
    const bool planned = std::exchange(rotating_, false);
    if (replaced) {
        return report_rotation(planned ? "planned rotation before expiredTime"
                                       : "the previous key was refused");
    }
    return connect();
}

// 3. Deliver events until the socket dies or the key must rotate. While the application is
//    behind, the rotation waits too (no deadline on the room): the socket's events stay in
//    order before it.
session_fsm::action session_fsm::next_event() {
    state_ = state::streaming;
    action a = act(step::next_event);
    a.deadline = rotate_at_;
    return a;
}

session_fsm::action session_fsm::resume(const input& in) {
    if (auto shared = resume_shared(in)) {
        return std::move(*shared);
    }
    switch (state_) {
    case state::reporting_up:
        if (in.what == kind::reported) {
            rotate_at_ =
                in.now + std::chrono::duration_cast<clock::duration>(rotation_time() - in.wall_now);
            return next_event();
        }
        break;
    case state::streaming:
        switch (in.what) {
        case kind::event: return next_event();
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
            // A planned rotation creates the next key at once; anything else backs off.
            return rotating_ ? wait_for_room() : back_off();
        }
        break;
    default: break;
    }
    return misuse();
}

} // namespace exsdk::woox::detail

// The WOO X listen-key session's lifecycle as a sans-io state machine (private to the SDK; see
// session/session_fsm.hpp for the inputs and actions, session/session_driver.hpp for the driver
// that runs it, exsdk/woox/listen_key_session.hpp for the behaviour users see).
//
// room -> key (reuse it while valid, else POST) -> connect -> subscribe -> "connected" -> events
// until the rotation time (expiredTime - rotate_before_expiry) -> close, "disconnected" (planned)
// -> new key, "key_rotated" ("planned rotation before expiredTime"). A lost socket backs off and
// reconnects with the same key, unless the server closed it with 1008 (key gone) or refused the
// key (401/404): then the next key is "key_rotated" ("the previous key was refused").
#pragma once

#include "session/session_fsm.hpp"

namespace exsdk::woox::detail {

enum class session_state {
    idle,             // before start
    waiting_room,     // wait_for_room
    creating,         // create_key
    reporting_key,    // report_key_rotated
    connecting,       // connect
    subscribing,      // subscribe
    closing_refused,  // close_stream after a failed subscribe
    reporting_up,     // report_connected
    streaming,        // next_event
    closing_rotation, // close_stream before a planned rotation
    reporting_down,   // report_disconnected
    backing_off,      // backoff
    finished,         // finish: waiting for shutdown
    closing_shutdown, // close_stream on the way out
    done,
};

class session_fsm : public exsdk::detail::session_fsm_cycle<session_fsm, session_state> {
public:
    struct config {
        clock::duration rotate_before_expiry{};
    };

    explicit session_fsm(config cfg) : cfg_(cfg) {}

    /// The next action after `in` (the first call takes session_input_kind::start).
    action resume(const input& in);

private:
    friend class exsdk::detail::session_fsm_cycle<session_fsm, session_state>;
    using state = session_state;

    // session_fsm_cycle's hooks.
    action after_room(const input& in);
    void on_refused() {}                             // WOO X: says nothing more
    action after_shutdown_close() { return done(); } // a WOO X key cannot be deleted
    action key_created(const input& in);
    action next_event();
    bool key_usable(clock::wall_time wall_now) const;
    clock::wall_time rotation_time() const;

    config cfg_;
    clock::wall_time expires_{}; // the key's expiredTime
    bool created_ = false;       // a key was created before (the next one is a rotation)
    bool rotating_ = false;      // the key is being replaced on schedule (not refused)
    clock::time_point rotate_at_{};
};

} // namespace exsdk::woox::detail

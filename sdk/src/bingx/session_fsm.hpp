// The BingX listen-key session's lifecycle as a sans-io state machine (private to the SDK; see
// session/session_fsm.hpp for the inputs and actions, session/session_driver.hpp for the driver
// that runs it, exsdk/bingx/listen_key_session.hpp for the behaviour users see).
//
// room -> PUT the key when due (also while no socket is up, and at once after a lost socket: a
// key deleted elsewhere is replaced before any futile reconnect) -> generate a key when none ->
// connect (spot: subscribe) -> "connected" -> events, PUT every extend_interval (extend_retry
// after a failed PUT) -> on listenKeyExpired or a 404 on PUT: drain, close, "disconnected"
// (planned), new key, "key_rotated" (why the old one went). A lost socket backs off; a refused
// connect (401/404) drops the key first. On the way out: close, DELETE the key (bounded by
// shutdown_timeout) unless delete_on_shutdown is off.
#pragma once

#include "session/session_fsm.hpp"

namespace exsdk::bingx::detail {

enum class session_state {
    idle,             // before start
    waiting_room,     // wait_for_room
    checking_key,     // extend, before (re)connecting
    creating,         // create_key (generate)
    reporting_key,    // report_key_rotated
    connecting,       // connect
    subscribing,      // subscribe
    closing_refused,  // close_stream after a failed subscribe
    reporting_up,     // report_connected
    streaming,        // next_event
    extending,        // extend, while connected
    reporting_lost,   // report_disconnected (unplanned)
    draining,         // drain before a rotation
    closing_rotation, // close_stream before a rotation
    reporting_down,   // report_disconnected (planned)
    backing_off,      // backoff
    finished,         // finish: waiting for shutdown
    closing_shutdown, // close_stream on the way out
    deleting,         // delete_key on the way out
    done,
};

class session_fsm : public exsdk::detail::session_fsm_cycle<session_fsm, session_state> {
public:
    struct config {
        clock::duration extend_interval{};
        clock::duration extend_retry{};
        bool delete_on_shutdown = true;
        clock::duration shutdown_timeout{};
    };

    explicit session_fsm(config cfg) : cfg_(cfg) {}

    /// The next action after `in` (the first call takes session_input_kind::start).
    action resume(const input& in);

private:
    friend class exsdk::detail::session_fsm_cycle<session_fsm, session_state>;
    using state = session_state;

    // session_fsm_cycle's hooks.
    action after_room(const input& in);
    void on_refused();
    action after_shutdown_close();
    action ensure_key();
    action key_created(const input& in);
    action next_event();
    action extend(state next);
    action end_of_socket();

    config cfg_;
    clock::time_point next_extend_{}; // when the key is due for a PUT
    bool created_ = false;            // a key was generated before (the next one is a rotation)
    bool rotating_ = false;           // the key lapsed while connected: replace it, no backoff
    const char* why_new_ = "";        // why the previous key was dropped (key_rotated's text)
};

} // namespace exsdk::bingx::detail

// The one driver of the listen-key session state machines (private to the SDK): runs a machine
// (woox/session_fsm.hpp, bingx/session_fsm.hpp) over the session's I/O and its runtime
// (session/session_runtime.hpp). It decides nothing: it performs each action, turns the
// outcome into the next input (stamped with the session clock's time) and resumes the machine.
//
// `Io` is the exchange's wiring (the listen_key_session's impl):
//   asio::awaitable<result<created_key>> create_key();
//   asio::awaitable<result<void>> connect(std::string_view key), subscribe();
//   asio::awaitable<result<void>> extend(std::string_view key), delete_key(std::string_view key)
//       (only where the machine asks for them: BingX);
//   Stream& stream();  static bool key_lapsed(const Event&) (a listenKeyExpired event).
//
// run() has two parts, as the sessions always had: the lifecycle, which the caller's
// cancellation and the session's destruction cancel (session_runtime::run_stoppable), up to the
// machine's `finish`; then the shutdown (close, BingX's bounded DELETE) outside it, up to `done`.
#pragma once

#include "detail/with_deadline.hpp"
#include "session/session_fsm.hpp"
#include "session/session_runtime.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>

#include <optional>
#include <string>

namespace exsdk::detail {

/// What Io::create_key() gives: the key and, for WOO X, its expiredTime.
struct created_key {
    std::string key;
    std::optional<clock::wall_time> expires;
};

template <class Machine, class Io, class Event>
class session_driver {
public:
    session_driver(Machine& m, Io& io, session_runtime<Event>& rt) : m_(m), io_(io), rt_(rt) {}

    /// run()'s body, on the session's strand.
    asio::awaitable<result<void>> run() {
        co_await asio::this_coro::throw_if_cancelled(false);
        auto ended = co_await rt_.run_stoppable(lifecycle());
        session_input in = input(session_input_kind::shutdown);
        if (!ended) {
            in.err = ended.error();
        }
        for (;;) {
            const session_action a = resume(std::move(in));
            if (a.what == session_action_kind::done || a.what == session_action_kind::finish) {
                break;
            }
            in = co_await perform(a);
        }
        rt_.updates().close(ended ? error(errc::cancelled, "the session ended") : ended.error());
        co_return ended;
    }

private:
    asio::awaitable<result<void>> lifecycle() {
        co_await asio::this_coro::throw_if_cancelled(false);
        session_input in = input(session_input_kind::start);
        for (;;) {
            const session_action a = resume(std::move(in));
            if (a.what == session_action_kind::finish || a.what == session_action_kind::done) {
                co_return a.outcome;
            }
            in = co_await perform(a);
        }
    }

    session_input input(session_input_kind what, std::optional<error> err = {}) const {
        session_input in;
        in.what = what;
        in.err = std::move(err);
        return in;
    }

    // Stamps the input with the time, resumes the machine and publishes its key when it changed
    // (before the action: the action's log events show the key in use).
    session_action resume(session_input in) {
        in.now = rt_.get_clock()->now();
        in.wall_now = rt_.get_clock()->wall_now();
        session_action a = m_.resume(in);
        if (m_.key_generation() != published_) {
            published_ = m_.key_generation();
            rt_.publish_key(m_.key());
        }
        if (in.what == session_input_kind::key_created) {
            rt_.count(&session_counters::keys_created);
        }
        return a;
    }

    asio::awaitable<session_input> perform(const session_action& a) {
        using in = session_input_kind;
        switch (a.what) {
        case session_action_kind::wait_for_room:
            co_return input((co_await rt_.wait_for_room()) ? in::room : in::cancelled);
        case session_action_kind::create_key: {
            auto r = co_await io_.create_key();
            if (!r) {
                co_return input(in::key_failed, std::move(r.error()));
            }
            session_input created = input(in::key_created);
            created.key = std::move(r->key);
            created.expires = r->expires;
            co_return created;
        }
        case session_action_kind::connect: {
            auto r = co_await io_.connect(a.key);
            co_return r ? input(in::connected) : input(in::connect_failed, std::move(r.error()));
        }
        case session_action_kind::subscribe: {
            auto r = co_await io_.subscribe();
            co_return r ? input(in::subscribed) : input(in::subscribe_failed, std::move(r.error()));
        }
        case session_action_kind::next_event: {
            auto ev = co_await rt_.next_event(io_.stream(), a.deadline, a.room_deadline);
            if (ev) {
                const bool lapsed = Io::key_lapsed(*ev);
                rt_.push_event(std::move(*ev));
                co_return input(lapsed ? in::key_lapsed_event : in::event);
            }
            const bool open = io_.stream().is_open();
            if (ev.error().is(errc::timeout) && open) {
                co_return input(in::timed_out, std::move(ev.error()));
            }
            if (ev.error().is(errc::cancelled) && open) {
                co_return input(in::next_cancelled, std::move(ev.error()));
            }
            co_return input(in::socket_lost, std::move(ev.error()));
        }
        case session_action_kind::extend:
            if constexpr (requires { io_.extend(a.key); }) {
                auto r = co_await io_.extend(a.key);
                if (r) {
                    rt_.count_extend();
                    co_return input(in::extended);
                }
                co_return input(in::extend_failed, std::move(r.error()));
            }
            break;
        case session_action_kind::close_stream:
            co_await io_.stream().close();
            co_return input(in::closed);
        case session_action_kind::drain:
            co_return input((co_await rt_.drain(io_.stream())) ? in::drained : in::cancelled);
        case session_action_kind::report_connected:
            rt_.on_connected(a.outage);
            co_return input(in::reported);
        case session_action_kind::report_disconnected:
            rt_.on_disconnected(a.detail, a.planned);
            co_return input(in::reported);
        case session_action_kind::report_key_rotated:
            rt_.push_status(session_status::key_rotated, a.detail);
            co_return input(in::reported);
        case session_action_kind::backoff:
            co_return input((co_await rt_.backoff(a.attempt, a.not_before)) ? in::backoff_done
                                                                            : in::cancelled);
        case session_action_kind::delete_key:
            if constexpr (requires { io_.delete_key(a.key); }) {
                // Outside the cancelled lifecycle, bounded: a stuck exchange must not hold
                // shutdown.
                co_await asio::this_coro::reset_cancellation_state();
                timer t(rt_.executor(), rt_.get_clock());
                t.expires_after(a.timeout);
                (void)co_await race_deadline(
                    t, asio::co_spawn(rt_.executor(), io_.delete_key(a.key), asio::deferred));
                co_return input(in::deleted);
            }
            break;
        case session_action_kind::finish:
        case session_action_kind::done: break;
        }
        // An action this Io cannot perform: the machine ends run() on the input it cannot take.
        co_return input(in::start);
    }

    Machine& m_;
    Io& io_;
    session_runtime<Event>& rt_;
    std::size_t published_ = 0;
};

/// Runs `m` over `io` and `rt` to its end (run()'s body, on the session's strand).
/// Runs `m` over `io` and `rt` to its end (run()'s body, on the session's strand; call it after
/// `co_await asio::this_coro::throw_if_cancelled(false)`).
template <class Machine, class Io, class Event>
asio::awaitable<result<void>> run_session(Machine& m, Io& io, session_runtime<Event>& rt) {
    co_await asio::this_coro::throw_if_cancelled(false);
    session_driver<Machine, Io, Event> d(m, io, rt);
    co_return co_await d.run();
}

} // namespace exsdk::detail

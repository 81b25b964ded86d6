// The session runtime (private to the SDK): what a listen-key session's driver
// (session/session_driver.hpp) runs its state machine on, the same for both exchanges: the
// session's strand, the queue of updates for next(), the status updates and their log events,
// reconnect backoff with jitter, counters, and stopping run() when the session is destroyed;
// and with_client_clock(), how a session's configuration takes the client's clock and log.
// It decides nothing: when to back off (and which attempt it is), when a gap was seen and how long
// the outage was, come from the state machine (woox/session_fsm.hpp, bingx/session_fsm.hpp).
//
// Threads: everything runs on the session's strand (object_strand.hpp), except stats(),
// published_key() and extends(), which any thread may call.
//
// The update queue is bounded (exsdk/overflow_policy.hpp). Block: a session takes the stream's
// next event only once the queue has room (next_event()) and starts each connect cycle only
// then (wait_for_room()), so its stream's queue fills and its reader stops reading; the few
// status updates of one cycle may pass the bound. Drop: what does not fit is dropped and the
// consumer gets a gap update with `dropped` where the updates are missing.
#pragma once

#include "detail/event_queue.hpp"
#include "detail/logger.hpp"
#include "detail/object_strand.hpp"

#include <exsdk/overflow_policy.hpp>
#include <exsdk/session_update.hpp>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/this_coro.hpp>

#include <atomic>
#include <mutex>
#include <random>

namespace exsdk::detail {

/// A session's configuration as it runs: its stream shares the client's clock; the session logs
/// to its own sink, else the client's, and its stream to the stream's own, else the session's.
template <class SessionConfig, class Client>
SessionConfig with_client_clock(SessionConfig c, const Client& rest) {
    c.stream.clock = rest.get_config().clock;
    if (!c.log.sink) {
        c.log = rest.get_config().log;
    }
    if (!c.stream.log.sink) {
        c.stream.log = c.log;
    }
    return c;
}

template <class Event>
class session_runtime {
public:
    using update = session_update<Event>;

    /// `ex` is the user's (the REST client's) executor; the session runs on a strand over it.
    /// `source`: the log source ("woox.session", static text).
    session_runtime(const asio::any_io_executor& ex, std::shared_ptr<clock> clk,
                    reconnect_policy policy, std::size_t max_queued, overflow_policy overflow,
                    const log_config& log, std::string_view source)
        : strand_(make_object_strand(ex)), ex_(strand_), clock_(std::move(clk)),
          log_(log, source, clock_), policy_(policy),
          updates_(ex_, clock_, max_queued, overflow,
                   [this](std::size_t n) {
                       count(&session_counters::gaps);
                       if (log_.on(log_level::warn)) {
                           log_.write(
                               log_level::warn, "session.gap",
                               {{"outage_ms", 0.0}, {"dropped", static_cast<std::int64_t>(n)}});
                       }
                       update u;
                       u.status = session_status::gap;
                       u.dropped = n;
                       u.detail = std::to_string(n) +
                                  " updates dropped: next() did not keep up (overflow_policy::"
                                  "drop); events may have been missed: re-sync from REST";
                       return result<update>(std::move(u));
                   }),
          rng_(std::random_device{}()) {}

    /// A session's own stream always blocks: the session drains it and applies its own policy.
    template <class StreamConfig>
    static StreamConfig blocking(StreamConfig c) {
        c.overflow = overflow_policy::block;
        return c;
    }

    /// Block policy: waits until the update queue has room (errc::cancelled when cancelled).
    asio::awaitable<result<void>> wait_for_room() { co_return co_await updates_.wait_for_room(); }

    /// The stream's next event, taken only once the update queue has room (block policy):
    /// errc::timeout when `deadline` passes first, or `room_deadline` while waiting for room.
    template <class Stream>
    asio::awaitable<result<Event>> next_event(Stream& s, clock::time_point deadline,
                                              std::optional<clock::time_point> room_deadline) {
        if (auto room = co_await updates_.wait_for_room(room_deadline); !room) {
            co_return room.error();
        }
        co_return co_await s.next(deadline);
    }

    /// Delivers the events still queued in `s` (block policy: the stream may hold many), so
    /// they come before the updates of a rotation. False when cancelled.
    template <class Stream>
    asio::awaitable<bool> drain(Stream& s) {
        while (s.queued() > 0) {
            if (!co_await updates_.wait_for_room()) {
                co_return false;
            }
            auto ev = co_await s.next(clock_->now()); // queued: returns at once
            if (!ev) {
                break;
            }
            push_event(std::move(*ev));
        }
        co_return true;
    }

    event_queue<update>& updates() noexcept { return updates_; }
    const std::shared_ptr<clock>& get_clock() const noexcept { return clock_; }
    const object_strand& strand() const noexcept { return strand_; }
    const asio::any_io_executor& executor() const noexcept { return ex_; }

    /// A snapshot of the counters; thread-safe.
    session_counters stats() const {
        std::lock_guard lock(stats_mutex_);
        return stats_;
    }
    void count(std::size_t session_counters::*counter) {
        std::lock_guard lock(stats_mutex_);
        ++(stats_.*counter);
    }

    /// BingX's successful PUTs (listen_key_session::extends()); thread-safe.
    void count_extend() noexcept { ++extends_; }
    std::size_t extends() const noexcept { return extends_.load(); }

    /// Runs the session's lifecycle `loop` to its end. Both the caller's cancellation (reaching
    /// this coroutine's cancellation state) and stop() cancel it. Call from run()'s body.
    asio::awaitable<result<void>> run_stoppable(asio::awaitable<result<void>> loop) {
        if (stopping_) {
            co_return error(errc::cancelled, "the session was destroyed");
        }
        // The caller's cancellation (if the caller can cancel at all) is forwarded to stop_.
        asio::cancellation_state state = co_await asio::this_coro::cancellation_state;
        auto caller_slot = state.slot();
        if (caller_slot.is_connected()) {
            caller_slot.assign([this](asio::cancellation_type type) { stop_.emit(type); });
        }
        auto ended =
            co_await spawn(strand_, std::move(loop),
                           asio::bind_cancellation_slot(stop_.slot(), asio::use_awaitable));
        if (caller_slot.is_connected()) {
            caller_slot.clear();
        }
        co_return ended;
    }

    // The public members of a session whose impl `owner` holds this runtime as `runtime`: each
    // is one line in the session's .cpp (the call holds the whole session alive).

    /// run(): `Owner::run(owner)` on the session's strand.
    template <class Owner>
    static asio::awaitable<result<void>> run_of(const std::shared_ptr<Owner>& owner) {
        return on_strand(owner->runtime.strand(), Owner::run(owner));
    }
    /// next() (exsdk::listen_key_session_base): the next update, on the session's strand
    /// (`self`: an aliasing pointer that holds the whole session).
    static asio::awaitable<result<update>> next_of(std::shared_ptr<session_runtime> self,
                                                   std::optional<clock::time_point> deadline) {
        const auto& strand = self->strand();
        return on_strand(strand, next_body(std::move(self), deadline));
    }
    /// The destructor: stop() on the strand; run() then ends with errc::cancelled and next()
    /// drains and reports it.
    template <class Owner>
    static void stop_of(const std::shared_ptr<Owner>& owner) {
        if (owner) {
            asio::dispatch(owner->runtime.strand(), [s = owner] { s->runtime.stop(); });
        }
    }

    /// The listen key in use, for listen_key() from any thread ("" when none).
    void publish_key(std::string key) {
        std::lock_guard lock(stats_mutex_);
        key_ = std::move(key);
    }
    std::string published_key() const {
        std::lock_guard lock(stats_mutex_);
        return key_;
    }

    /// Ends run() (as if cancelled); used when the session is destroyed. On the strand.
    void stop() {
        stopping_ = true;
        stop_.emit(asio::cancellation_type::terminal);
    }

    void push_event(Event ev) {
        update u;
        u.status = session_status::event;
        u.event = std::move(ev);
        if (push(std::move(u))) {
            count(&session_counters::events);
        }
    }

    void push_status(session_status s, std::string detail = {}) {
        if (s == session_status::key_rotated && log_.on(log_level::info)) {
            const std::string key = shorten_key(published_key());
            log_.write(log_level::info, "session.key_rotated",
                       {{"reason", std::string_view(detail)}, {"key", std::string_view(key)}});
        }
        update u;
        u.status = s;
        u.detail = std::move(detail);
        push(std::move(u));
    }

    /// A socket is up: "connected", then "gap" when an earlier one was lost `outage` ago.
    void on_connected(std::optional<clock::duration> outage) {
        count(&session_counters::connects);
        if (log_.on(log_level::info)) {
            const std::string key = shorten_key(published_key());
            log_.write(log_level::info, "session.connected", {{"key", std::string_view(key)}});
        }
        push_status(session_status::connected);
        if (outage) {
            count(&session_counters::gaps);
            update u;
            u.status = session_status::gap;
            u.outage = *outage;
            if (log_.on(log_level::warn)) {
                log_.write(log_level::warn, "session.gap",
                           {{"outage_ms", to_ms(u.outage)}, {"dropped", std::int64_t{0}}});
            }
            u.detail = "events may have been missed: re-sync from REST";
            push(std::move(u));
        }
    }

    /// The socket went away (for `why`, or a planned rotation when `planned`).
    void on_disconnected(const std::string& why, bool planned) {
        if (!planned) {
            count(&session_counters::disconnects);
        }
        if (log_.on(planned ? log_level::info : log_level::warn)) {
            const std::string reason = loggable_text(why, published_key());
            log_.write(planned ? log_level::info : log_level::warn, "session.disconnected",
                       {{"reason", std::string_view(reason)}, {"planned", planned}});
        }
        push_status(session_status::disconnected, why);
    }

    /// Reports "reconnecting" and waits the backoff of reconnect attempt `attempt` (1-based: the
    /// failures since the last connect), at least until `not_before`. False when cancelled.
    asio::awaitable<bool> backoff(std::size_t attempt,
                                  std::optional<clock::wall_time> not_before = {}) {
        const double j = std::clamp(policy_.jitter, 0.0, 1.0);
        auto delay = std::chrono::duration_cast<clock::duration>(
            policy_.delay(attempt) *
            (1.0 - j * std::uniform_real_distribution<double>(0.0, 1.0)(rng_)));
        if (not_before) {
            delay = std::max(delay, std::chrono::duration_cast<clock::duration>(
                                        *not_before - clock_->wall_now()));
        }
        if (log_.on(log_level::info)) {
            log_.write(
                log_level::info, "session.reconnecting",
                {{"backoff_ms", to_ms(delay)}, {"failures", static_cast<std::int64_t>(attempt)}});
        }
        update u;
        u.status = session_status::reconnecting;
        u.backoff = delay;
        push(std::move(u));
        timer t(ex_, clock_);
        t.expires_after(delay);
        auto [ec] = co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
        co_return !ec;
    }

private:
    static asio::awaitable<result<update>> next_body(std::shared_ptr<session_runtime> self,
                                                     std::optional<clock::time_point> deadline) {
        co_await asio::this_coro::throw_if_cancelled(false);
        co_return co_await self->updates_.pop(deadline);
    }

    bool push(update u) {
        if (!updates_.push(std::move(u))) {
            count(&session_counters::dropped);
            return false;
        }
        return true;
    }

    object_strand strand_;
    asio::any_io_executor ex_; // strand_, type-erased
    std::shared_ptr<clock> clock_;
    logger log_;
    reconnect_policy policy_;
    event_queue<update> updates_;
    std::mt19937_64 rng_;
    asio::cancellation_signal stop_;
    bool stopping_ = false;
    mutable std::mutex stats_mutex_; // guards stats_ and key_, read from any thread
    session_counters stats_;
    std::string key_;
    std::atomic<std::size_t> extends_{0};
};

} // namespace exsdk::detail

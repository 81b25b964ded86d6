// What both account streams share (private to the SDK): the websocket of the current connection,
// its reader loop and optional client heartbeat, commands awaiting their acks, and the FIFO of
// events for next(). The exchange-specific part is handle() (a frame arrived) and
// heartbeat_frame().
//
// The event FIFO is bounded (exsdk/overflow_policy.hpp): with the block policy the reader stops
// reading the socket while it is full; with drop, next() reports errc::events_dropped in order.
//
// Each connection is one `connection` object owned by its reader and heartbeat coroutines. They
// stop when it is shut (socket closed, timer cancelled, `live` cleared), never through shared
// cancellation slots, so a reconnect can never touch the previous connection's coroutines.
//
// Threads: everything here runs on the stream's own strand (object_strand.hpp); the public
// stream classes hop onto it with on_strand(). Only connected() and the queue's size() may be
// read from other threads (atomics).
#pragma once

#include "detail/event_queue.hpp"
#include "detail/logger.hpp"
#include "detail/object_strand.hpp"
#include "http/base_url.hpp"
#include "ws/websocket_connection.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include <atomic>
#include <map>
#include <memory>
#include <string>

namespace exsdk::detail {

template <class Event, class Ack>
class event_stream : public std::enable_shared_from_this<event_stream<Event, Ack>> {
public:
    struct timing {
        clock::duration connect_timeout;
        clock::duration idle_timeout;       ///< no frame for this long: the socket is dead
        clock::duration heartbeat_interval; ///< 0: the client sends no heartbeat
        clock::duration command_timeout;
    };

    struct queue_bound {
        std::size_t max_queued; ///< events received and not yet taken by next()
        overflow_policy overflow;
    };

    /// `ex` is the user's executor; the stream runs on a strand over it. `source`: the log
    /// source ("woox.stream", static text).
    event_stream(const asio::any_io_executor& ex, const tls_config& tls, std::shared_ptr<clock> clk,
                 timing t, queue_bound q, const log_config& log, std::string_view source)
        : strand_(make_object_strand(ex)), ex_(strand_), tls_(tls),
          clock_(clk ? std::move(clk) : system_clock()), log_(log, source, clock_), timing_(t),
          events_(ex_, clock_, q.max_queued, q.overflow, [max = q.max_queued](std::size_t n) {
              return result<Event>(error(errc::events_dropped,
                                         std::to_string(n) +
                                             " events dropped: next() did not keep up "
                                             "(max_queued_events " +
                                             std::to_string(max) + ", overflow_policy::drop)"));
          }) {
        events_.close(error(errc::network, "the stream is not connected"));
    }
    event_stream(const event_stream&) = delete;
    event_stream& operator=(const event_stream&) = delete;
    virtual ~event_stream() = default;

    const object_strand& strand() const noexcept { return strand_; }
    const asio::any_io_executor& executor() const noexcept { return ex_; }
    const std::shared_ptr<clock>& get_clock() const noexcept { return clock_; }
    /// Thread-safe.
    bool connected() const noexcept { return connected_.load(std::memory_order_acquire); }
    event_queue<Event>& events() noexcept { return events_; }

    asio::awaitable<result<void>> open(const base_url& url, std::string target) {
        if (conn_) {
            shut(error(errc::cancelled, "reconnecting"));
        }
        auto c = std::make_shared<connection>(ex_, tls_, clock_);
        const std::string shown = log_.on(log_level::info) ? display_path(target, true) : "";
        const std::string key(key_param(target));
        auto r = co_await c->ws.connect(url, std::move(target), timing_.connect_timeout);
        if (!r) {
            if (log_.on(log_level::warn) && !r.error().is(errc::cancelled)) {
                const auto& e = r.error();
                const std::string message = loggable_text(e.message, key);
                log_.write(
                    log_level::warn, "stream.connect_failed",
                    {{"url", std::string_view(shown)},
                     {"code", std::string_view(to_string(static_cast<errc>(e.code.value())))},
                     {"status", std::int64_t{e.http_status}},
                     {"message", std::string_view(message)}});
            }
            co_return r;
        }
        if (log_.on(log_level::info)) {
            log_.write(log_level::info, "stream.connected", {{"url", std::string_view(shown)}});
        }
        key_ = key;
        set_connection(c);
        events_.reopen();
        auto self = this->shared_from_this();
        asio::co_spawn(ex_, reader(self, c), asio::detached);
        if (timing_.heartbeat_interval > clock::duration::zero()) {
            asio::co_spawn(ex_, heartbeat(self, c), asio::detached);
        }
        co_return result<void>{};
    }

    /// Sends `text` (a command with `id`) and waits for answer(id, ...) or the timeout.
    asio::awaitable<result<Ack>> command(const std::string& id, std::string text) {
        if (!conn_) {
            co_return error(errc::network, "the stream is not connected");
        }
        auto& cmd = *pending_.emplace(id, std::make_unique<pending_command>(ex_)).first->second;
        auto w = co_await send(std::move(text));
        if (w) {
            timer t(ex_, clock_);
            t.expires_after(timing_.command_timeout);
            auto r = co_await race_deadline(t, cmd.answered.async_acquire(asio::deferred));
            if (!cmd.outcome) {
                cmd.outcome = deadline_error(r) == asio::error::timed_out
                                  ? error(errc::timeout, "no answer to the command")
                                  : error(errc::cancelled, "the command was cancelled");
            }
        } else {
            cmd.outcome = w.error();
        }
        auto outcome = std::move(*cmd.outcome);
        pending_.erase(id);
        co_return outcome;
    }

    /// Completes the command `id` (from handle()).
    void answer(const std::string& id, result<Ack> outcome) {
        auto it = pending_.find(id);
        if (it != pending_.end() && !it->second->outcome) {
            it->second->outcome = std::move(outcome);
            it->second->answered.release();
        }
    }

    /// Sends a frame on the current connection without waiting for an answer.
    asio::awaitable<result<void>> send(std::string text) {
        auto c = conn_;
        if (!c) {
            co_return error(errc::network, "the stream is not connected");
        }
        co_return co_await c->ws.write_text(std::move(text));
    }

    /// Ends the current connection at once: pending commands and next() see `why`.
    void shut(const error& why) {
        if (auto c = take_connection()) {
            c->stop();
            c->ws.abort();
        }
        fail_waiters(why);
    }

    /// Sends a close frame (bounded) and ends the connection; next() then reports cancelled.
    asio::awaitable<void> close() {
        if (auto c = take_connection()) {
            c->stop();
            fail_waiters(error(errc::cancelled, "the stream was closed"));
            co_await c->ws.close(std::chrono::seconds(1));
        }
    }

    void abort() { shut(error(errc::cancelled, "the stream was destroyed")); }

    // The bodies of the public next() and close() of both streams, run on the strand (`self`
    // keeps the stream alive).
    static asio::awaitable<result<Event>> next_body(std::shared_ptr<event_stream> self,
                                                    std::optional<clock::time_point> deadline) {
        co_await asio::this_coro::throw_if_cancelled(false);
        co_return co_await self->events_.pop(deadline);
    }
    static asio::awaitable<void> close_body(std::shared_ptr<event_stream> self) {
        co_await asio::this_coro::throw_if_cancelled(false);
        co_await self->close();
    }

protected:
    /// A frame arrived on the current connection.
    virtual void handle(websocket_message& msg) = 0;
    /// The client heartbeat to send every heartbeat_interval.
    virtual std::string heartbeat_frame() { return {}; }

private:
    // One websocket connection and what keeps it alive; owned by its coroutines.
    struct connection {
        connection(const asio::any_io_executor& ex, const tls_config& tls,
                   const std::shared_ptr<clock>& clk)
            : ws(ex, tls, clk), heartbeat_timer(ex, clk) {}
        void stop() {
            live = false;
            heartbeat_timer.cancel();
        }
        websocket_connection ws;
        timer heartbeat_timer;
        bool live = true;
    };

    struct pending_command {
        explicit pending_command(asio::any_io_executor ex) : answered(std::move(ex), 0) {}
        async_semaphore answered;
        std::optional<result<Ack>> outcome;
    };

    void log_disconnected(const error& e) const {
        if (!log_.on(log_level::warn)) {
            return;
        }
        const std::string message = loggable_text(e.message, key_);
        log_.write(log_level::warn, "stream.disconnected",
                   {{"code", std::string_view(to_string(static_cast<errc>(e.code.value())))},
                    {"close_code", e.exchange_code},
                    {"message", std::string_view(message)}});
    }

    void set_connection(std::shared_ptr<connection> c) {
        conn_ = std::move(c);
        connected_.store(conn_ != nullptr, std::memory_order_release);
    }
    std::shared_ptr<connection> take_connection() {
        connected_.store(false, std::memory_order_release);
        return std::exchange(conn_, nullptr);
    }

    void fail_waiters(const error& why) {
        for (auto& [id, cmd] : pending_) {
            if (!cmd->outcome) {
                cmd->outcome = why;
                cmd->answered.release();
            }
        }
        events_.close(why);
    }

    static asio::awaitable<void> reader(std::shared_ptr<event_stream> self,
                                        std::shared_ptr<connection> c) {
        co_await asio::this_coro::throw_if_cancelled(false);
        for (;;) {
            if (!self->events_.has_room()) {
                // Block policy: stop reading until next() makes room; the socket backs up.
                (void)co_await self->events_.wait_for_room();
                if (!c->live) {
                    co_return; // shut or closed meanwhile (which wakes the wait)
                }
            }
            auto msg = co_await c->ws.read(self->timing_.idle_timeout);
            if (!c->live) {
                co_return; // shut or closed meanwhile
            }
            if (!msg) {
                self->log_disconnected(msg.error());
                self->shut(msg.error()); // the socket died: report why
                co_return;
            }
            self->handle(*msg);
        }
    }

    static asio::awaitable<void> heartbeat(std::shared_ptr<event_stream> self,
                                           std::shared_ptr<connection> c) {
        co_await asio::this_coro::throw_if_cancelled(false);
        for (;;) {
            c->heartbeat_timer.expires_after(self->timing_.heartbeat_interval);
            auto [ec] = co_await c->heartbeat_timer.async_wait(asio::as_tuple(asio::use_awaitable));
            if (ec || !c->live) {
                co_return;
            }
            if (!co_await c->ws.write_text(self->heartbeat_frame())) {
                co_return; // the reader sees the broken socket and reports it
            }
        }
    }

    object_strand strand_;
    asio::any_io_executor ex_; // strand_, type-erased (what timers and sockets take)
    tls_config tls_;
    std::shared_ptr<clock> clock_;
    logger log_;
    std::string key_; // of the current connection, to keep it out of logged texts
    timing timing_;
    event_queue<Event> events_;
    std::map<std::string, std::unique_ptr<pending_command>> pending_;
    std::shared_ptr<connection> conn_; // the current connection, if any
    std::atomic<bool> connected_{false};
};

} // namespace exsdk::detail

// What both account streams share (private to the SDK): one websocket, the reader loop, an
// optional client heartbeat, commands awaiting their acks, and the FIFO of events for next().
// The exchange-specific part is handle() (a frame arrived) and heartbeat_frame().
#pragma once

#include "detail/event_queue.hpp"

#include <exsdk/detail/base_url.hpp>
#include <exsdk/detail/websocket_connection.hpp>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include <map>
#include <memory>
#include <string>

namespace exsdk::detail {

template <class Event, class Ack>
class stream_core : public std::enable_shared_from_this<stream_core<Event, Ack>> {
public:
    struct timing {
        clock::duration connect_timeout;
        clock::duration idle_timeout;       ///< no frame for this long: the socket is dead
        clock::duration heartbeat_interval; ///< 0: the client sends no heartbeat
        clock::duration command_timeout;
    };

    stream_core(asio::any_io_executor ex, const tls_config& tls, std::shared_ptr<clock> clk,
                timing t)
        : ex_(std::move(ex)), clock_(clk ? std::move(clk) : system_clock()), timing_(t),
          ws_(ex_, tls, clock_), events_(ex_, clock_) {
        events_.close(error(errc::network, "the stream is not connected"));
    }
    stream_core(const stream_core&) = delete;
    stream_core& operator=(const stream_core&) = delete;
    virtual ~stream_core() = default;

    const asio::any_io_executor& executor() const noexcept { return ex_; }
    const std::shared_ptr<clock>& get_clock() const noexcept { return clock_; }
    bool connected() const noexcept { return connected_; }
    event_queue<Event>& events() noexcept { return events_; }

    asio::awaitable<result<void>> open(const base_url& url, std::string target) {
        if (connected_) {
            shut(error(errc::cancelled, "reconnecting"));
            ws_.abort();
        }
        auto r = co_await ws_.connect(url, std::move(target), timing_.connect_timeout);
        if (!r) {
            co_return r;
        }
        ++generation_;
        connected_ = true;
        events_.reopen();
        auto self = this->shared_from_this();
        asio::co_spawn(ex_, reader(self, generation_),
                       asio::bind_cancellation_slot(stop_reader_.slot(), asio::detached));
        if (timing_.heartbeat_interval > clock::duration::zero()) {
            asio::co_spawn(ex_, heartbeat(self, generation_),
                           asio::bind_cancellation_slot(stop_heartbeat_.slot(), asio::detached));
        }
        co_return result<void>{};
    }

    /// Sends `text` (a command with `id`) and waits for answer(id, ...) or the timeout.
    asio::awaitable<result<Ack>> command(const std::string& id, std::string text) {
        if (!connected_) {
            co_return error(errc::network, "the stream is not connected");
        }
        auto& cmd = *pending_.emplace(id, std::make_unique<pending_command>(ex_)).first->second;
        auto w = co_await ws_.write_text(std::move(text));
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

    /// Sends a frame without waiting for an answer (heartbeat replies).
    asio::awaitable<result<void>> send(std::string text) {
        co_return co_await ws_.write_text(std::move(text));
    }

    /// Ends the current connection: pending commands and next() see `why`.
    void shut(const error& why) {
        ++generation_;
        connected_ = false;
        for (auto& [id, cmd] : pending_) {
            if (!cmd->outcome) {
                cmd->outcome = why;
                cmd->answered.release();
            }
        }
        events_.close(why);
        stop_reader_.emit(asio::cancellation_type::terminal);
        stop_heartbeat_.emit(asio::cancellation_type::terminal);
    }

    asio::awaitable<void> close() {
        if (connected_) {
            shut(error(errc::cancelled, "the stream was closed"));
            co_await ws_.close(std::chrono::seconds(1));
        }
    }

    void abort() {
        if (connected_) {
            shut(error(errc::cancelled, "the stream was destroyed"));
        }
        ws_.abort();
    }

protected:
    /// A frame arrived on the current connection.
    virtual void handle(websocket_message& msg) = 0;
    /// The client heartbeat to send every heartbeat_interval.
    virtual std::string heartbeat_frame() { return {}; }

private:
    struct pending_command {
        explicit pending_command(asio::any_io_executor ex) : answered(std::move(ex), 0) {}
        async_semaphore answered;
        std::optional<result<Ack>> outcome;
    };

    static asio::awaitable<void> reader(std::shared_ptr<stream_core> self, std::uint64_t gen) {
        co_await asio::this_coro::throw_if_cancelled(false);
        for (;;) {
            auto msg = co_await self->ws_.read(self->timing_.idle_timeout);
            if (gen != self->generation_) {
                co_return; // closed or reconnected meanwhile
            }
            if (!msg) {
                self->ws_.abort();
                self->shut(msg.error());
                co_return;
            }
            self->handle(*msg);
        }
    }

    static asio::awaitable<void> heartbeat(std::shared_ptr<stream_core> self, std::uint64_t gen) {
        co_await asio::this_coro::throw_if_cancelled(false);
        timer t(self->ex_, self->clock_);
        for (;;) {
            t.expires_after(self->timing_.heartbeat_interval);
            auto [ec] = co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
            if (ec || gen != self->generation_) {
                co_return;
            }
            if (!co_await self->ws_.write_text(self->heartbeat_frame())) {
                co_return; // the reader sees the broken socket and reports it
            }
        }
    }

    asio::any_io_executor ex_;
    std::shared_ptr<clock> clock_;
    timing timing_;
    websocket_connection ws_;
    event_queue<Event> events_;
    std::map<std::string, std::unique_ptr<pending_command>> pending_;
    std::uint64_t generation_ = 0; // bumped by every open/shut: old loops notice and stop
    asio::cancellation_signal stop_reader_, stop_heartbeat_;
    bool connected_ = false;
};

} // namespace exsdk::detail

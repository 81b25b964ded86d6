// The websocket half of the account streams: one session per admitted socket, on the server's
// executor. It reads client frames (handled sans-io in stream_frames.cpp), writes one frame at a
// time from its queue (replies, heartbeats, pushes taken from its mailbox), and keeps one
// exsdk::timer wait on the mock's clock for everything time-based. What is due when (idle close,
// socket age, heartbeat, pong timeout, key expiry, the closing handshake's deadline) is decided
// sans-io by stream_timers.hpp; this class feeds it what happens and performs the action it
// returns. A manual clock therefore fires all of them exactly when advanced. Every BingX frame is
// gzip. A socket leaves the registry (no more pushes, not listed, its per-IP slot free) as soon as
// either side starts closing it: our close frame, one Beast sends by itself when it fails the
// connection (seen through observed_stream), or the client's.
// Included only by stream_session.cpp (plain sockets) and stream_session_tls.cpp, each
// instantiating the session once, so the two compile in parallel.
#pragma once

#include "observed_stream.hpp"
#include "stream_session.hpp"
#include "stream_timers.hpp"

#include <exsdk/bingx/protocol.hpp>
#include <exsdk/timer.hpp>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>

#include <algorithm>
#include <deque>
#include <optional>

namespace exsdk::mock::detail {

namespace beast = boost::beast;
namespace websocket = beast::websocket;
using boost::system::error_code;

namespace ws_session {

/// Spot pings remembered for their pongs (a client is dropped long before this many).
constexpr std::size_t max_outstanding_pings = 16;

struct out_frame {
    std::string data;
    bool close = false;
    std::uint16_t code = 0; // close
};

template <class Stream>
class session final : public stream_sink,
                      public write_observer,
                      public std::enable_shared_from_this<session<Stream>> {
public:
    session(shared_state& st, std::shared_ptr<stream_record> rec, Stream& s)
        : st_(st), clock_(st.clock), rec_(std::move(rec)),
          woox_(rec_->kind == stream_kind::woox_private), ws_(s, *this),
          timer_(ws_.get_executor(), clock_), timers_(rec_->kind, st.cfg.close_timeout) {}

    asio::awaitable<void> run(const upgrade_request& req);

    void drain() override {
        auto items = rec_->mailbox.take();
        if (dead_) {
            return;
        }
        for (auto& it : items) {
            switch (it.what) {
            case stream_item::type::frame: enqueue(std::move(it.text)); break;
            case stream_item::type::close: begin_close(it.code, it.text, it.journal); break;
            case stream_item::type::drop: drop(it.journal); break;
            case stream_item::type::key_event: on_key_event(it.event, it.expires_ms); break;
            }
        }
        pump();
    }

private:
    enum class phase {
        handshake, ///< the 101 is being written; frames are queued
        open,      ///< serving
        closing,   ///< our close frame is queued or in flight; nothing else is sent
        gone,      ///< cut (drop, error) or closed by the client
    };

    // ---- output ---------------------------------------------------------------------------
    void enqueue(std::string text) {
        if (phase_ != phase::handshake && phase_ != phase::open) {
            return;
        }
        if (out_.size() >= st_.cfg.stream_max_queued_frames) {
            drop(true, "slow_consumer"); // bounded: a client that does not read is cut
            return;
        }
        out_frame f;
        if (woox_) {
            f.data = std::move(text);
        } else {
            st_.streams.gzip().encode(text, f.data); // every BingX server frame
        }
        out_.push_back(std::move(f));
    }

    void pump() {
        if (!accepted_ || writing_ || finishing_ || out_.empty() || dead_ ||
            phase_ == phase::gone) {
            return;
        }
        writing_ = true;
        auto self = this->shared_from_this();
        auto& f = out_.front();
        if (f.close) {
            ws_.async_close(
                websocket::close_reason(static_cast<websocket::close_code>(f.code), f.data),
                [self](error_code ec) { self->on_written(ec, true); });
        } else {
            ws_.async_write(asio::buffer(f.data),
                            [self](error_code ec, std::size_t) { self->on_written(ec, false); });
        }
    }

    void on_written(error_code ec, bool was_close) {
        writing_ = false;
        if (was_close) {
            out_.clear(); // nothing is sent after the close frame
        } else if (!out_.empty()) {
            out_.pop_front();
        }
        if (ec && !was_close && phase_ != phase::gone) {
            cut(); // the socket is broken; the read loop reports it
        }
        if (idle_waiter_) {
            auto h = std::move(*idle_waiter_);
            idle_waiter_.reset();
            asio::post(ws_.get_executor(), std::move(h));
            return;
        }
        pump();
    }

    /// Waits until no write or close operation is pending on the stream.
    asio::awaitable<void> writer_idle() {
        if (!writing_) {
            co_return;
        }
        co_await asio::async_initiate<const asio::use_awaitable_t<>&, void()>(
            [this](asio::any_completion_handler<void()> h) { idle_waiter_ = std::move(h); },
            asio::use_awaitable);
    }

    void cut() {
        phase_ = phase::gone;
        error_code ignored;
        beast::get_lowest_layer(ws_).close(ignored);
    }

    // ---- closing --------------------------------------------------------------------------
    void journal_close(std::string_view who, std::uint16_t code, std::string_view fault) {
        if (st_.streams.stopping()) {
            return;
        }
        auto e = stream_entry(st_, *rec_, "stream_close");
        e.method = who;
        e.code = code;
        e.fault = fault;
        record_stream(st_, std::move(e));
    }

    /// A close frame with `code` after what is already queued; nothing more is queued.
    /// `fault` is the journal entry's note ("retired": the key was retired by the per-UID bound).
    void begin_close(std::uint16_t code, std::string_view reason, bool journal = true,
                     std::string_view fault = {}) {
        if (phase_ != phase::handshake && phase_ != phase::open) {
            return;
        }
        st_.streams.retire(*rec_);
        if (journal) {
            journal_close("server", code, fault);
        }
        phase_ = phase::closing;
        out_frame f;
        f.close = true;
        f.code = code;
        f.data = reason;
        out_.push_back(std::move(f));
        timers_.closing_began(clock_->now());
        schedule();
        pump();
    }

    /// Called for every write the websocket starts. A write while the websocket is no longer
    /// open and we have not begun a close is Beast's own close frame: it failed the connection
    /// (close 1002, 1007 or 1009) or answers the client's close. Either way the socket leaves
    /// the registry now and the closing handshake gets close_timeout on the mock's clock.
    void on_lower_write(asio::const_buffer first) override {
        if (phase_ != phase::open || ws_.is_open()) {
            return;
        }
        st_.streams.retire(*rec_);
        if (!peer_closed_) {
            // Journaled before the close frame is written, like our own closes.
            journal_close("server", close_frame_code(first).value_or(close_code::abnormal), {});
        }
        phase_ = phase::closing;
        // Nothing more is sent (a write already in flight completes or fails by itself).
        out_.erase(writing_ && !out_.empty() ? out_.begin() + 1 : out_.begin(), out_.end());
        timers_.closing_began(clock_->now());
        schedule(); // not pump(): we are inside Beast's operation
    }

    /// TCP close without a close frame (network loss).
    void drop(bool journal, std::string_view fault = "drop") {
        if (phase_ == phase::gone) {
            return;
        }
        st_.streams.retire(*rec_);
        if (journal) {
            journal_close("server", close_code::abnormal, fault);
        }
        cut();
    }

    /// Does what stream_timers asked; `now`/`wall` are the instant it was asked at.
    void perform(const timer_action& a, clock::time_point now, std::int64_t wall,
                 std::string_view fault = {}) {
        switch (a.what) {
        case timer_action::type::none: break;
        case timer_action::type::send_ping:
            send_ping(wall);
            timers_.ping_sent(now);
            break;
        case timer_action::type::expire_key:
            // BingX: the event, then the close; nothing after it.
            enqueue(listen_key_expired_frame(rec_->listen_key, clock_->wall_ms()));
            begin_close(a.code, a.reason, true, fault);
            break;
        case timer_action::type::close: begin_close(a.code, a.reason, true, fault); break;
        case timer_action::type::cut: cut(); break; // the client never finished the handshake
        }
    }

    void on_key_event(listen_key_event ev, std::int64_t expires_ms) {
        const auto a = timers_.key_event(ev, expires_ms);
        if (ev == listen_key_event::extended) {
            schedule();
            return;
        }
        // A key retired by the per-UID bound ends exactly as on expiry, noted in the journal.
        perform(a, clock_->now(), clock_->wall_ms(),
                ev == listen_key_event::retired ? "retired" : "");
    }

    // ---- the timer ------------------------------------------------------------------------
    /// Keeps one wait outstanding for the earliest deadline. A wait that fires early (a
    /// deadline moved later) just re-arms, so activity costs no timer operations.
    void schedule() {
        if (dead_ || (phase_ != phase::open && phase_ != phase::closing)) {
            return;
        }
        const auto d = timers_.next_deadline(clock_->now(), clock_->wall_ms());
        if (waiting_ && wait_expiry_ <= d) {
            return;
        }
        waiting_ = true;
        wait_expiry_ = d;
        const auto gen = ++wait_gen_;
        timer_.expires_at(d); // a superseded wait completes with a stale generation
        timer_.async_wait(
            [self = this->shared_from_this(), gen](error_code ec) { self->on_timer(ec, gen); });
    }

    void on_timer(error_code ec, std::uint64_t gen) {
        if (gen != wait_gen_) {
            return;
        }
        waiting_ = false;
        if (ec || dead_) {
            return;
        }
        if (phase_ == phase::open || phase_ == phase::closing) {
            const auto now = clock_->now();
            const auto wall = clock_->wall_ms();
            perform(timers_.on_timer(now, wall), now, wall);
        }
        pump();
        schedule();
    }

    void send_ping(std::int64_t wall) {
        if (rec_->kind == stream_kind::bingx_swap) {
            enqueue(std::string(bingx::protocol::swap_ping));
            return;
        }
        auto id = st_.streams.next_ping_id();
        auto time = iso8601_ms(wall);
        auto frame = spot_ping_frame(id, time);
        if (pings_.outstanding.size() >= max_outstanding_pings) {
            pings_.outstanding.pop_front();
        }
        pings_.outstanding.emplace_back(std::move(id), std::move(time));
        enqueue(std::move(frame));
    }

    // ---- input ----------------------------------------------------------------------------
    void on_frame(std::string_view text) {
        if (phase_ != phase::open) {
            return; // closing: the client's last words are not answered
        }
        const auto now = clock_->now();
        timers_.client_activity(now);
        auto r = woox_ ? woox_client_frame(st_.streams, *rec_, text, clock_->wall_ms())
                       : bingx_client_frame(st_.streams, *rec_, pings_, text);
        if (r.pong) {
            timers_.valid_pong(now);
        }
        st_.streams.touch(*rec_, clock_->wall_ms(), r.pong);
        if (!r.journal_kind.empty()) {
            // Journaled before the answer is written: a client that has the ack finds the entry.
            auto e = stream_entry(st_, *rec_, r.journal_kind);
            e.method = std::move(r.journal_method);
            e.target = std::move(r.journal_target);
            e.code = r.journal_code;
            record_stream(st_, std::move(e));
        }
        if (!r.reply.empty()) {
            enqueue(std::move(r.reply));
        }
        pump();
    }

    void on_read_error(error_code ec) {
        if (phase_ != phase::handshake && phase_ != phase::open && !peer_closed_) {
            return; // our own close or cut, or a connection Beast failed (journaled then)
        }
        st_.streams.retire(*rec_);
        std::uint16_t code = close_code::abnormal; // vanished without a close frame
        if (peer_closed_ || ec == websocket::error::closed) {
            code = ws_.reason().code == websocket::close_code::none
                       ? std::uint16_t{1005} // a close frame without a status code
                       : static_cast<std::uint16_t>(ws_.reason().code);
        }
        // Journaled in finish(), once the socket's per-IP slot is free again.
        client_close_ = code;
        phase_ = phase::gone;
    }

    asio::awaitable<void> finish() {
        if (phase_ != phase::closing && phase_ != phase::gone) {
            phase_ = phase::gone;
        }
        if (phase_ == phase::gone) {
            error_code ignored;
            beast::get_lowest_layer(ws_).close(ignored); // aborts a pending write
        }
        finishing_ = true;
        co_await writer_idle(); // a closing handshake ends by itself or at its deadline
        dead_ = true;
        st_.streams.retire(*rec_);
        if (client_close_) {
            journal_close("client", *client_close_, {});
        }
        st_.unwatch_listen_key(rec_->watch_id);
        rec_->mailbox.detach();
        timer_.cancel();
        out_.clear();
    }

    shared_state& st_;
    std::shared_ptr<exsdk::clock> clock_;
    std::shared_ptr<stream_record> rec_;
    const bool woox_;
    websocket::stream<observed_stream<Stream>> ws_;
    exsdk::timer timer_;
    phase phase_ = phase::handshake;
    bool accepted_ = false;
    bool writing_ = false;
    bool finishing_ = false;
    bool dead_ = false;
    bool peer_closed_ = false; ///< the client's close frame arrived (Beast answers it)
    std::deque<out_frame> out_;
    std::optional<asio::any_completion_handler<void()>> idle_waiter_;
    std::optional<std::uint16_t> client_close_; ///< the client closed (or vanished) with this

    stream_timers timers_; ///< what is due when, on the mock's clock
    ping_tracker pings_;

    bool waiting_ = false;
    clock::time_point wait_expiry_{};
    std::uint64_t wait_gen_ = 0;
};

template <class Stream>
asio::awaitable<void> session<Stream>::run(const upgrade_request& req) {
    auto self = this->shared_from_this();
    ws_.set_option(websocket::stream_base::timeout{websocket::stream_base::none(),
                                                   websocket::stream_base::none(), false});
    ws_.set_option(websocket::stream_base::decorator(
        [](websocket::response_type& res) { res.set(beast::http::field::server, "exsdk-mock"); }));
    ws_.read_message_max(st_.cfg.max_body_bytes);
    ws_.auto_fragment(false);
    ws_.binary(!woox_);
    ws_.control_callback([this](websocket::frame_type kind, beast::string_view) {
        if (kind == websocket::frame_type::close) {
            peer_closed_ = phase_ == phase::open; // else it answers our close
        } else {
            timers_.client_activity(clock_->now()); // a client ping or pong counts as activity
        }
    });
    timers_.opened(clock_->now());
    {
        std::lock_guard lock(st_.mutex); // written by key watchers, which run under this lock
        timers_.key_expires(rec_->key_expires_ms);
    }
    rec_->mailbox.attach(ws_.get_executor(), this->weak_from_this());

    auto [ec] = co_await ws_.async_accept(req, asio::as_tuple(asio::use_awaitable));
    if (ec) {
        on_read_error(ec);
    } else {
        accepted_ = true;
        if (phase_ == phase::handshake) {
            phase_ = phase::open;
        }
        schedule();
        pump(); // what was queued during the handshake
        beast::flat_buffer buffer;
        for (;;) {
            auto [rec, n] = co_await ws_.async_read(buffer, asio::as_tuple(asio::use_awaitable));
            if (rec) {
                on_read_error(rec);
                break;
            }
            const auto data = buffer.cdata();
            on_frame(std::string_view(static_cast<const char*>(data.data()), n));
            buffer.consume(buffer.size());
        }
    }
    co_await finish();
}

template <class Stream>
asio::awaitable<void> run(shared_state& st, std::shared_ptr<stream_record> rec, Stream& stream,
                          const upgrade_request& req) {
    auto s = std::make_shared<session<Stream>>(st, std::move(rec), stream);
    co_await s->run(req);
}

} // namespace ws_session

} // namespace exsdk::mock::detail

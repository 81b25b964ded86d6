#include "detail/session_core.hpp"

#include <exsdk/woox/client.hpp>
#include <exsdk/woox/listen_key_session.hpp>
#include <exsdk/woox/protocol.hpp>

#include <boost/asio/dispatch.hpp>

namespace exsdk::woox {

struct listen_key_session::impl {
    client rest; // shares the caller's client (its state lives as long as the session needs it)
    session_config cfg;
    detail::session_core<stream_event> core;
    private_stream stream; // on a strand over the session's: its calls from here run inline
    std::optional<woox::listen_key> key;

    // The stream shares the client's clock; the session logs to its own sink, else the
    // client's, and its stream to the stream's own, else the session's.
    static session_config with_client_clock(session_config c, const client& rest) {
        c.stream.clock = rest.get_config().clock;
        if (!c.log.sink) {
            c.log = rest.get_config().log;
        }
        if (!c.stream.log.sink) {
            c.stream.log = c.log;
        }
        return c;
    }

    impl(client r, session_config c)
        : rest(std::move(r)), cfg(with_client_clock(std::move(c), rest)),
          core(rest.get_executor(), cfg.stream.clock, cfg.reconnect, cfg.max_queued_updates,
               cfg.overflow, cfg.log, "woox.session"),
          stream(core.executor(), decltype(core)::blocking(cfg.stream)) {}

    void set_key(std::optional<woox::listen_key> k) {
        key = std::move(k);
        core.publish_key(key ? key->auth_key : std::string());
    }

    // Wall time after which the key must be replaced.
    clock::wall_time rotation_time() const {
        return key->expired_time() -
               std::chrono::duration_cast<clock::wall_time::duration>(cfg.rotate_before_expiry);
    }

    bool key_usable() const { return key && core.get_clock()->wall_now() < rotation_time(); }

    static asio::awaitable<result<void>> run(std::shared_ptr<impl> self) {
        co_await asio::this_coro::throw_if_cancelled(false);
        auto ended = co_await self->core.run_stoppable(self->loop());
        co_await self->stream.close();
        self->core.updates().close(ended ? error(errc::cancelled, "the session ended")
                                         : ended.error());
        co_return ended;
    }

    // The lifecycle; returns when cancelled (errc::cancelled) or on a fatal error.
    asio::awaitable<result<void>> loop() {
        co_await asio::this_coro::throw_if_cancelled(false);
        bool rotating = false;
        for (;;) {
            if (!co_await core.wait_for_room()) { // block policy: the application catches up
                co_return error(errc::cancelled, "the session was cancelled");
            }
            // 1. A key: reuse a valid one, create one otherwise.
            if (!key_usable()) {
                auto created = co_await rest.create_listen_key();
                if (!created) {
                    const auto& e = created.error();
                    if (e.is(errc::cancelled) || detail::is_fatal_session_error(e)) {
                        co_return e;
                    }
                    if (!co_await core.backoff(e.retry_after)) {
                        co_return error(errc::cancelled, "the session was cancelled");
                    }
                    continue;
                }
                const bool replaced = core.stats().keys_created > 0;
                set_key(std::move(*created));
                core.count(&session_counters::keys_created);
                if (replaced) {
                    core.push_status(session_status::key_rotated,
                                     rotating ? "planned rotation before expiredTime"
                                              : "the previous key was refused");
                }
                rotating = false;
            }
            // 2. Connect and subscribe.
            auto up = co_await stream.connect(key->auth_key);
            if (up) {
                auto topics = co_await stream.subscribe(cfg.topics);
                if (!topics) {
                    up = topics.error();
                    co_await stream.close();
                }
            }
            if (!up) {
                if (up.error().is(errc::cancelled)) {
                    co_return up.error();
                }
                if (up.error().is(errc::unauthorized) || up.error().is(errc::not_found)) {
                    set_key(std::nullopt); // refused: expired or replaced elsewhere
                }
                if (!co_await core.backoff()) {
                    co_return error(errc::cancelled, "the session was cancelled");
                }
                continue;
            }
            core.on_connected();
            // 3. Deliver events until the socket dies or the key must rotate.
            const auto rotate_in = rotation_time() - core.get_clock()->wall_now();
            const auto rotate_at =
                core.get_clock()->now() + std::chrono::duration_cast<clock::duration>(rotate_in);
            for (;;) {
                // While the application is behind, the rotation waits too (no deadline on the
                // room): the socket's events stay in order before it.
                auto ev = co_await core.next_event(stream, rotate_at, std::nullopt);
                if (ev) {
                    core.push_event(std::move(*ev));
                    continue;
                }
                if (ev.error().is(errc::timeout) && stream.is_open()) {
                    rotating = true; // planned: the key is about to expire
                    set_key(std::nullopt);
                    co_await stream.close();
                    core.on_disconnected("rotating the listen key before it expires", true);
                    break;
                }
                if (ev.error().is(errc::cancelled) && stream.is_open()) {
                    co_return ev.error(); // run() itself was cancelled
                }
                if (ev.error().exchange_code == protocol::key_gone_close_code) {
                    set_key(std::nullopt); // replaced, expired or revoked: reconnecting with it is
                                           // futile
                }
                core.on_disconnected(ev.error().message, false);
                break;
            }
            if (!rotating && !co_await core.backoff()) {
                co_return error(errc::cancelled, "the session was cancelled");
            }
        }
    }
};

listen_key_session::listen_key_session(client& rest, session_config cfg)
    : impl_(std::make_shared<impl>(client(rest.impl_), std::move(cfg))) {}

listen_key_session::~listen_key_session() {
    if (impl_) {
        // run() ends with errc::cancelled; next() drains and then reports it.
        asio::dispatch(impl_->core.strand(), [self = impl_] { self->core.stop(); });
    }
}

asio::awaitable<result<void>> listen_key_session::run() {
    return detail::on_strand(impl_->core.strand(), impl::run(impl_));
}

asio::awaitable<result<session_update>>
listen_key_session::next(std::optional<clock::time_point> deadline) {
    using core_type = decltype(impl_->core);
    return detail::on_strand(
        impl_->core.strand(),
        core_type::next_body(std::shared_ptr<core_type>(impl_, &impl_->core), deadline));
}

std::string listen_key_session::listen_key() const {
    return impl_->core.published_key();
}

session_counters listen_key_session::stats() const {
    return impl_->core.stats();
}
std::size_t listen_key_session::queued() const {
    return impl_->core.updates().size();
}

} // namespace exsdk::woox

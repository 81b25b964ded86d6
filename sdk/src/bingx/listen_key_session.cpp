#include "detail/session_core.hpp"
#include "detail/with_deadline.hpp"

#include <exsdk/bingx/client.hpp>
#include <exsdk/bingx/listen_key_session.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/dispatch.hpp>

#include <atomic>

namespace exsdk::bingx {

struct listen_key_session::impl {
    client rest; // shares the caller's client (its state lives as long as the session needs it)
    session_config cfg;
    detail::session_core<stream_event> core;
    account_stream stream; // on a strand over the session's: its calls from here run inline
    std::optional<std::string> key;
    clock::time_point next_extend{};
    std::atomic<std::size_t> extends{0};

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
               cfg.overflow, cfg.log, "bingx.session"),
          stream(core.executor(), decltype(core)::blocking(cfg.stream)) {}

    void set_key(std::optional<std::string> k) {
        key = std::move(k);
        core.publish_key(key.value_or(std::string()));
    }

    const std::shared_ptr<clock>& clk() const { return core.get_clock(); }

    static asio::awaitable<result<void>> run(std::shared_ptr<impl> self) {
        co_await asio::this_coro::throw_if_cancelled(false);
        auto ended = co_await self->core.run_stoppable(self->loop());
        co_await self->stream.close();
        co_await asio::this_coro::reset_cancellation_state();
        co_await self->delete_key();
        self->core.updates().close(ended ? error(errc::cancelled, "the session ended")
                                         : ended.error());
        co_return ended;
    }

    // DELETE on the way out, bounded: a stuck exchange must not hold shutdown.
    asio::awaitable<void> delete_key() {
        if (!key || !cfg.delete_on_shutdown) {
            set_key(std::nullopt);
            co_return;
        }
        timer t(core.executor(), clk());
        t.expires_after(cfg.shutdown_timeout);
        (void)co_await detail::race_deadline(
            t, asio::co_spawn(core.executor(), rest.delete_listen_key(*key), asio::deferred));
        set_key(std::nullopt);
    }

    // Extends when due. Returns false when the key is gone (404) and must be replaced; throws
    // nothing; a cancelled PUT is reported through `cancelled`.
    asio::awaitable<bool> extend_if_due(bool& cancelled) {
        if (!key || clk()->now() < next_extend) {
            co_return true;
        }
        auto r = co_await rest.extend_listen_key(*key);
        if (r) {
            ++extends;
            next_extend = clk()->now() + cfg.extend_interval;
            co_return true;
        }
        if (r.error().is(errc::cancelled)) {
            cancelled = true;
            co_return true;
        }
        if (r.error().is(errc::not_found)) {
            co_return false; // lapsed or deleted: a new key is needed
        }
        next_extend = clk()->now() + cfg.extend_retry; // 5xx, network: the key lives on
        co_return true;
    }

    asio::awaitable<result<void>> loop() {
        co_await asio::this_coro::throw_if_cancelled(false);
        bool rotating = false;    // the key lapsed while connected: replace it, no backoff
        const char* why_new = ""; // why the previous key was dropped (key_rotated's text)
        for (;;) {
            if (!co_await core.wait_for_room()) { // block policy: the application catches up
                co_return error(errc::cancelled, "the session was cancelled");
            }
            // 1. A key, kept extended even while no socket is up (and checked after a lost
            //    socket: a key deleted elsewhere is replaced before any futile reconnect).
            bool cancelled = false;
            if (!co_await extend_if_due(cancelled)) {
                set_key(std::nullopt);
                why_new = "the previous key is gone (404 on extend)";
            }
            if (cancelled) {
                co_return error(errc::cancelled, "the session was cancelled");
            }
            if (!key) {
                auto generated = co_await rest.generate_listen_key();
                if (!generated) {
                    const auto& e = generated.error();
                    if (e.is(errc::cancelled) || detail::is_fatal_session_error(e)) {
                        co_return e;
                    }
                    if (!co_await core.backoff(e.retry_after)) {
                        co_return error(errc::cancelled, "the session was cancelled");
                    }
                    continue;
                }
                const bool replaced = core.stats().keys_created > 0;
                set_key(std::move(generated->key));
                core.count(&session_counters::keys_created);
                next_extend = clk()->now() + cfg.extend_interval;
                if (replaced) {
                    core.push_status(session_status::key_rotated, why_new);
                }
                rotating = false;
            }
            // 2. Connect (spot: subscribe).
            auto up = co_await stream.connect(cfg.market, *key);
            if (up && cfg.market == market::spot) {
                for (const auto& topic : cfg.spot_topics) {
                    if (up = co_await stream.subscribe(topic); !up) {
                        co_await stream.close();
                        break;
                    }
                }
            }
            if (!up) {
                if (up.error().is(errc::cancelled)) {
                    co_return up.error();
                }
                if (up.error().is(errc::unauthorized) || up.error().is(errc::not_found)) {
                    set_key(std::nullopt); // refused: the server no longer knows this key
                    why_new = "the previous key was refused by the stream";
                }
                if (!co_await core.backoff()) {
                    co_return error(errc::cancelled, "the session was cancelled");
                }
                continue;
            }
            core.on_connected();
            // 3. Deliver events; extend on schedule; rotate when the key is gone.
            for (;;) {
                // The key is extended on time also while the application is behind.
                auto ev = co_await core.next_event(stream, next_extend, next_extend);
                if (ev) {
                    const bool expired = std::holds_alternative<listen_key_expired>(ev->data);
                    core.push_event(std::move(*ev));
                    if (expired) {
                        rotating = true;
                        why_new = "the previous key lapsed (listenKeyExpired)";
                        break; // nothing more flows on this socket
                    }
                    continue;
                }
                if (ev.error().is(errc::timeout) && stream.is_open()) {
                    if (!co_await extend_if_due(cancelled)) {
                        rotating = true;
                        why_new = "the previous key is gone (404 on extend)";
                        break;
                    }
                    if (cancelled) {
                        co_return error(errc::cancelled, "the session was cancelled");
                    }
                    continue;
                }
                if (ev.error().is(errc::cancelled) && stream.is_open()) {
                    co_return ev.error();
                }
                core.on_disconnected(ev.error().message, false);
                next_extend = clk()->now(); // check the key before reconnecting with it
                break;
            }
            if (rotating) {
                if (!co_await core.drain(stream)) { // events already received come first
                    co_return error(errc::cancelled, "the session was cancelled");
                }
                set_key(std::nullopt);
                co_await stream.close();
                core.on_disconnected("the listen key lapsed", true);
                continue;
            }
            if (!co_await core.backoff()) {
                co_return error(errc::cancelled, "the session was cancelled");
            }
        }
    }
};

listen_key_session::listen_key_session(client& rest, session_config cfg)
    : impl_(std::make_shared<impl>(client(rest.impl_), std::move(cfg))) {}

listen_key_session::~listen_key_session() {
    if (impl_) {
        // run() ends with errc::cancelled (deleting its key on the way out, bounded by
        // shutdown_timeout); next() drains and then reports it.
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
std::size_t listen_key_session::extends() const {
    return impl_->extends.load();
}

} // namespace exsdk::bingx

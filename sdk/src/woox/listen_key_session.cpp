#include "session/session_driver.hpp"
#include "woox/session_fsm.hpp"

#include <exsdk/woox/client.hpp>
#include <exsdk/woox/listen_key_session.hpp>

namespace exsdk::woox {

// The session's wiring: its configuration, REST client, stream and runtime, and the I/O the
// driver (session/session_driver.hpp) performs for the state machine (woox/session_fsm.hpp),
// which owns the lifecycle.
struct listen_key_session::impl {
    client rest; // shares the caller's client (its state lives as long as the session needs it)
    session_config cfg;
    exsdk::detail::session_runtime<stream_event> runtime;
    private_stream stream_; // on a strand over the session's: its calls from here run inline
    detail::session_fsm fsm;

    impl(client r, session_config c)
        : rest(std::move(r)), cfg(exsdk::detail::with_client_clock(std::move(c), rest)),
          runtime(rest.get_executor(), cfg.stream.clock, cfg.reconnect, cfg.max_queued_updates,
                  cfg.overflow, cfg.log, "woox.session"),
          stream_(runtime.executor(), decltype(runtime)::blocking(cfg.stream)),
          fsm({.rotate_before_expiry = cfg.rotate_before_expiry}) {}

    static asio::awaitable<result<void>> run(std::shared_ptr<impl> self) {
        co_await asio::this_coro::throw_if_cancelled(false);
        co_return co_await exsdk::detail::run_session(self->fsm, *self, self->runtime);
    }

    // The driver's I/O.
    private_stream& stream() { return stream_; }
    static bool key_lapsed(const stream_event&) { return false; } // WOO X: expiredTime tells

    asio::awaitable<result<exsdk::detail::created_key>> create_key() {
        auto created = co_await rest.create_listen_key();
        if (!created) {
            co_return created.error();
        }
        co_return exsdk::detail::created_key{std::move(created->auth_key), created->expired_time()};
    }
    asio::awaitable<result<void>> connect(std::string_view key) { return stream_.connect(key); }
    asio::awaitable<result<void>> subscribe() {
        auto topics = co_await stream_.subscribe(cfg.topics);
        if (!topics) {
            co_return topics.error();
        }
        co_return result<void>();
    }
};

listen_key_session::listen_key_session(client& rest, session_config cfg)
    : listen_key_session(std::make_shared<impl>(client(rest.impl_), std::move(cfg))) {}
listen_key_session::listen_key_session(std::shared_ptr<impl> state)
    : listen_key_session_base(state), impl_(std::move(state)) {}

listen_key_session::~listen_key_session() {
    decltype(impl_->runtime)::stop_of(impl_);
}

asio::awaitable<result<void>> listen_key_session::run() {
    return decltype(impl_->runtime)::run_of(impl_);
}

} // namespace exsdk::woox

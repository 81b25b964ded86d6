#include "bingx/session_fsm.hpp"
#include "session/session_driver.hpp"

#include <exsdk/bingx/client.hpp>
#include <exsdk/bingx/listen_key_session.hpp>

#include <variant>

namespace exsdk::bingx {

// The session's wiring: its configuration, REST client, stream and runtime, and the I/O the
// driver (session/session_driver.hpp) performs for the state machine (bingx/session_fsm.hpp),
// which owns the lifecycle.
struct listen_key_session::impl {
    client rest; // shares the caller's client (its state lives as long as the session needs it)
    session_config cfg;
    exsdk::detail::session_runtime<stream_event> runtime;
    account_stream stream_; // on a strand over the session's: its calls from here run inline
    detail::session_fsm fsm;

    impl(client r, session_config c)
        : rest(std::move(r)), cfg(exsdk::detail::with_client_clock(std::move(c), rest)),
          runtime(rest.get_executor(), cfg.stream.clock, cfg.reconnect, cfg.max_queued_updates,
                  cfg.overflow, cfg.log, "bingx.session"),
          stream_(runtime.executor(), decltype(runtime)::blocking(cfg.stream)),
          fsm({.extend_interval = cfg.extend_interval,
               .extend_retry = cfg.extend_retry,
               .delete_on_shutdown = cfg.delete_on_shutdown,
               .shutdown_timeout = cfg.shutdown_timeout}) {}

    static asio::awaitable<result<void>> run(std::shared_ptr<impl> self) {
        co_await asio::this_coro::throw_if_cancelled(false);
        co_return co_await exsdk::detail::run_session(self->fsm, *self, self->runtime);
    }

    // The driver's I/O.
    account_stream& stream() { return stream_; }
    static bool key_lapsed(const stream_event& ev) {
        return std::holds_alternative<listen_key_expired>(ev.data);
    }

    asio::awaitable<result<exsdk::detail::created_key>> create_key() {
        auto generated = co_await rest.generate_listen_key();
        if (!generated) {
            co_return generated.error();
        }
        co_return exsdk::detail::created_key{std::move(generated->key), std::nullopt};
    }
    asio::awaitable<result<void>> connect(std::string_view key) {
        return stream_.connect(cfg.market, key);
    }
    asio::awaitable<result<void>> subscribe() { // spot only: swap pushes without subscribing
        if (cfg.market == market::spot) {
            for (const auto& topic : cfg.spot_topics) {
                if (auto up = co_await stream_.subscribe(topic); !up) {
                    co_return up;
                }
            }
        }
        co_return result<void>();
    }
    asio::awaitable<result<void>> extend(std::string_view key) {
        return rest.extend_listen_key(key);
    }
    asio::awaitable<result<void>> delete_key(std::string_view key) {
        return rest.delete_listen_key(key);
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

std::size_t listen_key_session::extends() const {
    return impl_->runtime.extends();
}

} // namespace exsdk::bingx

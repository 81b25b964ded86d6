#include "detail/caller_neutral.hpp"
#include "detail/limit_names.hpp"
#include "detail/local_call_limiter.hpp"
#include "detail/request_pipeline.hpp"

#include <exsdk/woox/client.hpp>
#include <exsdk/woox/requests.hpp>
#include <exsdk/woox/responses.hpp>
#include <exsdk/woox/signer.hpp>

#include <array>

namespace exsdk::woox {

namespace {

// The limiter of one endpoint: in process (the default: `shared`, else one of its own) or
// through the configured store.
std::shared_ptr<call_limiter> make_call_limiter(const config& cfg, std::string_view name,
                                                rate_limit limit,
                                                std::shared_ptr<sliding_window_limiter> shared,
                                                const std::shared_ptr<clock>& clk) {
    if (!cfg.limits.enabled) {
        return nullptr;
    }
    if (cfg.limits.store) {
        if (!limit.enabled()) {
            return nullptr;
        }
        const std::string account = cfg.limits.account.empty()
                                        ? detail::default_limit_account(cfg.credentials.api_key)
                                        : cfg.limits.account;
        const named_limit l{std::string(name), limit};
        return cfg.limits.store->make_limiter("woox:" + account, {&l, 1});
    }
    if (!shared && limit.enabled()) {
        shared = std::make_shared<sliding_window_limiter>(limit, clk);
    }
    if (!shared) {
        return nullptr;
    }
    std::array<sliding_window_limiter*, 1> set{shared.get()};
    return std::make_shared<detail::local_call_limiter>(
        set, std::vector<std::shared_ptr<const void>>{std::move(shared)});
}

error missing_credentials() {
    return error(errc::invalid_argument, "WOO X API key and secret are required for this call");
}

// The client's operations (error context, logs, stats()).
constexpr std::array<std::string_view, 3> operations{
    "woox.create_listen_key", "woox.api_key_permissions", "woox.server_time"};
const detail::call_info create_listen_key_call{0, operations[0]};
const detail::call_info api_key_permissions_call{1, operations[1]};
const detail::call_info server_time_call{2, operations[2]};

} // namespace

struct client::impl {
    asio::any_io_executor user_executor;
    config cfg;
    detail::request_pipeline pipeline;
    woox::signer signer;
    std::shared_ptr<call_limiter> listen_key_limits;
    std::shared_ptr<call_limiter> credentials_limits;

    impl(asio::any_io_executor ex, config c)
        : user_executor(std::move(ex)), cfg(std::move(c)),
          pipeline(user_executor, detail::parse_base_url_or_throw(cfg.base_url), cfg.tls,
                   cfg.transport, cfg.retry, cfg.clock_sync, cfg.clock ? cfg.clock : system_clock(),
                   cfg.log, "woox.client", operations),
          signer(cfg.credentials),
          listen_key_limits(make_call_limiter(cfg, "listen_key", cfg.limits.listen_key,
                                              cfg.limits.listen_key_limiter, pipeline.get_clock())),
          credentials_limits(make_call_limiter(cfg, "credentials", cfg.limits.credentials,
                                               cfg.limits.credentials_limiter,
                                               pipeline.get_clock())) {
        cfg.clock = pipeline.get_clock();
        pipeline.set_server_time([this]() { return fetch_server_time(); });
    }

    // One unsigned server-time request (also the clock sync's probe).
    asio::awaitable<result<clock::wall_time>> fetch_server_time() {
        co_return co_await pipeline.run_once<clock::wall_time>(
            server_time_call, requests::system_info(), responses::parse_system_info);
    }

    // The public calls: each returns its request_pipeline::run() coroutine itself (or the
    // rejection), which holds the impl alive and runs in the caller's coroutine.

    static asio::awaitable<result<listen_key>>
    create_listen_key(const std::shared_ptr<impl>& self) {
        if (!self->signer.has_credentials()) {
            return self->pipeline.rejected<listen_key>(self, create_listen_key_call,
                                                       missing_credentials());
        }
        return self->pipeline.run<listen_key>(
            self, create_listen_key_call, self->listen_key_limits.get(),
            [me = self.get()](http_request& req, std::int64_t ts) {
                requests::create_listen_key(req);
                me->signer.sign(req, ts);
            },
            responses::parse_listen_key);
    }

    static asio::awaitable<result<api_key_page>>
    api_key_permissions(const std::shared_ptr<impl>& self, std::int64_t page, std::int64_t size) {
        if (page < 1) {
            return self->pipeline.rejected<api_key_page>(
                self, api_key_permissions_call, error(errc::invalid_argument, "page must be >= 1"));
        }
        if (size < 1 || size > protocol::max_page_size) {
            return self->pipeline.rejected<api_key_page>(
                self, api_key_permissions_call,
                error(errc::invalid_argument, "size must be between 1 and 1000"));
        }
        if (!self->signer.has_credentials()) {
            return self->pipeline.rejected<api_key_page>(self, api_key_permissions_call,
                                                         missing_credentials());
        }
        return self->pipeline.run<api_key_page>(
            self, api_key_permissions_call, self->credentials_limits.get(),
            [me = self.get(), page, size](http_request& req, std::int64_t ts) {
                requests::api_key_permissions(req, page, size);
                me->signer.sign(req, ts);
            },
            responses::parse_api_key_page);
    }

    static asio::awaitable<result<std::vector<api_key_permission>>>
    all_api_key_permissions(std::shared_ptr<impl> self, std::int64_t page_size) {
        std::vector<api_key_permission> all;
        for (std::int64_t page = 1;; ++page) {
            auto r = co_await api_key_permissions(self, page, page_size);
            if (!r) {
                co_return r.error();
            }
            const auto got = static_cast<std::int64_t>(r->rows.size());
            for (auto& row : r->rows) {
                all.push_back(std::move(row));
            }
            // Stop at the reported total, or at a short/empty page (a total that shrank
            // meanwhile).
            if (got == 0 || got < page_size ||
                static_cast<std::int64_t>(all.size()) >= r->meta.total) {
                break;
            }
        }
        co_return all;
    }
};

client::client(asio::any_io_executor ex, config cfg)
    : client(std::make_shared<impl>(std::move(ex), std::move(cfg))) {}
client::client(std::shared_ptr<impl> shared) : rest_client(shared), impl_(std::move(shared)) {}

asio::awaitable<result<listen_key>> client::create_listen_key() {
    return impl::create_listen_key(impl_);
}

asio::awaitable<result<api_key_page>> client::api_key_permissions(std::int64_t page,
                                                                  std::int64_t size) {
    return impl::api_key_permissions(impl_, page, size);
}

asio::awaitable<result<std::vector<api_key_permission>>>
client::all_api_key_permissions(std::int64_t page_size) {
    return detail::caller_neutral(impl::all_api_key_permissions(impl_, page_size));
}

const config& client::get_config() const {
    return impl_->cfg;
}

} // namespace exsdk::woox

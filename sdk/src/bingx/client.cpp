#include "detail/limit_names.hpp"
#include "detail/local_call_limiter.hpp"
#include "detail/request_pipeline.hpp"

#include <exsdk/bingx/client.hpp>
#include <exsdk/bingx/ip_group.hpp>
#include <exsdk/bingx/requests.hpp>
#include <exsdk/bingx/responses.hpp>
#include <exsdk/bingx/signer.hpp>

#include <array>

namespace exsdk::bingx {

namespace {

error missing_credentials() {
    return error(errc::invalid_argument, "BingX API key and secret are required for this call");
}

// Listen keys are 64 hex characters; anything outside [A-Za-z0-9_-] could not be a key and must
// not reach the query string unescaped.
bool plausible_key(std::string_view key) {
    if (key.empty() || key.size() > 256) {
        return false;
    }
    for (char c : key) {
        const bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
                        (c >= 'A' && c <= 'Z') || c == '-' || c == '_';
        if (!ok) {
            return false;
        }
    }
    return true;
}

enum method_index : std::size_t { post_index = 0, put_index = 1, delete_index = 2 };
constexpr std::array<std::string_view, 3> method_names{"POST", "PUT", "DELETE"};

// The client's operations (error context, logs, stats()), the first three by method_index.
constexpr std::array<std::string_view, 4> operations{
    "bingx.generate_listen_key", "bingx.extend_listen_key", "bingx.delete_listen_key",
    "bingx.server_time"};
const std::array<detail::call_info, 3> key_calls{detail::call_info{0, operations[0]},
                                                 detail::call_info{1, operations[1]},
                                                 detail::call_info{2, operations[2]}};
const detail::call_info server_time_call{3, operations[3]};

} // namespace

struct client::impl {
    asio::any_io_executor user_executor;
    config cfg;
    detail::base_url url;
    detail::request_pipeline pipeline;
    bingx::signer signer;
    // The limits of each method's calls (null: none): its UID window first (held back when the
    // exchange names an unblock time), then the IP group and the endpoint's IP limit.
    std::array<std::shared_ptr<call_limiter>, 3> limits;

    impl(asio::any_io_executor ex, config c)
        : user_executor(std::move(ex)), cfg(std::move(c)),
          url(detail::parse_base_url_or_throw(cfg.base_url)),
          pipeline(user_executor, url, cfg.tls, cfg.transport, cfg.retry, cfg.clock_sync,
                   cfg.clock ? cfg.clock : system_clock(), cfg.log, "bingx.client", operations),
          signer(cfg.credentials) {
        cfg.clock = pipeline.get_clock();
        if (cfg.limits.enabled) {
            if (cfg.limits.store) {
                setup_store_limits();
            } else {
                setup_limits();
            }
        }
        pipeline.set_server_time([this]() { return fetch_server_time(); });
    }

    // In process: the UID limiter(s) (one shared by POST/PUT/DELETE unless configured
    // separately) and the process-wide IP group.
    void setup_limits() {
        const auto& l = cfg.limits;
        const auto& clk = pipeline.get_clock();
        std::array<std::shared_ptr<sliding_window_limiter>, 3> uid;
        for (std::size_t i = 0; i < uid.size(); ++i) {
            if (l.user_data_stream_limiter) {
                uid[i] = l.user_data_stream_limiter;
            } else if (i == 0 || l.separate_method_limits) {
                if (l.user_data_stream.enabled()) {
                    uid[i] = std::make_shared<sliding_window_limiter>(l.user_data_stream, clk);
                }
            } else {
                uid[i] = uid[0];
            }
        }
        auto group = l.group;
        if (!group && l.ip_group.enabled() && l.ip_endpoint.enabled()) {
            group = ip_group::shared(url.host + ":" + std::to_string(url.port), l.ip_group,
                                     l.ip_endpoint, clk);
        }
        const std::string path(protocol::user_data_stream_path);
        for (std::size_t m = 0; m < limits.size(); ++m) {
            std::array<sliding_window_limiter*, 3> set{uid[m].get()};
            if (group) {
                set[1] = &group->group();
                set[2] = &group->endpoint(std::string(method_names[m]) + " " + path);
            }
            auto local = std::make_shared<detail::local_call_limiter>(
                set, std::vector<std::shared_ptr<const void>>{uid[m], group});
            if (!local->empty()) {
                limits[m] = std::move(local);
            }
        }
    }

    // Through the store: the same limits, named (detail/limit_names.hpp).
    void setup_store_limits() {
        const auto& l = cfg.limits;
        const std::string account =
            l.account.empty() ? detail::default_limit_account(cfg.credentials.api_key) : l.account;
        const std::string ip = l.ip_name.empty() ? detail::default_ip_name() : l.ip_name;
        const std::string path(protocol::user_data_stream_path);
        for (std::size_t m = 0; m < limits.size(); ++m) {
            const std::string method(method_names[m]);
            std::vector<named_limit> set;
            if (l.user_data_stream.enabled()) {
                set.push_back({"uid:" + account + ":" +
                                   (l.separate_method_limits ? method + ":" : std::string()) +
                                   "userDataStream",
                               l.user_data_stream});
            }
            if (l.ip_group.enabled() && l.ip_endpoint.enabled()) {
                set.push_back({"ip:" + ip + ":group", l.ip_group});
                set.push_back({"ip:" + ip + ":" + method + ":" + path, l.ip_endpoint});
            }
            if (!set.empty()) {
                limits[m] = l.store->make_limiter("bingx", set);
            }
        }
    }

    std::optional<std::int64_t> recv_window_ms() const {
        if (!cfg.recv_window) {
            return std::nullopt;
        }
        return cfg.recv_window->count();
    }

    // One unsigned server-time request (also the clock sync's probe).
    asio::awaitable<result<clock::wall_time>> fetch_server_time() {
        co_return co_await pipeline.run_once<clock::wall_time>(
            server_time_call, requests::server_time(), responses::parse_server_time);
    }

    // The public calls: each returns its request_pipeline::run() coroutine itself (or the
    // rejection), which holds the impl alive and runs in the caller's coroutine. The key is
    // copied into the call: the caller's string_view need not outlive the co_await.

    static asio::awaitable<result<void>> key_call(const std::shared_ptr<impl>& self, method_index m,
                                                  void (*make)(http_request&, std::string_view,
                                                               std::int64_t,
                                                               std::optional<std::int64_t>),
                                                  std::string_view key) {
        if (!plausible_key(key)) {
            return self->pipeline.rejected<void>(
                self, key_calls[m],
                error(errc::invalid_argument,
                      "listen key must be 1-256 characters of [A-Za-z0-9_-]"));
        }
        if (!self->signer.has_credentials()) {
            return self->pipeline.rejected<void>(self, key_calls[m], missing_credentials());
        }
        return self->pipeline.run<void>(
            self, key_calls[m], self->limits[m].get(),
            [me = self.get(), make, key = std::string(key)](http_request& req, std::int64_t ts) {
                make(req, key, ts, me->recv_window_ms());
                me->signer.sign(req);
            },
            responses::parse_empty_success);
    }

    static asio::awaitable<result<listen_key>>
    generate_listen_key(const std::shared_ptr<impl>& self) {
        if (!self->signer.has_credentials()) {
            return self->pipeline.rejected<listen_key>(self, key_calls[post_index],
                                                       missing_credentials());
        }
        return self->pipeline.run<listen_key>(
            self, key_calls[post_index], self->limits[post_index].get(),
            [me = self.get()](http_request& req, std::int64_t ts) {
                requests::generate_listen_key(req, ts, me->recv_window_ms());
                me->signer.sign(req);
            },
            // The key's expiry counts from the answer: parsed as it arrives.
            [me = self.get()](const http_response& answer) -> result<listen_key> {
                auto key = responses::parse_listen_key(answer);
                if (!key) {
                    return key.error();
                }
                return listen_key{std::move(*key), from_epoch_ms(me->pipeline.timestamp_ms()) +
                                                       protocol::listen_key_lifetime};
            });
    }
};

client::client(asio::any_io_executor ex, config cfg)
    : client(std::make_shared<impl>(std::move(ex), std::move(cfg))) {}
client::client(std::shared_ptr<impl> shared) : rest_client(shared), impl_(std::move(shared)) {}

asio::awaitable<result<listen_key>> client::generate_listen_key() {
    return impl::generate_listen_key(impl_);
}

asio::awaitable<result<void>> client::extend_listen_key(std::string_view key) {
    return impl::key_call(impl_, put_index, requests::extend_listen_key, key);
}

asio::awaitable<result<void>> client::delete_listen_key(std::string_view key) {
    return impl::key_call(impl_, delete_index, requests::delete_listen_key, key);
}

const config& client::get_config() const {
    return impl_->cfg;
}

} // namespace exsdk::bingx

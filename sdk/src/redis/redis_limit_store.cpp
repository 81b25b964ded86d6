// exsdk::redis_limit_store, the public facade: construction, limiter keys and the registry of
// limits (make_limiter), ping, stats. The shared state and the failure policy are in
// store_state.{hpp,cpp}; the reservation path of each call in redis_call_limiter.{hpp,cpp}.
#include "redis/redis_call_limiter.hpp"
#include "redis/store_state.hpp"

#include <exsdk/redis_limit_store.hpp>
#include <exsdk/sliding_window_limiter.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <array>
#include <cmath>
#include <mutex>
#include <stdexcept>
#include <vector>

namespace exsdk {

namespace r = detail::redis;
using std::chrono::microseconds;

namespace {

clock::duration margin_of(std::chrono::milliseconds window, double fraction) {
    return std::chrono::duration_cast<clock::duration>(window * fraction);
}

} // namespace

redis_limit_store::redis_limit_store(asio::any_io_executor ex, redis_config cfg,
                                     std::shared_ptr<clock> clk)
    : impl_(std::make_shared<r::store_state>(std::move(ex), std::move(cfg), std::move(clk))) {
    impl_->init();
}

redis_limit_store::~redis_limit_store() {
    close();
}

void redis_limit_store::close() {
    asio::dispatch(impl_->strand, [i = impl_] { i->shutdown(); });
}

std::string redis_limit_store::key(std::string_view scope, std::string_view name) const {
    return impl_->cfg.key_prefix + ":{" + std::string(scope) + "}:" + std::string(name);
}

std::shared_ptr<call_limiter> redis_limit_store::make_limiter(std::string_view scope,
                                                              std::span<const named_limit> limits) {
    if (limits.empty() || limits.size() > sliding_window_limiter::max_limiters_per_call) {
        throw std::invalid_argument("exsdk: a call takes 1 to 8 limits");
    }
    if (scope.empty() || scope.find_first_of("{}") != std::string_view::npos) {
        throw std::invalid_argument("exsdk: a limit scope must be non-empty, without { or }");
    }
    const auto& cfg = impl_->cfg;
    std::vector<std::shared_ptr<r::store_limit>> set;
    std::lock_guard lock(impl_->registry_mutex);
    for (const auto& l : limits) {
        if (!l.limit.enabled() || l.name.empty()) {
            throw std::invalid_argument("exsdk: a named limit needs a name, requests and window");
        }
        std::string k = key(scope, l.name);
        auto it = impl_->registry.find(k);
        if (it == impl_->registry.end()) {
            auto sl = std::make_shared<r::store_limit>();
            const auto margin = margin_of(l.limit.window, cfg.margin_fraction);
            sl->script.key = k;
            sl->script.hold_key = k + ":hold";
            sl->script.requests = l.limit.requests;
            sl->script.window = std::chrono::duration_cast<microseconds>(l.limit.window) +
                                std::chrono::duration_cast<microseconds>(margin);
            sl->script.max_lateness = std::chrono::duration_cast<microseconds>(
                cfg.max_lateness > clock::duration::zero() ? cfg.max_lateness : margin);
            if (cfg.on_failure == redis_failure_policy::local_fallback) {
                const auto share = static_cast<std::size_t>(
                    std::floor(static_cast<double>(l.limit.requests) * cfg.fallback_share));
                if (share > 0) {
                    sl->fallback = std::make_shared<sliding_window_limiter>(
                        rate_limit{share, l.limit.window}, impl_->clk, margin);
                }
            }
            it = impl_->registry.emplace(std::move(k), std::move(sl)).first;
        }
        set.push_back(it->second);
    }
    return r::make_call_limiter(impl_, std::move(set));
}

asio::awaitable<result<void>> redis_limit_store::ping() {
    auto body = [](std::shared_ptr<r::store_state> self) -> asio::awaitable<result<void>> {
        co_await asio::this_coro::throw_if_cancelled(false);
        std::string cmd;
        const std::array<std::string_view, 1> args{"PING"};
        r::append_command(cmd, args);
        auto [ec, rep] =
            co_await self->conn->async_exec(std::move(cmd), asio::as_tuple(asio::use_awaitable));
        if (ec == asio::error::operation_aborted) {
            co_return error(errc::cancelled, "ping cancelled");
        }
        if (ec) {
            const auto why = self->conn->last_error();
            co_return error(errc::limiter_unavailable,
                            "Redis " + self->url_text + ": " + (why.empty() ? ec.message() : why));
        }
        if (rep.view().str() != "PONG") {
            co_return error(errc::protocol,
                            "Redis answered PING with '" + std::string(rep.view().str()) + "'");
        }
        co_return result<void>{};
    };
    return detail::on_strand(impl_->strand, body(impl_));
}

redis_limit_stats redis_limit_store::stats() const {
    redis_limit_stats s;
    const auto& c = *impl_->conn;
    s.connected = c.up_now();
    s.local_fallback = impl_->local_flag.load(std::memory_order_relaxed);
    s.connects = c.connects();
    s.connection_failures = c.failures();
    s.fallback_switches = impl_->switches.load(std::memory_order_relaxed);
    s.fallback_returns = impl_->returns.load(std::memory_order_relaxed);
    s.acquires = impl_->acquires.load(std::memory_order_relaxed);
    s.local_acquires = impl_->local_acquires.load(std::memory_order_relaxed);
    s.unavailable = impl_->unavailable.load(std::memory_order_relaxed);
    s.pending_commands = c.pending();
    s.last_error = c.last_error();
    return s;
}

bool redis_limit_store::busy() const noexcept {
    return impl_->conn->busy();
}

const std::string& redis_limit_store::printable_url() const noexcept {
    return impl_->url_text;
}

} // namespace exsdk

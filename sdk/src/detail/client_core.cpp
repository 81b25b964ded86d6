#include "detail/client_core.hpp"

namespace exsdk::detail {

client_core::client_core(asio::any_io_executor ex, const base_url& url, const tls_config& tls,
                         const transport_config& transport, retry_policy retry,
                         clock_sync_config sync, std::shared_ptr<clock> clk)
    : ex_(ex), clk_(clk ? std::move(clk) : system_clock()),
      transport_(ex, url, tls, transport, clk_), retry_(retry), sync_(sync),
      rng_(retry.jitter_seed != 0 ? retry.jitter_seed : std::random_device{}()) {}

asio::awaitable<result<void>> client_core::sync_clock() {
    if (!server_time_) {
        co_return error(errc::invalid_argument, "no server-time endpoint");
    }
    const auto t0 = clk_->wall_ms();
    auto server = co_await server_time_();
    const auto t1 = clk_->wall_ms();
    if (!server) {
        co_return server.error();
    }
    const std::int64_t midpoint = t0 + (t1 - t0) / 2;
    offset_ms_.store(to_epoch_ms(*server) - midpoint, std::memory_order_relaxed);
    std::lock_guard lock(mutex_);
    last_sync_ = clk_->now();
    co_return result<void>{};
}

asio::awaitable<void> client_core::maybe_sync_before_call() {
    if (!server_time_) {
        co_return;
    }
    std::optional<clock::time_point> last;
    {
        std::lock_guard lock(mutex_);
        last = last_sync_;
    }
    const bool first = sync_.at_start && !last;
    const bool stale =
        sync_.interval > clock::duration::zero() && last && clk_->now() - *last >= sync_.interval;
    if (first || stale) {
        (void)co_await sync_clock(); // a failed sync leaves the old offset; the call decides
    }
}

asio::awaitable<void> client_core::hold_back(call_limiter& limits, const error& e) {
    const auto wait =
        std::chrono::duration_cast<clock::duration>(*e.retry_after - from_epoch_ms(timestamp_ms()));
    if (wait > clock::duration::zero()) {
        co_await limits.hold_for(wait);
    }
}

error client_core::limiter_error(boost::system::error_code ec, const call_limiter& limits) {
    if (ec == make_error_code(errc::limiter_unavailable)) {
        auto why = limits.failure_reason();
        return error(errc::limiter_unavailable,
                     why.empty() ? std::string("the rate-limit store is unavailable") : why);
    }
    return error(errc::cancelled, "cancelled while waiting for the rate limiter");
}

} // namespace exsdk::detail

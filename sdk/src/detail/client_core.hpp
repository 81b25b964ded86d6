// The request path shared by both clients (private to the SDK):
//   limiter -> signer (build) -> transport -> parser -> typed result, with retries and clock sync.
#pragma once

#include <exsdk/call_limiter.hpp>
#include <exsdk/clock.hpp>
#include <exsdk/clock_sync.hpp>
#include <exsdk/detail/http_transport.hpp>
#include <exsdk/error.hpp>
#include <exsdk/retry_policy.hpp>
#include <exsdk/timer.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <atomic>
#include <functional>
#include <mutex>
#include <optional>
#include <random>

namespace exsdk::detail {

class client_core {
public:
    using server_time_fn = std::function<asio::awaitable<result<clock::wall_time>>()>;

    client_core(asio::any_io_executor ex, const base_url& url, const tls_config& tls,
                const transport_config& transport, retry_policy retry, clock_sync_config sync,
                std::shared_ptr<clock> clk);

    /// Set by the exchange client: one unsigned server-time request.
    void set_server_time(server_time_fn fn) { server_time_ = std::move(fn); }

    /// Epoch ms to sign with: local wall time corrected by the last clock sync.
    std::int64_t timestamp_ms() const noexcept {
        return clk_->wall_ms() + offset_ms_.load(std::memory_order_relaxed);
    }
    clock::duration offset() const noexcept {
        return std::chrono::milliseconds(offset_ms_.load(std::memory_order_relaxed));
    }

    /// Estimates the offset from one server-time round trip (midpoint of send and receive).
    asio::awaitable<result<void>> sync_clock();

    // The bodies of the clients' public server_time() and sync_clock() (`self` keeps the client
    // alive: an aliasing pointer into it).
    static asio::awaitable<result<clock::wall_time>>
    server_time_body(std::shared_ptr<client_core> self) {
        co_return co_await self->server_time_();
    }
    static asio::awaitable<result<void>> sync_clock_body(std::shared_ptr<client_core> self) {
        co_return co_await self->sync_clock();
    }

    http_transport& transport() noexcept { return transport_; }
    const std::shared_ptr<clock>& get_clock() const noexcept { return clk_; }
    const asio::any_io_executor& executor() const noexcept { return ex_; }

    /// Runs one call: for each attempt, acquire the endpoint's limits through `limits` (null:
    /// none; an unblock time from the exchange holds them back for every caller), build and
    /// sign with the current timestamp, send, parse. Retries per the policy; on a rejected
    /// timestamp, re-syncs the clock and retries once.
    template <class T, class Build, class Parse>
    asio::awaitable<result<T>> run(call_limiter* limits, Build build, Parse parse);

private:
    double next_random() {
        std::lock_guard lock(mutex_);
        return std::uniform_real_distribution<double>(0.0, 1.0)(rng_);
    }
    asio::awaitable<void> maybe_sync_before_call();
    asio::awaitable<void> hold_back(call_limiter& limits, const error& e);
    static error limiter_error(boost::system::error_code ec, const call_limiter& limits);

    asio::any_io_executor ex_;
    std::shared_ptr<clock> clk_;
    http_transport transport_;
    retry_policy retry_;
    clock_sync_config sync_;
    // Calls run concurrently on any threads: what they share is atomic or guarded by mutex_.
    std::mutex mutex_;
    std::minstd_rand rng_;                       // retry jitter
    std::optional<clock::time_point> last_sync_; // under mutex_
    std::atomic<std::int64_t> offset_ms_{0};
    server_time_fn server_time_;
};

template <class T, class Build, class Parse>
asio::awaitable<result<T>> client_core::run(call_limiter* limits, Build build, Parse parse) {
    co_await asio::this_coro::throw_if_cancelled(false);
    const auto started = clk_->now();
    co_await maybe_sync_before_call();
    bool resynced = false;
    const bool limited = limits != nullptr;
    const http_transport::admission admit{
        [](void* l) { return static_cast<call_limiter*>(l)->try_acquire(); }, limits};
    for (std::size_t attempt = 1;; ++attempt) {
        // A rate-limited call takes its limiters' slot at the instant a connection is ready to
        // write it (the transport's admission), so the start its limiters record is the
        // request's real start, however long it waited for a connection (a cold pool's TLS
        // handshakes, a busy pool): a start recorded earlier than the real one would let the
        // next window's calls arrive too close behind. When no slot is free at that instant,
        // the call waits for the earliest one (a FIFO reservation) and then takes the next free
        // connection ahead of unlimited calls.
        result<http_response> answer =
            co_await transport_.send(build(timestamp_ms()), limited, limited ? &admit : nullptr);
        if (answer && answer->status == 0) { // not admitted: nothing was sent
            if (auto ec = co_await limits->acquire(); ec) {
                co_return limiter_error(ec, *limits);
            }
            answer = co_await transport_.send(build(timestamp_ms()), true);
        }
        result<T> r = answer ? parse(*answer) : result<T>(answer.error());
        if (r || r.error().is(errc::cancelled)) {
            co_return r;
        }
        const error& e = r.error();
        if (e.is(errc::timestamp_rejected) && sync_.on_rejection && !resynced && server_time_) {
            resynced = true;
            if (co_await sync_clock()) {
                --attempt; // the re-signed attempt after a sync is not counted
                continue;
            }
        }
        if (limits != nullptr && e.retry_after) {
            co_await hold_back(*limits, e);
        }
        const auto d = decide_retry(retry_, e, attempt, started, clk_->now(),
                                    from_epoch_ms(timestamp_ms()), next_random());
        if (!d.retry) {
            co_return r;
        }
        timer t(ex_, clk_);
        t.expires_at(d.at);
        auto [ec] = co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
        if (ec) {
            co_return error(errc::cancelled, "cancelled while waiting to retry");
        }
    }
}

} // namespace exsdk::detail

// The request path shared by both clients (private to the SDK):
//   limiter -> signer (build) -> transport -> parser -> typed result, with retries and clock sync,
// and what every call reports on the way (call_trace): its error's context (operation, method,
// path, attempts, elapsed time, whether the exchange answered), the client's log events and its
// stats().
#pragma once

#include "detail/caller_neutral.hpp"
#include "detail/client_metrics.hpp"
#include "detail/logger.hpp"
#include "http/http_transport.hpp"

#include <exsdk/call_limiter.hpp>
#include <exsdk/client_stats.hpp>
#include <exsdk/clock.hpp>
#include <exsdk/clock_sync.hpp>
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

/// Which operation a call is: its index in the client's operation list (the metrics) and its
/// name ("bingx.extend_listen_key", static text).
struct call_info {
    std::size_t op = 0;
    std::string_view operation;
};

class request_pipeline;

/// What one call reports while it runs: log events, metrics, and the context of its error.
/// Lives in the call's coroutine frame; touches only the call's own state and the client's
/// thread-safe logger and metrics.
class call_trace {
public:
    call_trace(request_pipeline& pipeline, const call_info& call,
               clock::time_point started) noexcept;

    /// The request `req` goes out now (attempt 1-based).
    void sent(const http_request& req, std::size_t attempt) const;
    /// A rate-limited request waited `d` for its limiter slot.
    void limiter_waited(clock::duration d) const;
    /// Attempt `attempt` of `req` ended: an answer parsed into `outcome` (success or error), or
    /// no answer (`answered` false, `outcome` the transport's error).
    template <class T>
    void attempt_ended(const http_request& req, std::size_t attempt, bool answered, unsigned status,
                       const result<T>& outcome, clock::duration latency) {
        if (outcome) {
            attempt_done(req, attempt, answered, status, nullptr, latency);
        } else {
            const error e = outcome.error(); // (boost::system::result hands errors out by value)
            attempt_done(req, attempt, answered, status, &e, latency);
        }
    }
    /// The failed attempt `attempt` is retried after `delay`.
    void retrying(const error& e, std::size_t attempt, clock::duration delay) const;
    /// The call ends with `r` after `attempts` requests; its error gets the context.
    template <class T>
    result<T> end(result<T> r, const http_request* last, std::size_t attempts) {
        if (r) {
            finish(nullptr, last, attempts);
            return r;
        }
        error e = std::move(r).error();
        finish(&e, last, attempts);
        return e;
    }

private:
    void attempt_done(const http_request& req, std::size_t attempt, bool answered, unsigned status,
                      const error* e, clock::duration latency);
    void finish(error* e, const http_request* last, std::size_t attempts);

    request_pipeline& pipeline_;
    const call_info& call_;
    clock::time_point started_;
    bool last_answered_ = false; // the last attempt got an answer from the server
};

class request_pipeline {
public:
    using server_time_fn = std::function<asio::awaitable<result<clock::wall_time>>()>;

    /// `source`: the log source ("woox.client"); `operations`: the client's operation names
    /// (static text), indexed by call_info::op.
    request_pipeline(asio::any_io_executor ex, const base_url& url, const tls_config& tls,
                     const transport_config& transport, retry_policy retry, clock_sync_config sync,
                     std::shared_ptr<clock> clk, const log_config& log, std::string_view source,
                     std::span<const std::string_view> operations);

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

    // The bodies of exsdk::rest_client's server_time() and sync_clock() (`self`: an aliasing
    // pointer that holds the whole client alive), run in the caller's coroutine.
    static asio::awaitable<result<clock::wall_time>>
    server_time_of(std::shared_ptr<request_pipeline> self) {
        return caller_neutral(server_time_body(std::move(self)));
    }
    static asio::awaitable<result<void>> sync_clock_of(std::shared_ptr<request_pipeline> self) {
        return caller_neutral(sync_clock_body(std::move(self)));
    }

    http_transport& transport() noexcept { return transport_; }
    const std::shared_ptr<clock>& get_clock() const noexcept { return clk_; }
    const asio::any_io_executor& executor() const noexcept { return ex_; }
    const logger& log() const noexcept { return log_; }
    client_metrics& metrics() noexcept { return metrics_; }

    /// The stats() snapshot of the client.
    client_stats stats() const;

    /// Runs one call: for each attempt, acquire the endpoint's limits through `limits` (null:
    /// none; an unblock time from the exchange holds them back for every caller), build and
    /// sign with the current timestamp, send, parse. Retries per the policy; on a rejected
    /// timestamp, re-syncs the clock and retries once.
    template <class T, class Build, class Parse>
    asio::awaitable<result<T>> run(const call_info& call, call_limiter* limits, Build build,
                                   Parse parse);

    /// One unsigned request, once (no limiter, retry or clock sync): the server-time probe.
    template <class T, class Parse>
    asio::awaitable<result<T>> run_once(const call_info& call, http_request req, Parse parse);

    /// A call rejected before anything was sent (a bad argument, no credentials): `e` with its
    /// context, counted in the metrics.
    error reject(const call_info& call, error e);

private:
    static asio::awaitable<result<clock::wall_time>>
    server_time_body(std::shared_ptr<request_pipeline> self) {
        co_return co_await self->server_time_();
    }
    static asio::awaitable<result<void>> sync_clock_body(std::shared_ptr<request_pipeline> self) {
        co_return co_await self->sync_clock();
    }
    double next_random() {
        std::lock_guard lock(mutex_);
        return std::uniform_real_distribution<double>(0.0, 1.0)(rng_);
    }
    asio::awaitable<void> maybe_sync_before_call();
    asio::awaitable<void> hold_back(call_limiter& limits, const error& e);
    static error limiter_error(boost::system::error_code ec, const call_limiter& limits);

    friend class call_trace;

    asio::any_io_executor ex_;
    std::string_view exchange_; // "woox", "bingx": the log source up to its first '.'

    std::shared_ptr<clock> clk_;
    logger log_;
    client_metrics metrics_;
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

// Asked by the transport right before a request is written: a rate-limited request takes its
// limiters' slot then (or is not sent now); every request is logged as sent then.
struct admission_context {
    call_limiter* limits = nullptr;
    bool limited = false;
    const call_trace* trace = nullptr; // set when the client logs
    const http_request* req = nullptr;
    std::size_t attempt = 0;

    static bool admit(void* context) {
        auto& c = *static_cast<admission_context*>(context);
        if (c.limited && !c.limits->try_acquire()) {
            return false;
        }
        if (c.trace != nullptr) {
            c.trace->sent(*c.req, c.attempt);
        }
        return true;
    }
};

// GCC 12 false positive (-Wmismatched-new-delete, seen in the tsan preset's -O1 builds of
// woox/client.cpp and bingx/client.cpp): when it inlines a coroutine frame's destruction it reads
// Asio's awaitable frame (member operator new -> Asio's recycling allocator -> malloc; member
// operator delete -> the same allocator) as a mismatch. Both sides are Asio's allocator.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

template <class T, class Build, class Parse>
asio::awaitable<result<T>> request_pipeline::run(const call_info& call, call_limiter* limits,
                                                 Build build, Parse parse) {
    co_await asio::this_coro::throw_if_cancelled(false);
    const auto started = clk_->now();
    co_await maybe_sync_before_call();
    call_trace trace(*this, call, started);
    const bool logs = log_.on(log_level::debug);
    bool resynced = false;
    const bool limited = limits != nullptr;
    http_request req;
    admission_context admission{limits, limited, logs ? &trace : nullptr, &req, 0};
    const http_transport::admission admit{&admission_context::admit, &admission};
    std::size_t attempts = 0;
    for (std::size_t attempt = 1;; ++attempt) {
        // A rate-limited call takes its limiters' slot at the instant a connection is ready to
        // write it (the transport's admission), so the start its limiters record is the
        // request's real start, however long it waited for a connection (a cold pool's TLS
        // handshakes, a busy pool): a start recorded earlier than the real one would let the
        // next window's calls arrive too close behind. When no slot is free at that instant,
        // the call waits for the earliest one (a FIFO reservation) and then takes the next free
        // connection ahead of unlimited calls.
        ++attempts;
        req = build(timestamp_ms());
        admission.attempt = attempts;
        const auto sent_at = clk_->now();
        result<http_response> answer =
            co_await transport_.send(req, limited, limited || logs ? &admit : nullptr);
        if (answer && answer->status == 0) { // not admitted: nothing was sent
            const auto wait_from = clk_->now();
            if (auto ec = co_await limits->acquire(); ec) {
                co_return trace.end(result<T>(limiter_error(ec, *limits)), &req, attempts - 1);
            }
            trace.limiter_waited(clk_->now() - wait_from);
            req = build(timestamp_ms());
            if (logs) {
                trace.sent(req, attempts);
            }
            answer = co_await transport_.send(req, true);
        } else if (limited) {
            trace.limiter_waited(clock::duration::zero());
        }
        result<T> r = answer ? parse(*answer) : result<T>(answer.error());
        trace.attempt_ended(req, attempts, answer.has_value(), answer ? answer->status : 0, r,
                            clk_->now() - sent_at);
        if (r || r.error().is(errc::cancelled)) {
            co_return trace.end(std::move(r), &req, attempts);
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
            co_return trace.end(std::move(r), &req, attempts);
        }
        trace.retrying(e, attempts, d.at - clk_->now());
        timer t(ex_, clk_);
        t.expires_at(d.at);
        auto [ec] = co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
        if (ec) {
            co_return trace.end(
                result<T>(error(errc::cancelled, "cancelled while waiting to retry")), &req,
                attempts);
        }
    }
}

template <class T, class Parse>
asio::awaitable<result<T>> request_pipeline::run_once(const call_info& call, http_request req,
                                                      Parse parse) {
    co_await asio::this_coro::throw_if_cancelled(false);
    const auto started = clk_->now();
    call_trace trace(*this, call, started);
    if (log_.on(log_level::debug)) {
        trace.sent(req, 1);
    }
    auto answer = co_await transport_.send(req);
    result<T> r = answer ? parse(*answer) : result<T>(answer.error());
    trace.attempt_ended(req, 1, answer.has_value(), answer ? answer->status : 0, r,
                        clk_->now() - started);
    co_return trace.end(std::move(r), &req, 1);
}

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

} // namespace exsdk::detail

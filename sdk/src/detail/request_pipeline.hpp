// The request path shared by both clients (private to the SDK):
//   limiter -> signer (build) -> transport -> parser -> typed result, with retries and clock sync,
// and what every call reports on the way (call_trace): its error's context (operation, method,
// path, attempts, elapsed time, whether the exchange answered), the client's log events and its
// stats().
#pragma once

#include "detail/caller_neutral.hpp"
#include "detail/client_metrics.hpp"
#include "detail/logger.hpp"
#include "detail/recycled.hpp"
#include "detail/request_pool.hpp"
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
struct call_attempts;

/// What one call reports while it runs: log events, metrics, and the context of its error.
/// Lives in the call's state (call_attempts); touches only the call's own state and the client's
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
    /// The requests calls build in place (see request_pool).
    request_pool& requests() noexcept { return requests_; }
    const std::shared_ptr<clock>& get_clock() const noexcept { return clk_; }
    const asio::any_io_executor& executor() const noexcept { return ex_; }
    const logger& log() const noexcept { return log_; }
    client_metrics& metrics() noexcept { return metrics_; }

    /// The stats() snapshot of the client.
    client_stats stats() const;

    /// Runs one call: for each attempt, acquire the endpoint's limits through `limits` (null:
    /// none; an unblock time from the exchange holds them back for every caller), build and
    /// sign with the current timestamp (`build(http_request& into, timestamp_ms)`, in place
    /// into a request from the client's pool), send, parse. Retries per the policy; on a rejected
    /// timestamp, re-syncs the clock and retries once.
    ///
    /// The whole call, as the caller's own coroutine: a client's public call returns this
    /// awaitable itself. `keep_alive` holds the client while it runs. Leaves the caller's
    /// coroutine state as found (what caller_neutral does around other bodies) without a frame
    /// of its own for that.
    template <class T, class Build, class Parse>
    asio::awaitable<result<T>> run(std::shared_ptr<const void> keep_alive, const call_info& call,
                                   call_limiter* limits, Build build, Parse parse);

    /// A call refused before anything is sent (a bad argument, no credentials): reject(call, e)
    /// when awaited, as an awaitable like run()'s.
    template <class T>
    asio::awaitable<result<T>> rejected(std::shared_ptr<const void> keep_alive,
                                        const call_info& call, error e) {
        static_cast<void>(keep_alive); // (held by the frame while the call is awaited)
        co_return reject(call, std::move(e));
    }

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
    // Whether a call should sync the clock first (the first call, or the last sync is older
    // than the interval). A test before the coroutine: most calls need no sync, and then no
    // frame is made for it.
    bool sync_due();
    asio::awaitable<void> sync_before_call();
    asio::awaitable<void> hold_back(call_limiter& limits, const error& e);
    // A request the transport did not admit: waits for the limiters' slot. Apart from run()
    // so that run()'s frame stays small (see run()).
    asio::awaitable<boost::system::error_code> wait_for_slot(call_attempts& a);
    // After a failed attempt (a.failure): re-syncs the clock, honours the exchange's unblock
    // time, decides on a retry and waits for it. Apart from run() like wait_for_slot().
    enum class next_step { retry, give_up, cancelled };
    asio::awaitable<next_step> recover(call_attempts& a);
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
    request_pool requests_;
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

/// One call's state across its attempts: what its trace, the transport's admission and the
/// retry decision share. run() keeps it in a block from Asio's recycling cache
/// (make_recycled), not in its coroutine frame: see run().
struct call_attempts {
    call_attempts(request_pipeline& pipeline, const call_info& call, call_limiter* limits_,
                  clock::time_point started_, bool logs_)
        : trace(pipeline, call, started_), limits(limits_), started(started_),
          limited(limits_ != nullptr), logs(logs_), req_lease(pipeline.requests()),
          req(*req_lease), admission{limits_, limited, logs_ ? &trace : nullptr, &req, 0},
          admit{&admission_context::admit, &admission} {}
    call_attempts(const call_attempts&) = delete;
    call_attempts& operator=(const call_attempts&) = delete;

    /// The transport's admission hook when the request needs one (a limit or a log).
    const http_transport::admission* admission_hook() const noexcept {
        return limited || logs ? &admit : nullptr;
    }

    call_trace trace;
    call_limiter* limits;
    clock::time_point started;
    clock::time_point sent_at{};
    bool limited;
    bool logs;
    request_pool::lease req_lease; // the client's request, built again in place per attempt
    http_request& req;             // *req_lease
    bool slot_taken = false;       // the request waited for its limiters' slot, and goes out now
    bool resynced = false;   // the clock was re-synced after a rejected timestamp (once a call)
    std::size_t attempt = 1; // the retry policy's count (a re-signed attempt is not counted)
    std::size_t sent = 0;    // requests sent
    error failure;           // the failed attempt's error, for recover()
    admission_context admission;
    http_transport::admission admit;
};

// GCC 12 false positive (-Wmismatched-new-delete, seen in the tsan preset's -O1 builds of
// woox/client.cpp and bingx/client.cpp): when it inlines a coroutine frame's destruction it reads
// Asio's awaitable frame (member operator new -> Asio's recycling allocator -> malloc; member
// operator delete -> the same allocator) as a mismatch. Both sides are Asio's allocator.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

// The frame of this coroutine is allocated on every call, so it is kept under the 1,020 bytes
// Asio's per-thread cache recycles: GCC gives every local its own slot for the whole call, and a
// larger frame is a malloc per call that also evicts a cached frame (measured: 2,256 bytes and
// 4 more allocations per call before). Hence the state shared across attempts lives in one
// recycled block (call_attempts), and the rare paths (waiting for a limiter slot, retrying) are
// coroutines of their own, whose frames exist only when they run. The frames are 976-1,016
// bytes (GCC 12, release): tests/sdk/alloc_count_test.cpp fails when one grows past the limit.
template <class T, class Build, class Parse>
asio::awaitable<result<T>> request_pipeline::run(std::shared_ptr<const void> keep_alive,
                                                 const call_info& call, call_limiter* limits,
                                                 Build build, Parse parse) {
    static_cast<void>(keep_alive); // (held by the frame while the call runs)
    // Errors are values: the call runs with throw_if_cancelled off, and the caller's own
    // setting (Boost 1.81 keeps it per awaitable thread) is put back before it resumes, whatever
    // happened (only std::bad_alloc can be thrown).
    const bool caller_throws = co_await asio::this_coro::throw_if_cancelled();
    co_await asio::this_coro::throw_if_cancelled(false);
    result<T> r{error()}; // every way out of the loop sets it
    std::exception_ptr failure;
    try {
        const auto started = clk_->now();
        if (sync_due()) {
            co_await sync_before_call();
        }
        const auto a =
            make_recycled<call_attempts>(*this, call, limits, started, log_.on(log_level::debug));
        for (;;) {
            // A rate-limited call takes its limiters' slot at the instant a connection is ready to
            // write it (the transport's admission), so the start its limiters record is the
            // request's real start, however long it waited for a connection (a cold pool's TLS
            // handshakes, a busy pool): a start recorded earlier than the real one would let the
            // next window's calls arrive too close behind. When no slot is free at that instant,
            // the call waits for the earliest one (a FIFO reservation) and then takes the next free
            // connection ahead of unlimited calls.
            build(a->req, timestamp_ms());
            if (!a->slot_taken) {
                a->admission.attempt = ++a->sent;
                a->sent_at = clk_->now();
            } else if (a->logs) {
                a->trace.sent(a->req, a->sent); // (no admission for this send to log it)
            }
            // One send in this loop, not a second for the request that waited for its slot: each
            // co_await's result takes its own place in the frame (216 bytes here).
            result<http_response> answer = co_await transport_.send(
                a->req, a->limited, a->slot_taken ? nullptr : a->admission_hook());
            if (answer && answer->status == 0) { // not admitted: nothing was sent
                if (const auto ec = co_await wait_for_slot(*a)) {
                    r = limiter_error(ec, *limits);
                    --a->sent; // (this request never went out)
                    break;
                }
                // Signed again, sent ahead of unlimited calls, not admitted again.
                a->slot_taken = true;
                continue;
            }
            if (a->limited && !a->slot_taken) {
                a->trace.limiter_waited(clock::duration::zero());
            }
            a->slot_taken = false;
            r = answer ? parse(*answer) : result<T>(answer.error());
            a->trace.attempt_ended(a->req, a->sent, answer.has_value(), answer ? answer->status : 0,
                                   r, clk_->now() - a->sent_at);
            if (r || r.error().is(errc::cancelled)) {
                break;
            }
            a->failure = std::move(r).error();
            const next_step step = co_await recover(*a);
            if (step == next_step::retry) {
                continue;
            }
            r = step == next_step::give_up
                    ? std::move(a->failure)
                    : error(errc::cancelled, "cancelled while waiting to retry");
            break;
        }
        r = a->trace.end(std::move(r), &a->req, a->sent);
    } catch (...) {
        failure = std::current_exception();
    }
    co_await asio::this_coro::throw_if_cancelled(caller_throws);
    if (failure) {
        std::rethrow_exception(failure);
    }
    co_return std::move(r);
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

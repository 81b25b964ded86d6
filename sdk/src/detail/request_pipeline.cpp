#include "detail/answer_check.hpp"
#include "detail/request_pipeline.hpp"

namespace exsdk::detail {

request_pipeline::request_pipeline(asio::any_io_executor ex, const base_url& url,
                                   const tls_config& tls, const transport_config& transport,
                                   retry_policy retry, clock_sync_config sync,
                                   std::shared_ptr<clock> clk, const log_config& log,
                                   std::string_view source,
                                   std::span<const std::string_view> operations)
    : ex_(ex), exchange_(source.substr(0, source.find('.'))),
      clk_(clk ? std::move(clk) : system_clock()), log_(log, source, clk_), metrics_(operations),
      transport_(ex, url, tls, transport, clk_), retry_(retry), sync_(sync),
      rng_(retry.jitter_seed != 0 ? retry.jitter_seed : std::random_device{}()) {}

asio::awaitable<result<void>> request_pipeline::sync_clock() {
    if (!server_time_) {
        co_return error(errc::invalid_argument, "no server-time endpoint");
    }
    const auto t0 = clk_->wall_ms();
    auto server = co_await server_time_();
    const auto t1 = clk_->wall_ms();
    if (!server) {
        if (log_.on(log_level::warn)) {
            log_.write(log_level::warn, "clock.sync_failed",
                       {{"code", std::string_view(
                                     to_string(static_cast<errc>(server.error().code.value())))},
                        {"message", std::string_view(server.error().message)}});
        }
        co_return server.error();
    }
    const std::int64_t midpoint = t0 + (t1 - t0) / 2;
    const std::int64_t offset = to_epoch_ms(*server) - midpoint;
    offset_ms_.store(offset, std::memory_order_relaxed);
    metrics_.clock_syncs.fetch_add(1, std::memory_order_relaxed);
    if (log_.on(log_level::info)) {
        log_.write(log_level::info, "clock.synced",
                   {{"offset_ms", offset}, {"round_trip_ms", std::int64_t{t1 - t0}}});
    }
    std::lock_guard lock(mutex_);
    last_sync_ = clk_->now();
    co_return result<void>{};
}

bool request_pipeline::sync_due() {
    if (!server_time_) {
        return false;
    }
    std::optional<clock::time_point> last;
    {
        std::lock_guard lock(mutex_);
        last = last_sync_;
    }
    const bool first = sync_.at_start && !last;
    const bool stale =
        sync_.interval > clock::duration::zero() && last && clk_->now() - *last >= sync_.interval;
    return first || stale;
}

asio::awaitable<void> request_pipeline::sync_before_call() {
    (void)co_await sync_clock(); // a failed sync leaves the old offset; the call decides
}

asio::awaitable<void> request_pipeline::hold_back(call_limiter& limits, const error& e) {
    const auto wait =
        std::chrono::duration_cast<clock::duration>(*e.retry_after - from_epoch_ms(timestamp_ms()));
    if (wait > clock::duration::zero()) {
        co_await limits.hold_for(wait);
    }
}

asio::awaitable<boost::system::error_code> request_pipeline::wait_for_slot(call_attempts& a) {
    const auto wait_from = clk_->now();
    if (auto ec = co_await a.limits->acquire(); ec) {
        co_return ec;
    }
    a.trace.limiter_waited(clk_->now() - wait_from);
    co_return boost::system::error_code{};
}

asio::awaitable<request_pipeline::next_step> request_pipeline::recover(call_attempts& a) {
    const error& e = a.failure;
    if (e.is(errc::timestamp_rejected) && sync_.on_rejection && !a.resynced && server_time_) {
        a.resynced = true;
        if (co_await sync_clock()) {
            co_return next_step::retry; // re-signed: the retry policy does not count it
        }
    }
    if (a.limits != nullptr && e.retry_after) {
        co_await hold_back(*a.limits, e);
    }
    const auto d = decide_retry(retry_, e, a.attempt, a.started, clk_->now(),
                                from_epoch_ms(timestamp_ms()), next_random());
    if (!d.retry) {
        co_return next_step::give_up;
    }
    a.trace.retrying(e, a.sent, d.at - clk_->now());
    timer t(ex_, clk_);
    t.expires_at(d.at);
    auto [ec] = co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
    if (ec) {
        co_return next_step::cancelled;
    }
    ++a.attempt;
    co_return next_step::retry;
}

error request_pipeline::limiter_error(boost::system::error_code ec, const call_limiter& limits) {
    if (ec == make_error_code(errc::limiter_unavailable)) {
        auto why = limits.failure_reason();
        return error(errc::limiter_unavailable,
                     why.empty() ? std::string("the rate-limit store is unavailable") : why);
    }
    return error(errc::cancelled, "cancelled while waiting for the rate limiter");
}

client_stats request_pipeline::stats() const {
    client_stats s;
    s.exchange = std::string(exchange_);
    s.operations = metrics_.snapshot();
    s.open_connections = transport_.open_connections();
    s.clock_offset = offset();
    s.clock_syncs = metrics_.clock_syncs.load(std::memory_order_relaxed);
    return s;
}

error request_pipeline::reject(const call_info& call, error e) {
    call_trace trace(*this, call, clk_->now());
    return trace.end(result<void>(std::move(e)), nullptr, 0).error();
}

// ---- call_trace ---------------------------------------------------------------------------

namespace {

const char* code_name(const error& e) {
    return e.code.category() == error_category() ? to_string(static_cast<errc>(e.code.value()))
                                                 : "other";
}

} // namespace

call_trace::call_trace(request_pipeline& pipeline, const call_info& call,
                       clock::time_point started) noexcept
    : pipeline_(pipeline), call_(call), started_(started) {}

void call_trace::sent(const http_request& req, std::size_t attempt) const {
    const auto& log = pipeline_.log_;
    if (!log.on(log_level::debug)) {
        return;
    }
    const std::string path = display_path(req.target, true);
    log.write(log_level::debug, "request.sent",
              {{"operation", call_.operation},
               {"method", to_string(req.method)},
               {"path", std::string_view(path)},
               {"attempt", static_cast<std::int64_t>(attempt)}});
}

void call_trace::limiter_waited(clock::duration d) const {
    pipeline_.metrics_.op(call_.op).limiter_wait.observe(d);
    const auto& log = pipeline_.log_;
    if (log.on(log_level::info) && d > log.slow_limiter_wait()) {
        log.write(log_level::info, "limiter.waited",
                  {{"operation", call_.operation}, {"waited_ms", to_ms(d)}});
    }
}

void call_trace::attempt_done(const http_request& req, std::size_t attempt, bool answered,
                              unsigned status, const error* e, clock::duration latency) {
    pipeline_.metrics_.op(call_.op).requests.fetch_add(1, std::memory_order_relaxed);
    last_answered_ = answered;
    const auto& log = pipeline_.log_;
    const log_level level = answered ? log_level::debug : log_level::info;
    if (!log.on(level)) {
        return;
    }
    const std::string path = display_path(req.target, true);
    if (answered) {
        log.write(level, "request.answered",
                  {{"operation", call_.operation},
                   {"method", to_string(req.method)},
                   {"path", std::string_view(path)},
                   {"attempt", static_cast<std::int64_t>(attempt)},
                   {"status", static_cast<std::int64_t>(status)},
                   {"exchange_code", e != nullptr ? e->exchange_code : std::int64_t{0}},
                   {"code", e != nullptr ? std::string_view(code_name(*e)) : "ok"},
                   {"latency_ms", to_ms(latency)},
                   {"exchange_answer", e == nullptr || !e->is(errc::unexpected_response)}});
        return;
    }
    const std::string message =
        loggable_text(e != nullptr ? e->message : "", key_param(req.target));
    log.write(level, "request.failed",
              {{"operation", call_.operation},
               {"method", to_string(req.method)},
               {"path", std::string_view(path)},
               {"attempt", static_cast<std::int64_t>(attempt)},
               {"code", e != nullptr ? std::string_view(code_name(*e)) : "ok"},
               {"message", std::string_view(message)},
               {"latency_ms", to_ms(latency)}});
}

void call_trace::retrying(const error& e, std::size_t attempt, clock::duration delay) const {
    pipeline_.metrics_.op(call_.op).retries_by_reason.add(e);
    const auto& log = pipeline_.log_;
    if (!log.on(log_level::info)) {
        return;
    }
    log.write(log_level::info, "retry",
              {{"operation", call_.operation},
               {"attempt", static_cast<std::int64_t>(attempt)},
               {"reason", std::string_view(code_name(e))},
               {"status", static_cast<std::int64_t>(e.http_status)},
               {"exchange_code", e.exchange_code},
               {"delay_ms", to_ms(delay)}});
}

void call_trace::finish(error* e, const http_request* last, std::size_t attempts) {
    auto& m = pipeline_.metrics_.op(call_.op);
    const auto elapsed = pipeline_.clk_->now() - started_;
    m.calls.fetch_add(1, std::memory_order_relaxed);
    m.latency.observe(elapsed);
    if (e == nullptr) {
        return;
    }
    m.errors.fetch_add(1, std::memory_order_relaxed);
    m.errors_by_code.add(*e);
    m.count_exchange_code(e->exchange_code);
    if (e->operation.empty()) {
        e->operation = std::string(call_.operation);
    }
    if (last != nullptr && e->method.empty()) {
        e->method = std::string(to_string(last->method));
        e->path = display_path(last->target, false);
    }
    e->attempts = static_cast<std::uint32_t>(attempts);
    e->elapsed = std::chrono::duration_cast<std::chrono::nanoseconds>(elapsed);
    e->exchange_answer = last_answered_ && e->http_status != 0 && !e->is(errc::cancelled) &&
                         !e->is(errc::unexpected_response);
}

} // namespace exsdk::detail

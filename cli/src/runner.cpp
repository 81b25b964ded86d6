// The command handlers and the machinery that runs them. This is the program's only translation
// unit with Boost.JSON and the SDK clients (keeps the build light on two cores).
#include "runner.hpp"

#include <exsdk/bingx/client.hpp>
#include <exsdk/bingx/listen_key_session.hpp>
#include <exsdk/error.hpp>
#include <exsdk/log.hpp>
#include <exsdk/redis_limit_store.hpp>
#include <exsdk/sliding_window_limiter.hpp>
#include <exsdk/woox/client.hpp>
#include <exsdk/woox/listen_key_session.hpp>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <csignal>
#include <cstdlib>
#include <ctime>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unistd.h>
#include <utility>
#include <vector>

namespace exsdk::cli {

namespace {

namespace json = boost::json;

using call_result = exsdk::result<json::object>;
using call_fn = std::function<asio::awaitable<call_result>()>;

json::value epoch_ms_or_null(const std::optional<std::chrono::system_clock::time_point>& t) {
    if (!t) {
        return nullptr;
    }
    return to_epoch_ms(*t);
}

std::string code_name(const exsdk::error& e) {
    if (e.code.category() == exsdk::error_category()) {
        return exsdk::to_string(static_cast<exsdk::errc>(e.code.value()));
    }
    return e.code.message();
}

json::object error_json(const exsdk::error& e) {
    json::object o;
    o["code"] = code_name(e);
    o["exchangeCode"] = e.exchange_code;
    o["message"] = e.message;
    o["httpStatus"] = e.http_status;
    o["retryAfter"] = epoch_ms_or_null(e.retry_after);
    // Where it happened (empty/0 for failures that were not one REST call's).
    o["operation"] = e.operation;
    o["method"] = e.method;
    o["path"] = e.path;
    o["attempts"] = e.attempts;
    o["elapsedMs"] = std::chrono::duration_cast<std::chrono::milliseconds>(e.elapsed).count();
    o["exchangeAnswer"] = e.exchange_answer;
    return o;
}

// --- results as JSON ---------------------------------------------------------------------------

json::object to_json(const woox::listen_key& k) {
    return {{"authKey", k.auth_key}, {"expiredTime", k.expired_time_ms}};
}

json::object to_json(const woox::api_key_permission& p) {
    json::object o;
    o["accountName"] = p.account_name;
    o["userId"] = p.user_id;
    o["apiKey"] = p.api_key;
    json::array perms;
    for (const auto& s : p.permissions) {
        perms.emplace_back(s);
    }
    o["permissions"] = std::move(perms);
    if (p.allowed_ips) {
        json::array ips;
        for (const auto& s : *p.allowed_ips) {
            ips.emplace_back(s);
        }
        o["allowedIPs"] = std::move(ips);
    }
    return o;
}

json::array rows_json(const std::vector<woox::api_key_permission>& rows) {
    json::array a;
    for (const auto& r : rows) {
        a.emplace_back(to_json(r));
    }
    return a;
}

// Server time and the local clock's offset, estimated at the round trip's midpoint.
template <class Client>
asio::awaitable<call_result> server_time_call(Client& c) {
    const auto& clk = system_clock();
    const auto before = clk->wall_now();
    auto t = co_await c.server_time();
    const auto after = clk->wall_now();
    if (!t) {
        co_return t.error();
    }
    const auto midpoint = before + (after - before) / 2;
    json::object o;
    o["serverTime"] = to_epoch_ms(*t);
    o["offsetMs"] = to_epoch_ms(*t) - to_epoch_ms(midpoint);
    o["roundTripMs"] =
        std::chrono::duration_cast<std::chrono::milliseconds>(after - before).count();
    co_return o;
}

// --- the session: one client, the calls in flight, their output ----------------------------

class session {
public:
    session(asio::io_context& ioc, const invocation& inv, std::FILE* out, std::FILE* err)
        : ioc_(ioc), inv_(inv), out_(out), err_(err), signals_(ioc, SIGINT, SIGTERM),
          progress_timer_(ioc) {
        if (!inv.globals.secret.empty()) {
            secrets_.push_back(inv.globals.secret);
        }
        for (auto& p : url_passwords(inv.globals.redis_url)) {
            secrets_.push_back(std::move(p));
        }
    }

    const invocation& inv() const { return inv_; }
    bool failed() const { return failed_; }

    woox::client& woox_client() {
        if (!woox_) {
            woox::config cfg;
            configure(cfg, woox::protocol::rest_base_url);
            // The limiters are the CLI's, so --repeat's progress can say who waits on them.
            cfg.limits.listen_key_limiter = limiter(cfg.limits.listen_key, cfg.clock);
            cfg.limits.credentials_limiter = limiter(cfg.limits.credentials, cfg.clock);
            woox_.emplace(ioc_.get_executor(), std::move(cfg));
        }
        return *woox_;
    }

    bingx::client& bingx_client() {
        if (!bingx_) {
            bingx::config cfg;
            configure(cfg, bingx::protocol::rest_base_url);
            if (!cfg.limits.separate_method_limits) {
                cfg.limits.user_data_stream_limiter =
                    limiter(cfg.limits.user_data_stream, cfg.clock);
            }
            bingx_.emplace(ioc_.get_executor(), std::move(cfg));
        }
        return *bingx_;
    }

    /// Starts `n` concurrent calls of `fn` (all through the one client, so its limiter paces
    /// them); each prints its line as it completes.
    void start_calls(const call_fn& fn, std::int64_t n) {
        for (std::int64_t i = 0; i < n; ++i) {
            auto& sig = cancel_signals_.emplace_back();
            active_.push_back(true);
            const std::size_t index = active_.size() - 1;
            ++outstanding_;
            asio::co_spawn(ioc_, one_call(fn),
                           asio::bind_cancellation_slot(
                               sig.slot(), [this, index](std::exception_ptr ep, call_result r) {
                                   finish(index, ep, std::move(r));
                               }));
        }
        if (outstanding_ > 0) {
            wait_for_signal();
        }
        // Progress for a person watching (--repeat on a terminal); never in a pipe or a file.
        total_ = n;
        show_progress_ = n > 1 && ::isatty(::fileno(err_)) == 1;
        if (show_progress_) {
            tick_progress();
        }
    }

    /// One progress line of a long-running command (a stream update), before its result.
    void emit_update(json::object fields) {
        json::object line;
        line["ok"] = true;
        line["exchange"] = to_string(inv_.cmd->exchange);
        line["command"] = inv_.cmd->name;
        for (auto& [k, v] : fields) {
            line[k] = std::move(v);
        }
        write_line(line);
    }

private:
    // With --redis (or EXSDK_REDIS_URL): one store, one connection, for both clients.
    std::shared_ptr<exsdk::limit_store> shared_limits() {
        const auto& g = inv_.globals;
        if (g.redis_url.empty()) {
            return nullptr;
        }
        if (!store_) {
            exsdk::redis_config rc;
            rc.url = g.redis_url;
            rc.tls.ca_file = g.ca_file; // rediss://: the same trust as the exchange's HTTPS
            if (g.redis_fallback) {
                rc.on_failure = exsdk::redis_failure_policy::local_fallback;
                rc.fallback_share = *g.redis_fallback;
            }
            if (g.redis_max_lateness) {
                rc.max_lateness = *g.redis_max_lateness;
            }
            store_ = std::make_shared<exsdk::redis_limit_store>(ioc_.get_executor(), rc);
        }
        return store_;
    }

    static exsdk::rate_limit to_limit(const limit_override& l) {
        return {static_cast<std::size_t>(l.requests), std::chrono::milliseconds(l.window_ms)};
    }

    void apply_limits(woox::config& cfg) const {
        for (const auto& l : inv_.globals.limits) {
            if (l.name == "woox.listen_key") {
                cfg.limits.listen_key = to_limit(l);
            } else if (l.name == "woox.credentials") {
                cfg.limits.credentials = to_limit(l);
            }
        }
    }

    void apply_limits(bingx::config& cfg) const {
        for (const auto& l : inv_.globals.limits) {
            if (l.name == "bingx.uid") {
                cfg.limits.user_data_stream = to_limit(l);
            } else if (l.name == "bingx.ip_group") {
                cfg.limits.ip_group = to_limit(l);
            } else if (l.name == "bingx.ip_endpoint") {
                cfg.limits.ip_endpoint = to_limit(l);
            }
        }
    }

    template <class Config>
    void configure(Config& cfg, std::string_view default_url) {
        const auto& g = inv_.globals;
        cfg.limits.store = shared_limits();
        apply_limits(cfg);
        cfg.base_url = g.base_url.value_or(std::string(default_url));
        cfg.tls.ca_file = g.ca_file;
        cfg.credentials.api_key = g.api_key;
        cfg.credentials.secret = exsdk::secret(g.secret);
        if (g.timeout) {
            cfg.transport.connect_timeout = *g.timeout;
            cfg.transport.request_timeout = *g.timeout;
        }
        if (g.no_retry) {
            cfg.retry = retry_policy::none();
        }
        if (g.verbose) {
            // One line per event on stderr (secrets redacted anyway: the SDK logs none).
            cfg.log.level = log_level::debug;
            cfg.log.sink = [err = err_, secrets = secrets_](const log_event& e) {
                std::string line = redact(to_string(e), secrets);
                line += '\n';
                std::fwrite(line.data(), 1, line.size(), err); // one write: lines never mix
            };
        }
    }

    std::shared_ptr<sliding_window_limiter> limiter(rate_limit l,
                                                    const std::shared_ptr<clock>& clk) {
        if (!l.enabled()) {
            return nullptr;
        }
        auto p = std::make_shared<sliding_window_limiter>(l, clk ? clk : system_clock());
        limiters_.push_back(p);
        return p;
    }

    // "exsdk: 3/10 done, 7 waiting on the rate limiter until 12:00:04.512Z", rewritten in place.
    void draw_progress() {
        std::size_t waiting = 0;
        std::optional<clock::time_point> until;
        for (const auto& l : limiters_) {
            if (const auto w = l->waiting(); w > 0) {
                waiting += w;
                const auto t = l->next_start();
                until = until ? std::max(*until, t) : t;
            }
        }
        std::string line =
            "\rexsdk: " + std::to_string(done_) + "/" + std::to_string(total_) + " done";
        if (waiting > 0 && until) {
            const auto clk = system_clock();
            const auto at =
                clk->wall_now() +
                std::chrono::duration_cast<clock::wall_time::duration>(*until - clk->now());
            const auto ms = to_epoch_ms(at);
            const std::time_t secs = static_cast<std::time_t>(ms / 1000);
            std::tm utc{};
            ::gmtime_r(&secs, &utc);
            char hms[16];
            std::strftime(hms, sizeof hms, "%H:%M:%S", &utc);
            char frac[8];
            std::snprintf(frac, sizeof frac, ".%03dZ", static_cast<int>(ms % 1000));
            line +=
                ", " + std::to_string(waiting) + " waiting on the rate limiter until " + hms + frac;
        }
        line += "\x1b[K"; // erase the rest of the previous, longer line
        std::fwrite(line.data(), 1, line.size(), err_);
        std::fflush(err_);
    }

    void tick_progress() {
        draw_progress();
        progress_timer_.expires_after(std::chrono::milliseconds(250));
        progress_timer_.async_wait([this](const boost::system::error_code& ec) {
            if (!ec && outstanding_ > 0) {
                tick_progress();
            }
        });
    }

    static asio::awaitable<call_result> one_call(call_fn fn) {
        // Errors (cancellation included) are values here, as in the SDK.
        co_await asio::this_coro::throw_if_cancelled(false);
        co_return co_await fn();
    }

    void finish(std::size_t index, std::exception_ptr ep, call_result r) {
        active_[index] = false;
        if (ep) {
            // The SDK reports failures as values; an exception here is a bug or out of memory.
            std::string what = "unexpected exception";
            try {
                std::rethrow_exception(ep);
            } catch (const std::exception& e) {
                what = e.what();
            } catch (...) {
            }
            r = exsdk::error(errc::protocol, "internal error: " + what);
        }
        emit(r);
        ++done_;
        if (--outstanding_ == 0) {
            signals_.cancel(); // nothing left to interrupt: let ioc.run() return
            progress_timer_.cancel();
            if (store_) {
                store_->close(); // and nothing left to limit
            }
            if (show_progress_) {
                draw_progress();
                std::fputs("\n", err_);
                std::fflush(err_);
            }
        } else if (show_progress_) {
            draw_progress();
        }
    }

    void emit(const call_result& r) {
        json::object line;
        line["ok"] = r.has_value();
        line["exchange"] = to_string(inv_.cmd->exchange);
        line["command"] = inv_.cmd->name;
        if (r) {
            line["result"] = *r;
        } else {
            failed_ = true;
            line["error"] = error_json(r.error());
        }
        write_line(line);
    }

    void write_line(const json::object& line) {
        // The SDK never puts secrets in errors; redacting anyway costs nothing.
        std::string text = redact(json::serialize(line), secrets_);
        text += '\n';
        std::fwrite(text.data(), 1, text.size(), out_);
        std::fflush(out_);
    }

    // SIGINT/SIGTERM: cancel every call in flight. A cancellation that lands between two of a
    // call's operations can be absorbed, so a second signal cancels again; a third quits at once.
    void wait_for_signal() {
        signals_.async_wait([this](const boost::system::error_code& ec, int) {
            if (ec) {
                return; // cancelled: every call finished
            }
            if (++interrupts_ >= 3) {
                std::fflush(out_);
                std::_Exit(130);
            }
            for (std::size_t i = 0; i < cancel_signals_.size(); ++i) {
                if (active_[i]) {
                    cancel_signals_[i].emit(asio::cancellation_type::terminal);
                }
            }
            wait_for_signal();
        });
    }

    asio::io_context& ioc_;
    const invocation& inv_;
    std::FILE* out_;
    std::FILE* err_;
    asio::signal_set signals_;
    asio::steady_timer progress_timer_;
    std::vector<std::shared_ptr<sliding_window_limiter>> limiters_;
    std::int64_t total_ = 0;
    std::int64_t done_ = 0;
    bool show_progress_ = false;
    std::vector<std::string> secrets_;
    std::shared_ptr<exsdk::redis_limit_store> store_;
    std::optional<woox::client> woox_;
    std::optional<bingx::client> bingx_;
    std::deque<asio::cancellation_signal> cancel_signals_; // deque: signals never move
    std::vector<bool> active_;
    std::size_t outstanding_ = 0;
    int interrupts_ = 0;
    bool failed_ = false;
};

// --- streams -----------------------------------------------------------------------------------

// The stream URL: --stream-url, else the REST base URL's host with ws(s):// and `path` (one
// listener serves both, as the mock does), else the exchange's own stream URL.
std::string stream_url(const invocation& inv, std::string_view path, std::string_view real) {
    if (auto u = inv.options.text("--stream-url")) {
        return *u;
    }
    if (const auto& base = inv.globals.base_url) {
        std::string u = *base;
        while (!u.empty() && u.back() == '/') {
            u.pop_back();
        }
        if (u.rfind("https://", 0) == 0) {
            u.replace(0, 5, "wss");
        } else if (u.rfind("http://", 0) == 0) {
            u.replace(0, 4, "ws");
        }
        return u + std::string(path);
    }
    return std::string(real);
}

json::object status_json(session_status status, const std::string& detail, clock::duration backoff,
                         clock::duration outage) {
    json::object o;
    o["status"] = to_string(status);
    if (!detail.empty()) {
        o["detail"] = detail;
    }
    if (status == session_status::reconnecting) {
        o["backoffMs"] = std::chrono::duration_cast<std::chrono::milliseconds>(backoff).count();
    }
    if (status == session_status::gap) {
        o["outageMs"] = std::chrono::duration_cast<std::chrono::milliseconds>(outage).count();
    }
    return o;
}

json::object counters_json(const session_counters& c) {
    return {{"stopped", true},
            {"connects", c.connects},
            {"disconnects", c.disconnects},
            {"keysCreated", c.keys_created},
            {"events", c.events},
            {"gaps", c.gaps}};
}

// Runs `ses.run()` and prints its updates until both end; Ctrl-C cancels both (the call's
// cancellation reaches every child of the parallel group). A cancelled session is a clean stop.
template <class Session, class Describe>
asio::awaitable<call_result> run_stream(session& out, Session& ses, Describe describe) {
    auto ex = co_await asio::this_coro::executor;
    auto pump = [&]() -> asio::awaitable<void> {
        for (;;) {
            auto u = co_await ses.next();
            if (!u) {
                co_return;
            }
            json::object line = status_json(u->status, u->detail, u->backoff, u->outage);
            if (u->event) {
                describe(line, *u->event);
            }
            out.emit_update(std::move(line));
        }
    };
    auto [order, run_ex, ended, pump_ex] =
        co_await asio::experimental::make_parallel_group(
            asio::co_spawn(ex, ses.run(), asio::deferred),
            asio::co_spawn(ex, pump(), asio::deferred))
            .async_wait(asio::experimental::wait_for_all(), asio::use_awaitable);
    (void)order;
    if (run_ex || pump_ex) {
        co_return exsdk::error(errc::protocol, "internal error in the stream session");
    }
    if (!ended && !ended.error().is(errc::cancelled)) {
        co_return ended.error();
    }
    co_return counters_json(ses.stats());
}

// --- the handlers ------------------------------------------------------------------------------

void start_command(session& s) {
    const invocation& inv = s.inv();
    const auto n = inv.globals.repeat;
    switch (inv.cmd->handler) {
    case handler_id::woox_listen_key_create: {
        auto& c = s.woox_client();
        s.start_calls(
            [&c]() -> asio::awaitable<call_result> {
                auto k = co_await c.create_listen_key();
                if (!k) {
                    co_return k.error();
                }
                co_return to_json(*k);
            },
            n);
        return;
    }
    case handler_id::woox_api_keys: {
        auto& c = s.woox_client();
        const bool all = inv.options.flag("--all");
        const auto page = inv.options.integer("--page").value_or(woox::protocol::default_page);
        const auto size = inv.options.integer("--size").value_or(
            all ? woox::protocol::max_page_size : woox::protocol::default_page_size);
        s.start_calls(
            [&c, all, page, size]() -> asio::awaitable<call_result> {
                if (all) {
                    auto rows = co_await c.all_api_key_permissions(size);
                    if (!rows) {
                        co_return rows.error();
                    }
                    json::object o;
                    o["rows"] = rows_json(*rows);
                    o["total"] = rows->size();
                    co_return o;
                }
                auto p = co_await c.api_key_permissions(page, size);
                if (!p) {
                    co_return p.error();
                }
                json::object o;
                o["rows"] = rows_json(p->rows);
                o["meta"] = json::object{{"total", p->meta.total},
                                         {"recordsPerPage", p->meta.records_per_page},
                                         {"currentPage", p->meta.current_page}};
                co_return o;
            },
            n);
        return;
    }
    case handler_id::woox_server_time: {
        auto& c = s.woox_client();
        s.start_calls([&c]() { return server_time_call(c); }, n);
        return;
    }
    case handler_id::bingx_listen_key_generate: {
        auto& c = s.bingx_client();
        s.start_calls(
            [&c]() -> asio::awaitable<call_result> {
                auto k = co_await c.generate_listen_key();
                if (!k) {
                    co_return k.error();
                }
                co_return json::object{{"listenKey", k->key},
                                       {"validUntil", to_epoch_ms(k->valid_until)}};
            },
            n);
        return;
    }
    case handler_id::bingx_listen_key_extend:
    case handler_id::bingx_listen_key_delete: {
        auto& c = s.bingx_client();
        const bool extend = inv.cmd->handler == handler_id::bingx_listen_key_extend;
        const std::string& key = inv.operand;
        s.start_calls(
            [&c, extend, &key]() -> asio::awaitable<call_result> {
                // Two statements, not `extend ? co_await a : co_await b`: GCC 12 miscompiles
                // co_await inside a conditional expression (the result is destroyed twice).
                exsdk::result<void> r;
                if (extend) {
                    r = co_await c.extend_listen_key(key);
                } else {
                    r = co_await c.delete_listen_key(key);
                }
                if (!r) {
                    co_return r.error();
                }
                co_return json::object{{"listenKey", key}};
            },
            n);
        return;
    }
    case handler_id::bingx_server_time: {
        auto& c = s.bingx_client();
        s.start_calls([&c]() { return server_time_call(c); }, n);
        return;
    }
    case handler_id::woox_stream: {
        auto& c = s.woox_client();
        woox::session_config cfg;
        cfg.stream.url = stream_url(inv, woox::protocol::private_stream_path,
                                    woox::protocol::private_stream_url);
        cfg.stream.tls = c.get_config().tls; // the same CA as the REST calls
        if (auto topics = inv.options.text("--topics")) {
            cfg.topics = split_commas(*topics);
        }
        auto ses = std::make_shared<woox::listen_key_session>(c, cfg); // throws on a bad URL
        s.start_calls(
            [&s, ses]() {
                return run_stream(s, *ses, [](json::object& line, const woox::stream_event& e) {
                    line["eventType"] = e.topic; // one name on both exchanges
                    line["event"] = e.raw;
                });
            },
            1);
        return;
    }
    case handler_id::bingx_stream: {
        auto& c = s.bingx_client();
        bingx::session_config cfg;
        const bool spot = inv.options.text("--market") == "spot";
        cfg.market = spot ? bingx::market::spot : bingx::market::swap;
        cfg.stream.spot_url =
            stream_url(inv, bingx::protocol::spot_stream_path, bingx::protocol::spot_stream_url);
        cfg.stream.swap_url =
            stream_url(inv, bingx::protocol::swap_stream_path, bingx::protocol::swap_stream_url);
        cfg.stream.tls = c.get_config().tls; // the same CA as the REST calls
        auto ses = std::make_shared<bingx::listen_key_session>(c, cfg);
        s.start_calls(
            [&s, ses]() {
                return run_stream(s, *ses, [](json::object& line, const bingx::stream_event& e) {
                    line["eventType"] = e.type;
                    line["event"] = e.raw;
                });
            },
            1);
        return;
    }
    }
}

} // namespace

int run_invocation(const invocation& inv, std::FILE* out, std::FILE* err) {
    asio::io_context ioc(1);
    session s(ioc, inv, out, err);
    try {
        start_command(s);
    } catch (const exsdk::exception& e) {
        // An unusable client config (bad base URL, unreadable CA file): a usage error.
        std::string msg =
            redact(e.get_error().message, std::vector<std::string>{inv.globals.secret});
        std::fprintf(err, "exsdk: %s\n", msg.c_str());
        return exit_usage;
    }
    ioc.run();
    return s.failed() ? exit_failed : exit_ok;
}

} // namespace exsdk::cli

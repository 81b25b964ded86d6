#include "detail/object_strand.hpp"
#include "redis/connection.hpp"
#include "redis/limit_scripts.hpp"
#include "redis/redis_url.hpp"

#include <exsdk/redis_limit_store.hpp>
#include <exsdk/sliding_window_limiter.hpp>
#include <exsdk/timer.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <charconv>
#include <cmath>
#include <map>
#include <mutex>
#include <random>
#include <stdexcept>
#include <vector>

namespace exsdk {

namespace r = detail::redis;
using boost::system::error_code;
using std::chrono::microseconds;

namespace {

r::redis_url url_or_throw(const redis_config& cfg) {
    auto u = r::parse_redis_url(cfg.url);
    if (!u) {
        throw exception(u.error());
    }
    if (!cfg.username.empty()) {
        u->username = cfg.username;
    }
    if (!cfg.password.empty()) {
        u->password = std::string(cfg.password.reveal());
    }
    if (!u->username.empty() && u->password.empty()) {
        throw exception(error(errc::invalid_argument, "Redis: a user name needs a password"));
    }
    return *u;
}

void check_config(const redis_config& cfg) {
    if (cfg.on_failure == redis_failure_policy::local_fallback &&
        !(cfg.fallback_share > 0.0 && cfg.fallback_share <= 1.0)) {
        throw exception(error(errc::invalid_argument,
                              "Redis: local_fallback needs a fallback_share in (0, 1], e.g. 1/N "
                              "for N processes"));
    }
    if (!(cfg.margin_fraction >= 0.0 && cfg.margin_fraction < 1.0)) {
        throw exception(error(errc::invalid_argument, "Redis: margin_fraction must be in [0, 1)"));
    }
    if (cfg.command_timeout <= clock::duration::zero() ||
        cfg.connect_timeout <= clock::duration::zero()) {
        throw exception(error(errc::invalid_argument, "Redis: timeouts must be > 0"));
    }
}

std::string random_id() {
    std::random_device rd;
    const std::uint64_t v = (std::uint64_t{rd()} << 32) ^ rd();
    static constexpr char digits[] = "0123456789abcdef";
    std::string s(16, '0');
    for (int i = 0; i < 16; ++i) {
        s[static_cast<std::size_t>(i)] = digits[(v >> (4 * (15 - i))) & 0xf];
    }
    return s;
}

clock::duration margin_of(std::chrono::milliseconds window, double fraction) {
    return std::chrono::duration_cast<clock::duration>(window * fraction);
}

} // namespace

namespace detail::redis {

// One limit as the store keeps it: its script arguments and its in-process fallback.
struct store_limit {
    script_limit script;
    std::shared_ptr<sliding_window_limiter> fallback; // null: the share leaves no request
};

// The store's state, shared by the public object and every limiter it made.
struct store_state : std::enable_shared_from_this<store_state> {
    detail::object_strand strand;
    redis_config cfg;
    std::shared_ptr<clock> clk;
    r::redis_url url;
    std::string url_text;
    std::shared_ptr<r::connection> conn;

    // On the strand.
    std::string member_prefix = random_id() + ":";
    std::uint64_t next_member = 0;
    bool local = false; // local_fallback in force
    bool stopped = false;
    // Calls waiting for their reserved start: woken when Redis is lost (their reservation can
    // no longer be confirmed), so the policy applies to them at once, not at their turn.
    struct waiter {
        timer* t = nullptr;
        bool lost = false;
    };
    std::vector<waiter*> waiters;

    // Limits by key (make_limiter may run on any thread).
    mutable std::mutex registry_mutex;
    std::map<std::string, std::shared_ptr<store_limit>, std::less<>> registry;

    std::atomic<bool> local_flag{false};
    std::atomic<std::uint64_t> acquires{0}, local_acquires{0}, unavailable{0}, switches{0},
        returns{0};
    mutable std::mutex reason_mutex;
    std::string reason; // why calls last failed or fell back

    store_state(asio::any_io_executor ex, redis_config c, std::shared_ptr<clock> k)
        : strand(detail::make_object_strand(ex)), cfg(std::move(c)),
          clk(k ? std::move(k) : system_clock()), url(url_or_throw(cfg)),
          url_text(r::printable(url)) {
        check_config(cfg);
    }

    void init() {
        r::connection_config cc;
        cc.url = url;
        cc.tls = cfg.tls;
        cc.connect_timeout = cfg.connect_timeout;
        cc.command_timeout = cfg.command_timeout;
        cc.reconnect_min = cfg.reconnect_min;
        cc.reconnect_max = cfg.reconnect_max;
        cc.health_check_interval = cfg.health_check_interval;
        cc.max_pending = std::max<std::size_t>(cfg.max_pending_commands, 1);
        // Load the scripts on every connect, so that EVALSHA finds them after a restart too.
        for (const auto* s : {&r::acquire_script(), &r::hold_script()}) {
            std::string load;
            const std::array<std::string_view, 3> args{"SCRIPT", "LOAD", s->body};
            r::append_command(load, args);
            cc.on_connect.push_back(std::move(load));
        }
        std::weak_ptr<store_state> weak = weak_from_this();
        r::connection::events ev;
        ev.on_up = [weak] {
            if (auto self = weak.lock()) {
                self->on_up();
            }
        };
        ev.on_down = [weak](const std::string& why) {
            if (auto self = weak.lock()) {
                self->on_down(why);
            }
        };
        conn = std::make_shared<r::connection>(strand, std::move(cc), clk, std::move(ev));
    }

    std::chrono::milliseconds slack() const {
        return std::chrono::duration_cast<std::chrono::milliseconds>(cfg.key_expiry_slack);
    }

    r::script_now script_now() const {
        if (cfg.time_source == redis_time_source::local) {
            return std::chrono::duration_cast<microseconds>(clk->now().time_since_epoch()).count();
        }
        return std::nullopt;
    }

    // A reserved start on the script's time line, on this process's clock.
    clock::time_point to_local(const r::acquire_reply& a, clock::time_point received) const {
        if (cfg.time_source == redis_time_source::local) {
            return clock::time_point(microseconds(a.start_us));
        }
        return received + microseconds(a.start_us - a.now_us);
    }

    void set_reason(std::string why) {
        std::lock_guard lock(reason_mutex);
        reason = std::move(why);
    }
    std::string get_reason() const {
        std::lock_guard lock(reason_mutex);
        return reason;
    }

    std::vector<std::shared_ptr<store_limit>> all_limits() const {
        std::lock_guard lock(registry_mutex);
        std::vector<std::shared_ptr<store_limit>> out;
        for (const auto& [k, v] : registry) {
            out.push_back(v);
        }
        return out;
    }

    // The failure policy (on the strand). Redis cannot serve: with local_fallback, every limit
    // switches to its in-process share, held for one whole window first. Starts granted through
    // Redis all happened while it answered (a call that waited confirms its reservation first),
    // so no window holds both fleet-wide starts of before and local starts of after the switch.
    void on_down(const std::string& why) {
        set_reason("Redis limit store " + url_text + " unavailable: " + why);
        if (cfg.on_failure == redis_failure_policy::local_fallback) {
            enter_fallback();
        }
        wake_waiters();
    }

    void wake_waiters() {
        for (auto* w : waiters) {
            w->lost = true;
            w->t->cancel();
        }
        waiters.clear();
    }

    void enter_fallback() {
        if (local || stopped) {
            return;
        }
        local = true;
        local_flag.store(true, std::memory_order_relaxed);
        switches.fetch_add(1, std::memory_order_relaxed);
        const auto now = clk->now();
        for (const auto& l : all_limits()) {
            if (l->fallback) {
                l->fallback->hold_until(now + l->fallback->effective_window());
            }
        }
    }

    // Redis answers again: hand it the starts made locally that still count, then use it.
    void on_up() {
        if (!local) {
            return;
        }
        const auto now = clk->now();
        for (const auto& l : all_limits()) {
            if (!l->fallback) {
                continue;
            }
            const auto starts = l->fallback->starts_after(now - l->fallback->effective_window());
            if (starts.empty()) {
                continue;
            }
            std::vector<std::pair<std::int64_t, std::string>> offsets;
            for (auto s : starts) {
                offsets.emplace_back(std::chrono::duration_cast<microseconds>(s - now).count(),
                                     member_prefix + "local:" + std::to_string(next_member++));
            }
            std::string cmd;
            r::append_record(cmd, l->script, script_now(), offsets, slack());
            conn->send(std::move(cmd));
        }
        local = false;
        local_flag.store(false, std::memory_order_relaxed);
        returns.fetch_add(1, std::memory_order_relaxed);
    }

    // EVALSHA, or EVAL when the server does not know the script (restarted, SCRIPT FLUSH).
    template <class Append>
    asio::awaitable<std::tuple<error_code, r::reply>> eval(Append append) {
        std::string cmd;
        append(cmd, false);
        auto [ec, rep] =
            co_await conn->async_exec(std::move(cmd), asio::as_tuple(asio::use_awaitable));
        if (!ec && r::is_noscript(rep.view())) {
            std::string again;
            append(again, true);
            std::tie(ec, rep) =
                co_await conn->async_exec(std::move(again), asio::as_tuple(asio::use_awaitable));
        }
        co_return std::tuple<error_code, r::reply>(ec, std::move(rep));
    }

    void shutdown() {
        if (stopped) {
            return;
        }
        stopped = true;
        set_reason("Redis limit store " + url_text + " was closed");
        conn->stop();
        wake_waiters();
    }
};

} // namespace detail::redis

namespace {

using r::store_limit;

// "<prefix><number>" in a buffer of its own (member ids, times): no heap per call.
class number_text {
public:
    number_text(std::string_view prefix, std::int64_t n) {
        const auto p = std::min(prefix.size(), buf_.size() - 24);
        std::copy_n(prefix.data(), p, buf_.data());
        const auto r = std::to_chars(buf_.data() + p, buf_.data() + buf_.size(), n);
        size_ = static_cast<std::size_t>(r.ptr - buf_.data());
    }
    std::string_view view() const { return {buf_.data(), size_}; }

private:
    std::array<char, 64> buf_{};
    std::size_t size_ = 0;
};

class redis_call_limiter final : public call_limiter,
                                 public std::enable_shared_from_this<redis_call_limiter> {
public:
    using store_impl = r::store_state;

    redis_call_limiter(std::shared_ptr<store_impl> store,
                       std::vector<std::shared_ptr<store_limit>> limits)
        : store_(std::move(store)), limits_(std::move(limits)), script_(scripts_of(limits_)),
          command_(script_, store_->slack()) {
        for (const auto& l : limits_) {
            fallback_ok_ = fallback_ok_ && l->fallback != nullptr;
            fallback_[fallback_size_++] = l->fallback.get();
        }
    }

    asio::awaitable<error_code> acquire() override {
        return detail::on_strand(store_->strand, acquire_body(shared_from_this()));
    }

    asio::awaitable<void> hold_for(clock::duration wait) override {
        return detail::on_strand(store_->strand, hold_body(shared_from_this(), wait));
    }

    std::string failure_reason() const override { return store_->get_reason(); }

private:
    static asio::awaitable<error_code> acquire_body(std::shared_ptr<redis_call_limiter> self) {
        co_await asio::this_coro::throw_if_cancelled(false);
        auto& st = *self->store_;
        if (st.stopped) {
            co_return self->unavailable();
        }
        if (st.local) {
            co_return co_await self->acquire_local();
        }
        // The per-call arguments, formatted on the stack.
        number_text member(st.member_prefix, static_cast<std::int64_t>(st.next_member++));
        std::optional<std::int64_t> confirm;
        bool rechecked = false;
        for (;;) {
            const auto sent = st.clk->now();
            const auto now = st.script_now();
            const number_text now_text({}, now.value_or(0));
            const number_text confirm_text({}, confirm.value_or(0));
            auto [ec, rep] = co_await st.eval([&](std::string& out, bool by_body) {
                self->command_.append(out, by_body, now ? now_text.view() : std::string_view(),
                                      member.view(),
                                      confirm ? confirm_text.view() : std::string_view());
            });
            const auto cs = co_await asio::this_coro::cancellation_state;
            if (cs.cancelled() != asio::cancellation_type::none) {
                self->release(member.view()); // the script may have run: give it back
                co_return make_error_code(errc::cancelled);
            }
            std::optional<r::acquire_reply> a;
            if (!ec) {
                auto parsed = r::parse_acquire(rep.view());
                if (parsed) {
                    a = *parsed;
                } else {
                    // A server that answers errors cannot be relied on: treat it as lost.
                    st.conn->reset(parsed.error().message);
                    st.set_reason("Redis limit store " + st.url_text + ": " +
                                  parsed.error().message);
                }
            } else {
                st.set_reason(
                    "Redis limit store " + st.url_text + " unavailable: " +
                    (st.conn->last_error().empty() ? ec.message() : st.conn->last_error()));
            }
            if (!a) {
                self->release(member.view());
                co_return co_await self->on_failure();
            }
            const auto received = st.clk->now();
            if (a->confirmed) {
                break;
            }
            const auto start = st.to_local(*a, received);
            if (start <= received) {
                // A start granted now goes now, unless the answer took longer than the margin
                // to arrive (a descheduled process): then the server checks the lateness once.
                if (rechecked || received - sent <= self->command_.late_tolerance()) {
                    break;
                }
                rechecked = true;
                confirm = a->start_us;
                continue;
            }
            timer t(st.strand, st.clk);
            t.expires_at(start);
            r::store_state::waiter w{&t};
            st.waiters.push_back(&w);
            auto [wait_ec] = co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
            std::erase(st.waiters, &w);
            if (w.lost) {
                const auto state = co_await asio::this_coro::cancellation_state;
                if (state.cancelled() != asio::cancellation_type::none) {
                    co_return make_error_code(errc::cancelled);
                }
                co_return co_await self->on_failure(); // Redis went away during the wait
            }
            if (wait_ec) {
                self->release(member.view());
                co_return make_error_code(errc::cancelled);
            }
            // Confirm before going: a hold may have come in meanwhile (then the reservation
            // moves behind it), a descheduled process may be late for its turn (then it queues
            // again), and Redis must still be there.
            confirm = a->start_us;
        }
        st.acquires.fetch_add(1, std::memory_order_relaxed);
        co_return error_code{};
    }

    // Redis failed this call: the policy decides.
    asio::awaitable<error_code> on_failure() {
        auto& st = *store_;
        if (st.cfg.on_failure != redis_failure_policy::local_fallback || st.stopped) {
            co_return unavailable();
        }
        st.enter_fallback();
        co_return co_await acquire_local();
    }

    asio::awaitable<error_code> acquire_local() {
        if (!fallback_ok_) {
            store_->set_reason("Redis unavailable and the local_fallback share of this call's "
                               "limits is below one request per window");
            co_return unavailable();
        }
        auto ec = co_await sliding_window_limiter::acquire_all({fallback_.data(), fallback_size_});
        if (!ec) {
            store_->local_acquires.fetch_add(1, std::memory_order_relaxed);
        }
        co_return ec;
    }

    error_code unavailable() {
        store_->unavailable.fetch_add(1, std::memory_order_relaxed);
        return make_error_code(errc::limiter_unavailable);
    }

    void release(std::string_view member) {
        std::string cmd;
        r::append_release(cmd, script_, member);
        store_->conn->send(std::move(cmd));
    }

    static asio::awaitable<void> hold_body(std::shared_ptr<redis_call_limiter> self,
                                           clock::duration wait) {
        co_await asio::this_coro::throw_if_cancelled(false);
        auto& st = *self->store_;
        if (self->fallback_[0] != nullptr) {
            self->fallback_[0]->hold_until(st.clk->now() + wait);
        }
        if (st.stopped || st.local) {
            co_return;
        }
        const auto us = std::chrono::duration_cast<microseconds>(wait);
        (void)co_await st.eval([&](std::string& out, bool by_body) {
            r::append_hold(out, by_body, self->script_.front(), st.script_now(), us, st.slack());
        });
    }

    static std::vector<r::script_limit>
    scripts_of(const std::vector<std::shared_ptr<store_limit>>& limits) {
        std::vector<r::script_limit> out;
        for (const auto& l : limits) {
            out.push_back(l->script);
        }
        return out;
    }

    std::shared_ptr<store_impl> store_;
    std::vector<std::shared_ptr<store_limit>> limits_;
    std::vector<r::script_limit> script_;
    r::acquire_command command_;
    std::array<sliding_window_limiter*, sliding_window_limiter::max_limiters_per_call> fallback_{};
    std::size_t fallback_size_ = 0;
    bool fallback_ok_ = true;
};

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
    std::vector<std::shared_ptr<store_limit>> set;
    std::lock_guard lock(impl_->registry_mutex);
    for (const auto& l : limits) {
        if (!l.limit.enabled() || l.name.empty()) {
            throw std::invalid_argument("exsdk: a named limit needs a name, requests and window");
        }
        std::string k = key(scope, l.name);
        auto it = impl_->registry.find(k);
        if (it == impl_->registry.end()) {
            auto sl = std::make_shared<store_limit>();
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
    return std::make_shared<redis_call_limiter>(impl_, std::move(set));
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

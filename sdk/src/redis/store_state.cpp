// The Redis limit store's shared state (store_state.hpp): configuration checks, the connection
// (scripts loaded on every connect), and the failure policy: while Redis cannot serve, with
// local_fallback every limit switches to its in-process share; when Redis answers again, the
// starts made locally that still count are handed to it.
#include "redis/store_state.hpp"

#include <algorithm>
#include <array>
#include <random>
#include <string_view>
#include <utility>

namespace exsdk::detail::redis {

using std::chrono::microseconds;

namespace {

redis_url url_or_throw(const redis_config& cfg) {
    auto u = parse_redis_url(cfg.url);
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

} // namespace

store_state::store_state(asio::any_io_executor ex, redis_config c, std::shared_ptr<clock> k)
    : strand(detail::make_object_strand(ex)), cfg(std::move(c)),
      clk(k ? std::move(k) : system_clock()), url(url_or_throw(cfg)), url_text(printable(url)),
      member_prefix(random_id() + ":") {
    check_config(cfg);
}

void store_state::init() {
    connection_config cc;
    cc.url = url;
    cc.tls = cfg.tls;
    cc.connect_timeout = cfg.connect_timeout;
    cc.command_timeout = cfg.command_timeout;
    cc.reconnect_min = cfg.reconnect_min;
    cc.reconnect_max = cfg.reconnect_max;
    cc.health_check_interval = cfg.health_check_interval;
    cc.max_pending = std::max<std::size_t>(cfg.max_pending_commands, 1);
    // Load the scripts on every connect, so that EVALSHA finds them after a restart too.
    for (const auto* s : {&acquire_script(), &hold_script()}) {
        std::string load;
        const std::array<std::string_view, 3> args{"SCRIPT", "LOAD", s->body};
        append_command(load, args);
        cc.on_connect.push_back(std::move(load));
    }
    std::weak_ptr<store_state> weak = weak_from_this();
    connection::events ev;
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
    conn = std::make_shared<connection>(strand, std::move(cc), clk, std::move(ev));
}

void store_state::set_reason(std::string why) {
    std::lock_guard lock(reason_mutex);
    reason = std::move(why);
}

std::string store_state::get_reason() const {
    std::lock_guard lock(reason_mutex);
    return reason;
}

std::vector<std::shared_ptr<store_limit>> store_state::all_limits() const {
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
void store_state::on_down(const std::string& why) {
    set_reason("Redis limit store " + url_text + " unavailable: " + why);
    if (cfg.on_failure == redis_failure_policy::local_fallback) {
        enter_fallback();
    }
    wake_waiters();
}

void store_state::wake_waiters() {
    for (auto* w : waiters) {
        w->lost = true;
        w->t->cancel();
    }
    waiters.clear();
}

void store_state::enter_fallback() {
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
void store_state::on_up() {
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
        append_record(cmd, l->script, script_now(), offsets, slack());
        conn->send(std::move(cmd));
    }
    local = false;
    local_flag.store(false, std::memory_order_relaxed);
    returns.fetch_add(1, std::memory_order_relaxed);
}

void store_state::shutdown() {
    if (stopped) {
        return;
    }
    stopped = true;
    set_reason("Redis limit store " + url_text + " was closed");
    conn->stop();
    wake_waiters();
}

} // namespace exsdk::detail::redis

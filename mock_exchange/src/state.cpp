#include "http_message.hpp"
#include "state.hpp"

#include <boost/asio/ip/address.hpp>

#include <algorithm>
#include <stdexcept>

namespace exsdk::mock::detail {

bool key_record::ip_allowed(std::string_view peer) const noexcept {
    if (allowed_ips.empty()) {
        return true;
    }
    for (const auto& ip : allowed_ips) {
        if (ip == peer) {
            return true;
        }
    }
    return false;
}

namespace {

key_record make_record(venue v, const api_key_entry& k, std::int64_t account_id,
                       std::size_t index) {
    key_record r{v, k.api_key, hmac_sha256(k.secret), false, {}, account_id, index};
    for (const auto& p : k.permissions) {
        r.can_read = r.can_read || iequals(p, "READ");
    }
    for (const auto& ip : k.allowed_ips) {
        auto addr = boost::asio::ip::make_address(ip); // validated before
        if (addr.is_v6() && addr.to_v6().is_v4_mapped()) {
            addr = boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, addr.to_v6());
        }
        r.allowed_ips.push_back(addr.to_string());
    }
    return r;
}

} // namespace

account_index::account_index(mock::accounts a) : accounts_(std::move(a)) {
    accounts_.validate();
    for (std::size_t i = 0; i < accounts_.woox.size(); ++i) {
        for (const auto& k : accounts_.woox[i].api_keys) {
            woox_.emplace(k.api_key, make_record(venue::woox, k, accounts_.woox[i].user_id, i));
        }
    }
    for (std::size_t i = 0; i < accounts_.bingx.size(); ++i) {
        for (const auto& k : accounts_.bingx[i].api_keys) {
            bingx_.emplace(k.api_key, make_record(venue::bingx, k, accounts_.bingx[i].uid, i));
        }
    }
}

const key_record* account_index::find(venue v, std::string_view api_key) const {
    const auto& m = v == venue::woox ? woox_ : bingx_;
    auto it = m.find(api_key);
    return it == m.end() ? nullptr : &it->second;
}

shared_state::shared_state(const config& c)
    : cfg(c), clock(c.clock ? c.clock : exsdk::system_clock()),
      accounts(std::make_shared<const account_index>(c.accounts)),
      listen_keys(c.seed, c.bingx_max_listen_keys_per_uid),
      journal(c.journal_capacity, c.journal_max_bytes), streams(c) {}

void shared_state::record(journal_entry e) {
    journal.push(std::move(e));
}

namespace {

/// When the last of `windows` will be empty; nullopt when all are empty now.
template <std::size_t N>
std::optional<clock::time_point> windows_end(std::array<sliding_window, N>& windows,
                                             clock::time_point now,
                                             const std::array<std::chrono::milliseconds, N>& w) {
    std::optional<clock::time_point> end;
    for (std::size_t i = 0; i < N; ++i) {
        if (auto e = windows[i].ends_at(now, w[i])) {
            end = std::max(end.value_or(*e), *e);
        }
    }
    return end;
}

} // namespace

void shared_state::sweep_locked() {
    const auto now = clock->now();
    listen_keys.sweep(clock->wall_ms());
    const auto& lim = cfg.limits;
    woox_windows.sweep(now, [&](auto& w, auto t) {
        return windows_end(w, t, {lim.woox_listen_key.window, lim.woox_credentials.window});
    });
    bingx_uid_windows.sweep(now, [&](auto& w, auto t) {
        const auto uid = lim.bingx_uid.window;
        return windows_end(w, t, {uid, uid, uid});
    });
    bingx_ips.sweep(now, [&](bingx_ip_windows& ip, clock::time_point t) {
        auto end = ip.group.ends_at(t, lim.bingx_ip_group.window);
        const auto ep = lim.bingx_ip_endpoint.window;
        if (auto e = windows_end(ip.per_endpoint, t, {ep, ep, ep})) {
            end = std::max(end.value_or(*e), *e);
        }
        return end;
    });
    bingx_disabled_until.sweep(now, [](auto& until, clock::time_point t) {
        const auto last = *std::max_element(until.begin(), until.end());
        return last > t ? std::optional(last) : std::nullopt;
    });
    bingx_errors.sweep(now, [&](auto& slots, clock::time_point t) {
        std::optional<clock::time_point> end;
        for (auto& ew : slots) {
            while (!ew.errors.empty() && ew.errors.front().first <= t - lim.bingx_error_window) {
                ew.errors.pop_front();
            }
            auto e = ew.blocked_until;
            if (!ew.errors.empty()) {
                e = std::max(e, ew.errors.back().first + lim.bingx_error_window);
            }
            if (e > t) {
                end = std::max(end.value_or(e), e);
            }
        }
        return end;
    });
}

state_stats shared_state::stats_locked() {
    sweep_locked();
    state_stats s;
    s.woox_listen_keys = listen_keys.size(venue::woox);
    s.bingx_listen_keys = listen_keys.size(venue::bingx);
    s.bingx_listen_keys_max_per_uid = listen_keys.bingx_max_held();
    s.listen_key_watches = listen_keys.watch_count();
    s.woox_rate_windows = woox_windows.size();
    s.bingx_uid_rate_windows = bingx_uid_windows.size();
    s.bingx_ip_rate_windows = bingx_ips.size();
    for (const auto& [k, w] : woox_windows.entries()) {
        s.rate_window_starts += w[0].size() + w[1].size();
    }
    for (const auto& [k, w] : bingx_uid_windows.entries()) {
        for (const auto& x : w) {
            s.rate_window_starts += x.size();
        }
    }
    for (const auto& [k, ip] : bingx_ips.entries()) {
        s.rate_window_starts += ip.group.size();
        for (const auto& x : ip.per_endpoint) {
            s.rate_window_starts += x.size();
        }
    }
    s.bingx_disabled_periods = bingx_disabled_until.size();
    s.bingx_error_counters = bingx_errors.size();
    for (const auto& [k, slots] : bingx_errors.entries()) {
        for (const auto& ew : slots) {
            s.bingx_error_entries += ew.errors.size();
        }
    }
    s.journal_entries = journal.size();
    s.journal_bytes = journal.bytes();
    s.streams = streams.count(std::nullopt);
    s.stream_ips = streams.ip_count();
    s.faults = faults.size();
    return s;
}

void shared_state::publish(std::unique_lock<std::mutex>& lock, journal_entry e) {
    if (!cfg.on_request) {
        record(std::move(e));
        return;
    }
    record(e);
    lock.unlock(); // the observer runs outside the lock
    cfg.on_request(e);
}

std::optional<fault> shared_state::take_fault(std::string_view exchange, std::string_view method,
                                              std::string_view path) {
    for (auto it = faults.begin(); it != faults.end(); ++it) {
        if ((it->exchange.empty() || it->exchange == exchange) &&
            (it->method.empty() || iequals(it->method, method)) &&
            (it->path.empty() || it->path == path)) {
            fault f = *it;
            if (--it->count == 0) {
                faults.erase(it);
            }
            f.count = 1;
            return f;
        }
    }
    return std::nullopt;
}

void shared_state::reset_locked() {
    // Closed first, so the revocations below find the sockets already closing with 1012.
    streams.close_all(close_code::service_restart, "mock reset", false);
    listen_keys.clear();
    woox_windows.clear();
    bingx_uid_windows.clear();
    bingx_disabled_until.clear();
    bingx_ips.clear();
    bingx_errors.clear();
    journal.clear();
    faults.clear();
    metrics.reset();
}

void shared_state::set_accounts_locked(std::shared_ptr<const account_index> a) {
    accounts = std::move(a);
    listen_keys.revoke_unless([this](const listen_key_info& info) {
        const auto* rec = accounts->find(info.venue, info.api_key);
        return rec != nullptr && rec->account_id == info.account_id;
    });
}

std::optional<listen_key_info> shared_state::lookup_listen_key(venue v, std::string_view key) {
    std::lock_guard lock(mutex);
    if (const auto* info = listen_keys.find(v, key, clock->wall_ms())) {
        return *info;
    }
    return std::nullopt;
}

void shared_state::unwatch_listen_key(std::uint64_t id) {
    std::lock_guard lock(mutex);
    listen_keys.unwatch(id);
}

void validate_fault(const fault& f) {
    if (f.count == 0) {
        throw std::invalid_argument("count must be at least 1");
    }
    if (!f.exchange.empty() && !parse_venue(f.exchange)) {
        throw std::invalid_argument("exchange must be \"woox\", \"bingx\" or empty");
    }
    // 1xx is not a final answer: a client would wait for the real one forever.
    if (f.act == fault::action::respond && (f.status < 200 || f.status > 599)) {
        throw std::invalid_argument("status must be in 200..599, got " + std::to_string(f.status));
    }
    if (f.delay.count() < 0) {
        throw std::invalid_argument("delay must not be negative");
    }
    if (!f.path.empty() && f.path.front() != '/') {
        throw std::invalid_argument("path must start with '/'");
    }
}

} // namespace exsdk::mock::detail

namespace exsdk::mock {

const char* to_string(fault::action a) noexcept {
    switch (a) {
    case fault::action::respond: return "respond";
    case fault::action::delay: return "delay";
    case fault::action::drop: return "drop";
    }
    return "?";
}

} // namespace exsdk::mock

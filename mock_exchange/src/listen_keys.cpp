#include "listen_keys.hpp"

#include <exsdk/bingx/protocol.hpp>

#include <algorithm>

namespace exsdk::mock::detail {

std::string_view to_string(listen_key_event e) noexcept {
    switch (e) {
    case listen_key_event::replaced: return "replaced";
    case listen_key_event::deleted: return "deleted";
    case listen_key_event::extended: return "extended";
    case listen_key_event::revoked: return "revoked";
    case listen_key_event::expired: return "expired";
    case listen_key_event::retired: return "retired";
    }
    return "?";
}

listen_key_registry::listen_key_registry(std::uint64_t seed, std::size_t bingx_max_per_account)
    : rng_(seed != 0 ? seed
                     : ((std::uint64_t{std::random_device{}()} << 32U) | std::random_device{}())),
      bingx_max_(std::max<std::size_t>(bingx_max_per_account, 1)) {}

std::string listen_key_registry::make_key(venue v) {
    // WOO X authKeys: 32 alphanumerics. BingX listenKeys: 64 lowercase hex digits.
    static constexpr std::string_view alnum =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    static constexpr std::string_view hex = "0123456789abcdef";
    for (;;) {
        std::string k;
        if (v == venue::woox) {
            k.resize(32);
            for (auto& c : k) {
                c = alnum[rng_() % alnum.size()];
            }
        } else {
            k.resize(bingx::protocol::listen_key_hex_length);
            for (std::size_t i = 0; i < k.size(); i += 16) {
                auto r = rng_();
                for (std::size_t j = 0; j < 16 && i + j < k.size(); ++j, r >>= 4U) {
                    k[i + j] = hex[r & 0xfU];
                }
            }
        }
        if (!keys_.contains(k)) {
            return k;
        }
    }
}

const listen_key_info& listen_key_registry::issue(venue v, std::string_view api_key,
                                                  std::int64_t account_id, std::int64_t now_ms,
                                                  std::chrono::milliseconds lifetime) {
    sweep(now_ms);
    std::string key = make_key(v);
    if (v == venue::woox) {
        // "If a valid listen key already exists, the system will create a new one and
        // immediately expire the old key" (scope: the API key).
        if (auto cur = woox_current_.find(api_key); cur != woox_current_.end()) {
            const std::string old_key = std::move(cur->second);
            woox_current_.erase(cur);
            if (auto old = keys_.find(old_key); old != keys_.end()) {
                erase(old, listen_key_event::replaced);
            }
        }
        woox_current_.emplace(std::string(api_key), key);
    } else if (auto acct = bingx_accounts_.find(account_id);
               acct != bingx_accounts_.end() && acct->second.size() >= bingx_max_) {
        // Decision (mock): the UID's least recently generated or extended key makes room.
        erase(keys_.find(acct->second.front()->info.key), listen_key_event::retired);
    }
    listen_key_info info{v,          key,    std::string(api_key),
                         account_id, now_ms, now_ms + lifetime.count()};
    auto& e = keys_.emplace(std::move(key), entry{std::move(info), {}, {}}).first->second;
    e.by_expiry = by_expiry_.emplace(e.info.expires_ms, &e);
    if (v == venue::bingx) {
        auto& order = bingx_accounts_[account_id];
        e.in_account = order.insert(order.end(), &e);
    } else {
        ++woox_count_;
    }
    return e.info;
}

const listen_key_info* listen_key_registry::find(venue v, std::string_view key,
                                                 std::int64_t now_ms) {
    auto it = keys_.find(key);
    if (it == keys_.end() || it->second.info.venue != v) {
        return nullptr;
    }
    if (now_ms >= it->second.info.expires_ms) {
        erase(it, listen_key_event::expired);
        return nullptr;
    }
    return &it->second.info;
}

const listen_key_info* listen_key_registry::extend(std::string_view key, std::int64_t account_id,
                                                   std::int64_t now_ms,
                                                   std::chrono::milliseconds lifetime) {
    auto* info = find(venue::bingx, key, now_ms);
    if (info == nullptr || info->account_id != account_id) {
        return nullptr;
    }
    auto& e = keys_.find(key)->second;
    e.info.expires_ms = now_ms + lifetime.count();
    by_expiry_.erase(e.by_expiry);
    e.by_expiry = by_expiry_.emplace(e.info.expires_ms, &e);
    auto& order = bingx_accounts_[account_id];
    order.splice(order.end(), order, e.in_account); // now the most recently extended
    notify(e.info, listen_key_event::extended, false);
    return &e.info;
}

bool listen_key_registry::remove(std::string_view key, std::int64_t account_id,
                                 std::int64_t now_ms) {
    auto* info = find(venue::bingx, key, now_ms);
    if (info == nullptr || info->account_id != account_id) {
        return false;
    }
    erase(keys_.find(key), listen_key_event::deleted);
    return true;
}

void listen_key_registry::revoke_unless(const std::function<bool(const listen_key_info&)>& keep) {
    for (auto it = keys_.begin(); it != keys_.end();) {
        auto next = std::next(it);
        if (!keep(it->second.info)) {
            erase(it, listen_key_event::revoked);
        }
        it = next;
    }
}

void listen_key_registry::clear() {
    revoke_unless([](const listen_key_info&) { return false; });
    woox_current_.clear();
}

void listen_key_registry::erase(key_map::iterator it, listen_key_event why) {
    entry& e = it->second;
    by_expiry_.erase(e.by_expiry);
    if (e.info.venue == venue::bingx) {
        auto acct = bingx_accounts_.find(e.info.account_id);
        acct->second.erase(e.in_account);
        if (acct->second.empty()) {
            bingx_accounts_.erase(acct);
        }
    } else {
        --woox_count_;
        if (auto cur = woox_current_.find(e.info.api_key);
            cur != woox_current_.end() && cur->second == e.info.key) {
            woox_current_.erase(cur);
        }
    }
    listen_key_info info = std::move(e.info);
    keys_.erase(it);
    notify(info, why, true);
}

void listen_key_registry::notify(const listen_key_info& info, listen_key_event e, bool forget) {
    auto it = watchers_.find(info.key);
    if (it == watchers_.end()) {
        return;
    }
    if (!forget) {
        for (auto& w : it->second) {
            w.fn(info, e);
        }
        return;
    }
    auto list = std::move(it->second);
    watchers_.erase(it);
    for (auto& w : list) {
        watch_keys_.erase(w.id);
        w.fn(info, e);
    }
}

void listen_key_registry::sweep(std::int64_t now_ms) {
    while (!by_expiry_.empty() && by_expiry_.begin()->first <= now_ms) {
        erase(keys_.find(by_expiry_.begin()->second->info.key), listen_key_event::expired);
    }
}

std::size_t listen_key_registry::size(venue v) const noexcept {
    return v == venue::woox ? woox_count_ : keys_.size() - woox_count_;
}

std::size_t listen_key_registry::bingx_max_held() const noexcept {
    std::size_t most = 0;
    for (const auto& [uid, order] : bingx_accounts_) {
        most = std::max(most, order.size());
    }
    return most;
}

std::vector<listen_key_info> listen_key_registry::live(std::int64_t now_ms) {
    sweep(now_ms);
    std::vector<listen_key_info> out;
    out.reserve(keys_.size());
    for (const auto& [k, e] : keys_) {
        out.push_back(e.info);
    }
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
        return a.created_ms != b.created_ms ? a.created_ms < b.created_ms : a.key < b.key;
    });
    return out;
}

std::uint64_t listen_key_registry::watch(venue v, std::string_view key, watcher w) {
    (void)v; // keys are unique across venues
    const std::uint64_t id = next_watch_++;
    auto it = watchers_.find(key);
    if (it == watchers_.end()) {
        it = watchers_.emplace(std::string(key), std::vector<watch_entry>{}).first;
    }
    it->second.push_back({id, std::move(w)});
    watch_keys_.emplace(id, std::string(key));
    return id;
}

void listen_key_registry::unwatch(std::uint64_t id) {
    auto k = watch_keys_.find(id);
    if (k == watch_keys_.end()) {
        return;
    }
    if (auto it = watchers_.find(k->second); it != watchers_.end()) {
        std::erase_if(it->second, [id](const watch_entry& e) { return e.id == id; });
        if (it->second.empty()) {
            watchers_.erase(it);
        }
    }
    watch_keys_.erase(k);
}

} // namespace exsdk::mock::detail

// listen_key_registry: every live WOO X and BingX listen key, who owns it and when it expires.
// The REST handlers issue, extend and delete keys; the websocket half (WOO X /v3/private?key=,
// BingX /market and /swap-market?listenKey=) looks keys up on upgrade and watches them, so it
// can close the sockets of a key that was replaced, deleted or revoked.
//
// Bounded (docs/mock-exchange.md, "Bounded memory"): WOO X keeps one key per API key (a new one
// replaces it); BingX keeps at most `bingx_max_per_account` live keys per UID (generating one
// more retires the least recently generated or extended one, which is also the one that would
// expire first). Expired keys leave through an index ordered by expiry, so sweep() costs
// O(k log n) for the k keys due, never a scan of every key.
//
// Not thread-safe by itself: it lives in the shared state under its one mutex; shared_state
// offers the locked entry points (lookup_listen_key, unwatch_listen_key). Watches are added
// with the state lock already held (stream_hub::admit calls listen_keys.watch directly).
#pragma once

#include "venue.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <list>
#include <map>
#include <random>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace exsdk::mock::detail {

struct listen_key_info {
    detail::venue venue = venue::woox;
    std::string key;
    std::string api_key;         ///< the API key that created it
    std::int64_t account_id = 0; ///< WOO X userId or BingX uid
    std::int64_t created_ms = 0; ///< epoch ms on the mock's clock
    std::int64_t expires_ms = 0; ///< valid while now < expires_ms
};

enum class listen_key_event {
    replaced, ///< WOO X: the same API key created a new key; this one is dead
    deleted,  ///< BingX DELETE userDataStream
    extended, ///< BingX PUT userDataStream: expires_ms moved (the key stays valid)
    revoked,  ///< its API key was removed (set_accounts) or the state was reset
    expired,  ///< noticed expired while sweeping (may arrive late: use expires_ms for timing)
    retired,  ///< BingX: its UID generated one key more than the per-UID bound allows
};
std::string_view to_string(listen_key_event e) noexcept;

struct string_hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept {
        return std::hash<std::string_view>{}(s);
    }
};

class listen_key_registry {
public:
    /// Called with the key's state after the event, under the shared state's lock: it must only
    /// hand the news on (e.g. asio::post to the socket's executor), never block or call back.
    using watcher = std::function<void(const listen_key_info&, listen_key_event)>;

    /// `seed` 0: random. `bingx_max_per_account` (at least 1): live BingX keys per UID.
    listen_key_registry(std::uint64_t seed, std::size_t bingx_max_per_account);

    /// A new key (expired keys are swept first). For WOO X it replaces (kills) the API key's
    /// previous key; for BingX, when the account already holds the maximum, the least recently
    /// generated or extended key of the account is retired first.
    const listen_key_info& issue(venue v, std::string_view api_key, std::int64_t account_id,
                                 std::int64_t now_ms, std::chrono::milliseconds lifetime);
    /// The key if it exists and has not expired at `now_ms`, else nullptr.
    const listen_key_info* find(venue v, std::string_view key, std::int64_t now_ms);
    /// BingX extend: a live key of `account_id` now expires at now + lifetime. nullptr when
    /// the key is unknown, expired or another account's.
    const listen_key_info* extend(std::string_view key, std::int64_t account_id,
                                  std::int64_t now_ms, std::chrono::milliseconds lifetime);
    /// BingX delete: false when the key is unknown, expired or another account's.
    bool remove(std::string_view key, std::int64_t account_id, std::int64_t now_ms);
    /// Revokes every key whose API key `keep` rejects.
    void revoke_unless(const std::function<bool(const listen_key_info&)>& keep);
    /// Revokes every key; the generator keeps its sequence.
    void clear();

    std::uint64_t watch(venue v, std::string_view key, watcher w);
    void unwatch(std::uint64_t id);

    /// Erases every key expired at `now_ms` (watchers hear `expired`); O(k log n) for k keys.
    void sweep(std::int64_t now_ms);

    /// Every key live at `now_ms` (expired ones are swept first).
    std::vector<listen_key_info> live(std::int64_t now_ms);

    std::size_t size() const noexcept { return keys_.size(); }
    std::size_t size(venue v) const noexcept;
    /// The most live keys one BingX UID holds (at most bingx_max_per_account()).
    std::size_t bingx_max_held() const noexcept;
    std::size_t bingx_max_per_account() const noexcept { return bingx_max_; }
    /// Sockets watching a key.
    std::size_t watch_count() const noexcept { return watch_keys_.size(); }

private:
    struct entry;
    using key_map = std::unordered_map<std::string, entry, string_hash, std::equal_to<>>;
    using expiry_index = std::multimap<std::int64_t, entry*>;
    struct entry {
        listen_key_info info;
        expiry_index::iterator by_expiry;
        std::list<entry*>::iterator in_account; ///< BingX: its place in the UID's LRU list
    };

    std::string make_key(venue v);
    void erase(key_map::iterator it, listen_key_event why);
    void notify(const listen_key_info& info, listen_key_event e, bool forget);

    std::mt19937_64 rng_;
    std::size_t bingx_max_;
    key_map keys_;
    expiry_index by_expiry_; ///< every key, by expires_ms
    /// BingX: each UID's live keys, least recently generated or extended first.
    std::unordered_map<std::int64_t, std::list<entry*>> bingx_accounts_;
    std::size_t woox_count_ = 0;
    /// WOO X: API key -> its current listen key.
    std::unordered_map<std::string, std::string, string_hash, std::equal_to<>> woox_current_;
    struct watch_entry {
        std::uint64_t id;
        watcher fn;
    };
    std::unordered_map<std::string, std::vector<watch_entry>, string_hash, std::equal_to<>>
        watchers_;
    std::unordered_map<std::uint64_t, std::string> watch_keys_;
    std::uint64_t next_watch_ = 1;
};

} // namespace exsdk::mock::detail

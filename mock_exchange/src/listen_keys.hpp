// listen_key_registry: every live WOO X and BingX listen key, who owns it and when it expires.
// The REST handlers issue, extend and delete keys; the websocket half (WOO X /v3/private?key=,
// BingX /market and /swap-market?listenKey=) looks keys up on upgrade and watches them, so it
// can close the sockets of a key that was replaced, deleted or revoked.
//
// Not thread-safe by itself: it lives in the shared state under its one mutex; shared_state
// offers the locked entry points (lookup_listen_key, unwatch_listen_key). Watches are added
// with the state lock already held (stream_hub::admit calls listen_keys.watch directly).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <random>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace exsdk::mock::detail {

enum class venue : std::uint8_t { woox, bingx };
std::string_view to_string(venue v) noexcept;

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
    expired,  ///< noticed expired while pruning (may arrive late: use expires_ms for timing)
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

    /// `seed` 0: random.
    explicit listen_key_registry(std::uint64_t seed);

    /// A new key. For WOO X it replaces (kills) the API key's previous key.
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

    /// Every key live at `now_ms` (expired ones are pruned first).
    std::vector<listen_key_info> live(std::int64_t now_ms);

    std::size_t size() const noexcept { return keys_.size(); }

private:
    std::string make_key(venue v);
    void erase(
        std::unordered_map<std::string, listen_key_info, string_hash, std::equal_to<>>::iterator it,
        listen_key_event why);
    void notify(const listen_key_info& info, listen_key_event e, bool forget);
    void prune(std::int64_t now_ms);

    std::mt19937_64 rng_;
    std::unordered_map<std::string, listen_key_info, string_hash, std::equal_to<>> keys_;
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
    std::size_t prune_at_ = 1024;
};

} // namespace exsdk::mock::detail

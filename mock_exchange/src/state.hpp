// shared_state: everything the mock exchange remembers between requests (accounts, listen keys,
// rate windows, disabled periods, error blocks, journal, faults), guarded by one mutex. The
// sans-io handlers run with the mutex held; the server's C++ control API and the admin API lock
// it too, so tests may call them from any thread while the server runs.
//
// Bounded memory (docs/mock-exchange.md, "Bounded memory"): listen keys per UID / API key, rate
// windows (at most N starts each), error counters (at most limits.bingx_error_history errors per
// API key + endpoint) and the journal (entries and bytes) have bounds; the per-UID, per-IP and
// per-API-key entries leave once their windows, periods and blocks are over. sweep_locked()
// removes what the mock's clock has ended, doing only the due work; every request runs it.
#pragma once

#include "expiring_map.hpp"
#include "journal_log.hpp"
#include "listen_keys.hpp"
#include "metrics.hpp"
#include "sliding_window.hpp"
#include "streams.hpp"

#include <exsdk/clock.hpp>
#include <exsdk/hmac_sha256.hpp>
#include <exsdk/mock/accounts.hpp>
#include <exsdk/mock/config.hpp>
#include <exsdk/mock/fault.hpp>
#include <exsdk/mock/journal.hpp>
#include <exsdk/mock/state_stats.hpp>

#include <array>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace exsdk::mock::detail {

/// One API key, ready for the checks: pre-keyed signer, READ flag, normalised IP list.
struct key_record {
    detail::venue venue = venue::woox;
    std::string api_key;
    hmac_sha256 signer;
    bool can_read = false;
    std::vector<std::string> allowed_ips; ///< normalised text; empty: no restriction
    std::int64_t account_id = 0;          ///< WOO X userId / BingX uid
    std::size_t account_index = 0;        ///< into accounts().woox / .bingx

    bool ip_allowed(std::string_view peer) const noexcept;
};

/// Accounts plus lookups by API key. Immutable once built.
class account_index {
public:
    explicit account_index(mock::accounts a); ///< validates; throws std::invalid_argument
    const key_record* find(venue v, std::string_view api_key) const;
    const mock::accounts& all() const noexcept { return accounts_; }

private:
    using map = std::unordered_map<std::string, key_record, string_hash, std::equal_to<>>;
    mock::accounts accounts_;
    map woox_;
    map bingx_;
};

/// The rate-limited endpoints, for window and block tables.
enum class endpoint : std::uint8_t {
    woox_listen_key,
    woox_credentials,
    bingx_stream_post,
    bingx_stream_put,
    bingx_stream_delete,
};
inline constexpr std::size_t bingx_endpoint_count = 3;
/// 0..2 for the three BingX endpoints.
inline std::size_t bingx_slot(endpoint e) noexcept {
    return static_cast<std::size_t>(e) - static_cast<std::size_t>(endpoint::bingx_stream_post);
}

struct bingx_error_window {
    /// (when, code), oldest first; at most limits.bingx_error_history of them.
    std::deque<std::pair<clock::time_point, std::int64_t>> errors;
    clock::time_point blocked_until{};
    std::int64_t blocked_code = 0;
};

struct bingx_ip_windows {
    sliding_window group;
    std::array<sliding_window, bingx_endpoint_count> per_endpoint;
};

class shared_state {
public:
    shared_state(const config& cfg);

    const config& cfg; ///< owned by the server; immutable after construction
    const std::shared_ptr<exsdk::clock> clock;
    mutable std::mutex mutex;

    // ----- guarded by `mutex` (the handlers run with it held) -----------------------------
    std::shared_ptr<const account_index> accounts;
    listen_key_registry listen_keys;

    // Each entry leaves once everything in it is over (sweep_locked()).
    expiring_map<std::int64_t, std::array<sliding_window, 2>> woox_windows; ///< by userId
    expiring_map<std::int64_t, std::array<sliding_window, bingx_endpoint_count>>
        bingx_uid_windows; ///< by uid (slot 0 for all when the methods share one limit)
    expiring_map<std::int64_t, std::array<clock::time_point, bingx_endpoint_count>>
        bingx_disabled_until;                                           ///< by uid, per endpoint
    expiring_map<std::string, bingx_ip_windows, string_hash> bingx_ips; ///< by IP
    expiring_map<std::string, std::array<bingx_error_window, bingx_endpoint_count>, string_hash>
        bingx_errors; ///< by API key

    journal_log journal;
    std::deque<fault> faults; ///< added by the admin API only, consumed by requests

    /// The websocket account streams (its own mutex; lock order: this state's mutex first).
    stream_hub streams;

    /// GET /__admin/metrics (its own mutex and atomics; taken last, never held while calling
    /// out).
    mock_metrics metrics;

    /// Appends to the journal (bounded by cfg.journal_capacity and cfg.journal_max_bytes).
    void record(journal_entry e);
    /// Forgets what the mock's clock has ended: expired listen keys, rate windows, disabled
    /// periods and error counters that are over. Only the due entries are looked at.
    void sweep_locked();
    /// The entry counts of every bounded collection (sweeps first).
    state_stats stats_locked();
    /// Records `e` under `lock` (which must hold `mutex`), then, when cfg.on_request is set,
    /// unlocks and calls the observer outside the lock. Without an observer `lock` stays held.
    void publish(std::unique_lock<std::mutex>& lock, journal_entry e);
    /// The first pending fault matching the request, with its count consumed.
    std::optional<fault> take_fault(std::string_view exchange, std::string_view method,
                                    std::string_view path);
    /// Everything but accounts and clock back to the start state; every stream socket is
    /// closed (1012, not journaled).
    void reset_locked();
    /// Replaces the accounts; revokes listen keys of API keys that no longer exist.
    void set_accounts_locked(std::shared_ptr<const account_index> a);

    // ----- thread-safe (lock inside): for the websocket half -------------------------------
    std::optional<listen_key_info> lookup_listen_key(venue v, std::string_view key);
    void unwatch_listen_key(std::uint64_t id);
};

/// Throws std::invalid_argument when `f` can never apply.
void validate_fault(const fault& f);

} // namespace exsdk::mock::detail

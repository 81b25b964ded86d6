// exsdk::mock::state_stats: how many entries each collection of the mock's state holds that grows
// with traffic (server::stats(), GET /__admin/stats), after expired state was swept on the mock's
// clock. Every one has a bound (docs/mock-exchange.md, "Bounded memory"): tests and long
// benchmarks read these to check that the mock stays flat.
#pragma once

#include <cstddef>

namespace exsdk::mock {

struct state_stats {
    std::size_t woox_listen_keys = 0;  ///< live WOO X keys: at most one per API key
    std::size_t bingx_listen_keys = 0; ///< live BingX keys, every UID together
    /// The most live BingX keys one UID holds: at most config::bingx_max_listen_keys_per_uid.
    std::size_t bingx_listen_keys_max_per_uid = 0;
    std::size_t listen_key_watches = 0; ///< stream sockets watching their key

    std::size_t woox_rate_windows = 0;      ///< WOO X accounts with starts in a window
    std::size_t bingx_uid_rate_windows = 0; ///< BingX UIDs with starts in a window
    std::size_t bingx_ip_rate_windows = 0;  ///< client IPs with starts in a BingX IP window
    std::size_t rate_window_starts = 0;     ///< starts held by all of them (each window <= N)
    std::size_t bingx_disabled_periods = 0; ///< BingX UIDs with a disabled period running
    std::size_t bingx_error_counters = 0;   ///< BingX API keys with errors counted or a block
    std::size_t bingx_error_entries = 0;    ///< errors held by all of them

    std::size_t journal_entries = 0; ///< at most config::journal_capacity
    std::size_t journal_bytes = 0;   ///< at most config::journal_max_bytes (see there)

    std::size_t streams = 0;    ///< open stream sockets in the registry
    std::size_t stream_ips = 0; ///< client IPs with open stream sockets
    std::size_t faults = 0;     ///< pending faults (added by the admin API only)
};

} // namespace exsdk::mock

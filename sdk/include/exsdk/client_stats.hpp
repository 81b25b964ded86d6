// exsdk::client_stats: a snapshot of what a REST client has done since it was made
// (woox::client::stats(), bingx::client::stats()): calls and errors per operation, by errc and
// by the exchange's code, requests sent, retries by reason, and histograms of call latency and
// limiter wait. exsdk/prometheus.hpp writes it in Prometheus' text format.
//
// Always on and cheap: a call adds a few relaxed atomic increments (calls, latency bucket, sum;
// a rate-limited request one more for its limiter wait); errors take a mutex. Bounded: the
// operations are the client's fixed set, errcs a fixed enum, and at most
// max_exchange_codes distinct exchange codes are kept per operation (the rest are counted under
// other_exchange_code). stats() may be called from any thread while calls run; counters are
// read one by one, so a snapshot taken during calls may be a call apart between fields.
#pragma once

#include <exsdk/clock.hpp>
#include <exsdk/error.hpp>

#include <array>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

namespace exsdk {

/// A histogram of durations. `bucket_counts[i]` counts observations <= bounds[i] and greater
/// than bounds[i - 1] (not cumulative); the last entry counts those above every bound.
struct histogram_snapshot {
    std::vector<double> bounds_seconds;       ///< upper bounds, increasing
    std::vector<std::uint64_t> bucket_counts; ///< bounds_seconds.size() + 1 entries
    std::uint64_t count = 0;                  ///< the sum of bucket_counts
    double sum_seconds = 0;                   ///< the sum of the observations
};

/// The bucket bounds of every exsdk histogram: 0.5 ms to 120 s.
inline constexpr std::array<double, 17> histogram_bounds_seconds{
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120};

struct operation_stats {
    /// Exchange codes beyond max_exchange_codes per operation are counted under this code.
    static constexpr std::int64_t other_exchange_code = std::numeric_limits<std::int64_t>::min();
    static constexpr std::size_t max_exchange_codes = 32;

    std::string operation;      ///< "woox.create_listen_key", as in exsdk::error::operation
    std::uint64_t calls = 0;    ///< calls that ended (successes and errors)
    std::uint64_t errors = 0;   ///< calls that ended with an error
    std::uint64_t requests = 0; ///< requests sent (every attempt)
    std::uint64_t retries = 0;  ///< attempts after the first (retries_by_reason summed)
    /// Errors by errc, non-zero counts only, in errc order.
    std::vector<std::pair<errc, std::uint64_t>> errors_by_code;
    /// Errors by the exchange's code (non-zero codes only), ascending.
    std::vector<std::pair<std::int64_t, std::uint64_t>> errors_by_exchange_code;
    /// Retries by the errc of the failed attempt that caused them.
    std::vector<std::pair<errc, std::uint64_t>> retries_by_reason;
    histogram_snapshot latency;      ///< whole calls: first attempt to result, retries included
    histogram_snapshot limiter_wait; ///< per rate-limited request: waiting for its limiter slot
};

struct client_stats {
    std::string exchange;                    ///< "woox" or "bingx"
    std::vector<operation_stats> operations; ///< every operation of the client, used or not
    std::size_t open_connections = 0;        ///< the connection pool's, idle or in use
    clock::duration clock_offset{};          ///< exchange time minus local time, last sync
    std::uint64_t clock_syncs = 0;           ///< successful clock syncs
};

} // namespace exsdk

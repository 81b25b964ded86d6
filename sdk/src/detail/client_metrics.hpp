// detail::client_metrics: the counters and histograms behind client::stats() (private to the
// SDK). Written by calls on any thread: counters and histogram buckets are relaxed atomics (a
// call adds a few increments); the per-operation exchange-code table, touched only by errors,
// is mutex-guarded and bounded (operation_stats::max_exchange_codes).
#pragma once

#include <exsdk/client_stats.hpp>
#include <exsdk/clock.hpp>
#include <exsdk/error.hpp>

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

namespace exsdk::detail {

class histogram {
public:
    void observe(clock::duration d) noexcept;
    histogram_snapshot snapshot() const;

private:
    std::array<std::atomic<std::uint64_t>, histogram_bounds_seconds.size() + 1> buckets_{};
    std::atomic<std::int64_t> sum_ns_{0};
};

/// Counters indexed by an errc's value (values beyond the table are counted in its last slot).
class errc_counters {
public:
    static constexpr std::size_t slots = 32;
    void add(const error& e) noexcept;
    std::vector<std::pair<errc, std::uint64_t>> snapshot() const;

private:
    std::array<std::atomic<std::uint64_t>, slots> counts_{};
};

struct operation_metrics {
    std::string_view name;
    std::atomic<std::uint64_t> calls{0};
    std::atomic<std::uint64_t> errors{0};
    std::atomic<std::uint64_t> requests{0};
    errc_counters errors_by_code;
    errc_counters retries_by_reason;
    histogram latency;
    histogram limiter_wait;

    /// One more error with this exchange code (0: none, not counted).
    void count_exchange_code(std::int64_t code);
    operation_stats snapshot() const;

private:
    mutable std::mutex mutex_;
    std::vector<std::pair<std::int64_t, std::uint64_t>> exchange_codes_; // under mutex_, bounded
};

class client_metrics {
public:
    /// `operations`: the client's operation names (static text), indexed by call_info::op.
    explicit client_metrics(std::span<const std::string_view> operations);

    operation_metrics& op(std::size_t i) noexcept { return ops_[i]; }
    std::vector<operation_stats> snapshot() const;

    std::atomic<std::uint64_t> clock_syncs{0};

private:
    std::unique_ptr<operation_metrics[]> ops_;
    std::size_t count_ = 0;
};

} // namespace exsdk::detail

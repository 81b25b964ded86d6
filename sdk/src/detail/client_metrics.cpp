#include "detail/client_metrics.hpp"

#include <algorithm>

namespace exsdk::detail {

namespace {

constexpr auto bounds_ns = [] {
    std::array<std::int64_t, histogram_bounds_seconds.size()> out{};
    for (std::size_t i = 0; i < out.size(); ++i) {
        out[i] = static_cast<std::int64_t>(histogram_bounds_seconds[i] * 1e9);
    }
    return out;
}();

} // namespace

void histogram::observe(clock::duration d) noexcept {
    const std::int64_t ns = std::chrono::duration_cast<std::chrono::nanoseconds>(d).count();
    std::size_t i = 0;
    while (i < bounds_ns.size() && ns > bounds_ns[i]) {
        ++i;
    }
    buckets_[i].fetch_add(1, std::memory_order_relaxed);
    sum_ns_.fetch_add(ns, std::memory_order_relaxed);
}

histogram_snapshot histogram::snapshot() const {
    histogram_snapshot s;
    s.bounds_seconds.assign(histogram_bounds_seconds.begin(), histogram_bounds_seconds.end());
    s.bucket_counts.reserve(buckets_.size());
    for (const auto& b : buckets_) {
        s.bucket_counts.push_back(b.load(std::memory_order_relaxed));
        s.count += s.bucket_counts.back();
    }
    s.sum_seconds = static_cast<double>(sum_ns_.load(std::memory_order_relaxed)) / 1e9;
    return s;
}

void errc_counters::add(const error& e) noexcept {
    const auto v = static_cast<std::size_t>(std::max(e.code.value(), 0));
    counts_[std::min(v, slots - 1)].fetch_add(1, std::memory_order_relaxed);
}

std::vector<std::pair<errc, std::uint64_t>> errc_counters::snapshot() const {
    std::vector<std::pair<errc, std::uint64_t>> out;
    for (std::size_t i = 0; i < slots; ++i) {
        if (const auto n = counts_[i].load(std::memory_order_relaxed); n > 0) {
            out.emplace_back(static_cast<errc>(i), n);
        }
    }
    return out;
}

void operation_metrics::count_exchange_code(std::int64_t code) {
    if (code == 0) {
        return;
    }
    std::lock_guard lock(mutex_);
    auto it = std::find_if(exchange_codes_.begin(), exchange_codes_.end(),
                           [code](const auto& p) { return p.first == code; });
    if (it == exchange_codes_.end() &&
        exchange_codes_.size() >= operation_stats::max_exchange_codes) {
        code = operation_stats::other_exchange_code;
        it = std::find_if(exchange_codes_.begin(), exchange_codes_.end(),
                          [code](const auto& p) { return p.first == code; });
    }
    if (it == exchange_codes_.end()) {
        exchange_codes_.emplace_back(code, 1);
    } else {
        ++it->second;
    }
}

operation_stats operation_metrics::snapshot() const {
    operation_stats s;
    s.operation = std::string(name);
    s.calls = calls.load(std::memory_order_relaxed);
    s.errors = errors.load(std::memory_order_relaxed);
    s.requests = requests.load(std::memory_order_relaxed);
    s.errors_by_code = errors_by_code.snapshot();
    s.retries_by_reason = retries_by_reason.snapshot();
    for (const auto& [c, n] : s.retries_by_reason) {
        s.retries += n;
    }
    {
        std::lock_guard lock(mutex_);
        s.errors_by_exchange_code = exchange_codes_;
    }
    std::sort(s.errors_by_exchange_code.begin(), s.errors_by_exchange_code.end());
    s.latency = latency.snapshot();
    s.limiter_wait = limiter_wait.snapshot();
    return s;
}

client_metrics::client_metrics(std::span<const std::string_view> operations)
    : ops_(std::make_unique<operation_metrics[]>(operations.size())), count_(operations.size()) {
    for (std::size_t i = 0; i < count_; ++i) {
        ops_[i].name = operations[i];
    }
}

std::vector<operation_stats> client_metrics::snapshot() const {
    std::vector<operation_stats> out;
    out.reserve(count_);
    for (std::size_t i = 0; i < count_; ++i) {
        out.push_back(ops_[i].snapshot());
    }
    return out;
}

} // namespace exsdk::detail

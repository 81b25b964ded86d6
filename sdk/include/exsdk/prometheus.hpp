// The Prometheus text exposition format (version 0.0.4): a small writer (exsdk::foundation; the
// mock exchange's GET /__admin/metrics uses it too) and to_prometheus() for client stats
// (exsdk::sdk), so an engine can serve its clients' figures from its own /metrics page:
//
//   std::vector<exsdk::labelled_client_stats> all{
//       {woox_client.stats(), {{"client", "maker"}}},
//       {bingx_client.stats(), {{"client", "maker"}}}};
//   response.body = exsdk::to_prometheus(all);   // Content-Type: exsdk::prometheus_content_type
//
// Families written by to_prometheus() (labels: exchange, operation, plus the caller's):
//   exsdk_client_calls_total, exsdk_client_requests_total (counters), exsdk_client_errors_total
//   {code}, exsdk_client_exchange_errors_total {exchange_code} ("other" beyond the bound),
//   exsdk_client_retries_total {reason}, exsdk_client_call_duration_seconds and
//   exsdk_client_limiter_wait_seconds (histograms); per client (labels: exchange and the
//   caller's): exsdk_client_open_connections, exsdk_client_clock_offset_seconds (gauges),
//   exsdk_client_clock_syncs_total. Each family appears once (# HELP, # TYPE, then its samples
//   for every client given), as the format requires.
#pragma once

#include <exsdk/client_stats.hpp>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace exsdk {

/// The Content-Type of the text format.
inline constexpr std::string_view prometheus_content_type = "text/plain; version=0.0.4";

/// name -> value pairs added to samples. Names that are not valid Prometheus label names get
/// their invalid characters replaced by '_'; values are escaped.
using metric_labels = std::vector<std::pair<std::string, std::string>>;

/// Writes families and samples in the text format into a string.
class prometheus_writer {
public:
    enum class type { counter, gauge, histogram };

    explicit prometheus_writer(std::string& out) : out_(out) {}

    /// Starts a family: "# HELP name help" and "# TYPE name type". Call once per name, then
    /// write its samples.
    void family(std::string_view name, type t, std::string_view help);
    /// One sample `name{labels} value`.
    void sample(std::string_view name, const metric_labels& labels, double value);
    void sample(std::string_view name, const metric_labels& labels, std::uint64_t value);
    /// The samples of one histogram: cumulative _bucket lines (le=bounds, then +Inf), _sum and
    /// _count, from per-bucket (not cumulative) counts as in histogram_snapshot.
    void histogram(std::string_view name, const metric_labels& labels, const histogram_snapshot& h);

private:
    void labels_text(const metric_labels& labels, std::string_view extra_name = {},
                     std::string_view extra_value = {});
    std::string& out_;
};

/// One client's snapshot with the labels that tell it apart from the others on the page.
struct labelled_client_stats {
    client_stats stats;
    metric_labels labels;
};

/// Every family for the given clients (each family once, samples of every client under it).
std::string to_prometheus(std::span<const labelled_client_stats> clients);
/// One client.
std::string to_prometheus(const client_stats& stats, const metric_labels& labels = {});

} // namespace exsdk

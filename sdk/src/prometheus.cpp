#include <exsdk/prometheus.hpp>

#include <chrono>
#include <functional>

namespace exsdk {

namespace {

metric_labels with(const metric_labels& base,
                   std::initializer_list<std::pair<const char*, std::string>> more) {
    metric_labels out;
    out.reserve(base.size() + more.size());
    for (const auto& [k, v] : more) {
        out.emplace_back(k, v);
    }
    out.insert(out.end(), base.begin(), base.end());
    return out;
}

std::string exchange_code_label(std::int64_t code) {
    return code == operation_stats::other_exchange_code ? "other" : std::to_string(code);
}

} // namespace

std::string to_prometheus(std::span<const labelled_client_stats> clients) {
    std::string out;
    prometheus_writer w(out);
    using t = prometheus_writer::type;
    // One family at a time, every client's and operation's samples under it.
    auto per_operation =
        [&](const std::function<void(const metric_labels&, const operation_stats&)>& write) {
            for (const auto& c : clients) {
                for (const auto& op : c.stats.operations) {
                    write(with(c.labels,
                               {{"exchange", c.stats.exchange}, {"operation", op.operation}}),
                          op);
                }
            }
        };
    w.family("exsdk_client_calls_total", t::counter, "Calls that ended, per operation.");
    per_operation([&](const metric_labels& l, const operation_stats& op) {
        w.sample("exsdk_client_calls_total", l, op.calls);
    });
    w.family("exsdk_client_requests_total", t::counter,
             "HTTP requests sent, per operation (every attempt).");
    per_operation([&](const metric_labels& l, const operation_stats& op) {
        w.sample("exsdk_client_requests_total", l, op.requests);
    });
    w.family("exsdk_client_errors_total", t::counter,
             "Calls that ended with an error, per operation and exsdk::errc.");
    per_operation([&](const metric_labels& l, const operation_stats& op) {
        for (const auto& [code, n] : op.errors_by_code) {
            auto labels = l;
            labels.emplace_back("code", to_string(code));
            w.sample("exsdk_client_errors_total", labels, n);
        }
    });
    w.family("exsdk_client_exchange_errors_total", t::counter,
             "Calls that ended with an error carrying an exchange code, per operation and code.");
    per_operation([&](const metric_labels& l, const operation_stats& op) {
        for (const auto& [code, n] : op.errors_by_exchange_code) {
            auto labels = l;
            labels.emplace_back("exchange_code", exchange_code_label(code));
            w.sample("exsdk_client_exchange_errors_total", labels, n);
        }
    });
    w.family("exsdk_client_retries_total", t::counter,
             "Retried attempts, per operation and the exsdk::errc of the failed attempt.");
    per_operation([&](const metric_labels& l, const operation_stats& op) {
        for (const auto& [code, n] : op.retries_by_reason) {
            auto labels = l;
            labels.emplace_back("reason", to_string(code));
            w.sample("exsdk_client_retries_total", labels, n);
        }
    });
    w.family("exsdk_client_call_duration_seconds", t::histogram,
             "Call latency, first attempt to result, retries and limiter waits included.");
    per_operation([&](const metric_labels& l, const operation_stats& op) {
        w.histogram("exsdk_client_call_duration_seconds", l, op.latency);
    });
    w.family("exsdk_client_limiter_wait_seconds", t::histogram,
             "Time a rate-limited request waited for its limiter slot.");
    per_operation([&](const metric_labels& l, const operation_stats& op) {
        w.histogram("exsdk_client_limiter_wait_seconds", l, op.limiter_wait);
    });
    w.family("exsdk_client_open_connections", t::gauge,
             "Open connections of the client's pool, idle or in use.");
    for (const auto& c : clients) {
        w.sample("exsdk_client_open_connections", with(c.labels, {{"exchange", c.stats.exchange}}),
                 static_cast<std::uint64_t>(c.stats.open_connections));
    }
    w.family("exsdk_client_clock_offset_seconds", t::gauge,
             "Exchange time minus local time, as of the last clock sync.");
    for (const auto& c : clients) {
        w.sample("exsdk_client_clock_offset_seconds",
                 with(c.labels, {{"exchange", c.stats.exchange}}),
                 std::chrono::duration<double>(c.stats.clock_offset).count());
    }
    w.family("exsdk_client_clock_syncs_total", t::counter, "Successful clock syncs.");
    for (const auto& c : clients) {
        w.sample("exsdk_client_clock_syncs_total", with(c.labels, {{"exchange", c.stats.exchange}}),
                 c.stats.clock_syncs);
    }
    return out;
}

std::string to_prometheus(const client_stats& stats, const metric_labels& labels) {
    const labelled_client_stats one{stats, labels};
    return to_prometheus(std::span<const labelled_client_stats>(&one, 1));
}

} // namespace exsdk

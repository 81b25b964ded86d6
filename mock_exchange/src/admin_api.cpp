// The admin API (/__admin/...): JSON in and out, clear 400 errors, for tests in any language.
// This file holds the one dispatcher, handle_admin() (path and method -> handler), and the
// server's status endpoints (health, metrics, stats). The other handlers, grouped by what they
// touch, and the request/answer helpers they share are declared in admin_api.hpp:
// admin_control.cpp (clock, faults, journal), admin_accounts.cpp (accounts, listen keys, reset),
// admin_streams.cpp (events, drop, streams).
#include "admin_api.hpp"
#include "router.hpp"

#include <exsdk/prometheus.hpp>

#include <mutex>

namespace exsdk::mock::detail {
namespace admin {
namespace {

void health(response& res, shared_state& st, std::size_t connections) {
    std::size_t keys = 0;
    {
        std::lock_guard lock(st.mutex);
        keys = st.listen_keys.size();
    }
    res.json(200);
    json_writer(res.body)
        .raw(R"({"status":"ok","time_ms":)")
        .num(st.clock->wall_ms())
        .raw(R"(,"clock":)")
        .str(st.clock->scheduler() != nullptr ? "manual" : "system")
        .raw(R"(,"connections":)")
        .num(static_cast<std::int64_t>(connections))
        .raw(R"(,"listen_keys":)")
        .num(static_cast<std::int64_t>(keys))
        .raw("}");
}

void metrics(response& res, shared_state& st, std::size_t connections) {
    res.status = 200;
    res.content_type = prometheus_content_type;
    res.body = st.metrics.page({st.streams.count(venue::woox), st.streams.count(venue::bingx)},
                               connections);
}

void stats(response& res, shared_state& st) {
    state_stats s;
    {
        std::lock_guard lock(st.mutex);
        s = st.stats_locked();
    }
    res.json(200);
    json_writer w(res.body);
    bool first = true;
    auto field = [&](std::string_view name, std::size_t v) {
        w.raw(first ? "{" : ",").key(name).num(static_cast<std::int64_t>(v));
        first = false;
    };
    field("woox_listen_keys", s.woox_listen_keys);
    field("bingx_listen_keys", s.bingx_listen_keys);
    field("bingx_listen_keys_max_per_uid", s.bingx_listen_keys_max_per_uid);
    field("listen_key_watches", s.listen_key_watches);
    field("woox_rate_windows", s.woox_rate_windows);
    field("bingx_uid_rate_windows", s.bingx_uid_rate_windows);
    field("bingx_ip_rate_windows", s.bingx_ip_rate_windows);
    field("rate_window_starts", s.rate_window_starts);
    field("bingx_disabled_periods", s.bingx_disabled_periods);
    field("bingx_error_counters", s.bingx_error_counters);
    field("bingx_error_entries", s.bingx_error_entries);
    field("journal_entries", s.journal_entries);
    field("journal_bytes", s.journal_bytes);
    field("streams", s.streams);
    field("stream_ips", s.stream_ips);
    field("faults", s.faults);
    w.raw("}");
}

} // namespace
} // namespace admin

void handle_admin(const request& req, response& res, shared_state& st, std::size_t connections) {
    using namespace admin;
    const auto path = req.path;
    const auto m = req.method;
    if (path == "/__admin/health") {
        return m == "GET" ? health(res, st, connections) : method_not_allowed(res, "GET");
    }
    if (path == "/__admin/stats") {
        return m == "GET" ? stats(res, st) : method_not_allowed(res, "GET");
    }
    if (path == "/__admin/metrics") {
        return m == "GET" ? metrics(res, st, connections) : method_not_allowed(res, "GET");
    }
    if (path == "/__admin/clock") {
        return m == "GET"    ? clock_state(res, st)
               : m == "POST" ? post_clock(req, res, st)
                             : method_not_allowed(res, "GET, POST");
    }
    if (path == "/__admin/accounts") {
        return m == "GET"    ? get_accounts(res, st)
               : m == "POST" ? post_accounts(req, res, st)
                             : method_not_allowed(res, "GET, POST");
    }
    if (path == "/__admin/faults") {
        if (m == "GET") {
            return list_faults(res, st);
        }
        if (m == "POST") {
            return post_faults(req, res, st);
        }
        if (m == "DELETE") {
            return clear_faults(res, st);
        }
        return method_not_allowed(res, "GET, POST, DELETE");
    }
    if (path == "/__admin/journal") {
        if (m == "GET") {
            return get_journal(res, st);
        }
        if (m == "DELETE") {
            return clear_journal(res, st);
        }
        return method_not_allowed(res, "GET, DELETE");
    }
    if (path == "/__admin/listen_keys") {
        return m == "GET" ? get_listen_keys(res, st) : method_not_allowed(res, "GET");
    }
    if (path == "/__admin/reset") {
        return m == "POST" ? post_reset(req, res, st) : method_not_allowed(res, "POST");
    }
    if (path == "/__admin/events") {
        return m == "POST" ? post_events(req, res, st) : method_not_allowed(res, "POST");
    }
    if (path == "/__admin/streams") {
        return m == "GET" ? get_streams(res, st) : method_not_allowed(res, "GET");
    }
    if (path == "/__admin/streams/drop") {
        return m == "POST" ? post_drop(req, res, st) : method_not_allowed(res, "POST");
    }
    fail(res, 404,
         "unknown admin endpoint; see /__admin/health, stats, metrics, clock, accounts, faults, "
         "journal, listen_keys, reset, events, streams, streams/drop");
}

} // namespace exsdk::mock::detail

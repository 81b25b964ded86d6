#include "metrics.hpp"

#include <exsdk/bingx/protocol.hpp>
#include <exsdk/prometheus.hpp>
#include <exsdk/woox/protocol.hpp>

#include <array>

namespace exsdk::mock::detail {

namespace {

// A known path as static text, else "other" (labels must not grow with what clients send).
std::string_view endpoint_of(std::string_view path) {
    namespace w = woox::protocol;
    namespace b = bingx::protocol;
    static constexpr std::array<std::string_view, 8> known{
        w::listen_key_path,       w::credentials_path, w::system_info_path, w::private_stream_path,
        b::user_data_stream_path, b::server_time_path, b::spot_stream_path, b::swap_stream_path};
    for (auto k : known) {
        if (path == k) {
            return k;
        }
    }
    return "other";
}

std::string_view method_of(std::string_view m) {
    static constexpr std::array<std::string_view, 7> verbs{"GET",  "POST",    "PUT",  "DELETE",
                                                           "HEAD", "OPTIONS", "PATCH"};
    for (auto v : verbs) {
        if (m == v) {
            return v;
        }
    }
    return "other";
}

} // namespace

const char* mock_metrics::to_string(limit l) noexcept {
    switch (l) {
    case limit::woox_listen_key: return "woox.listen_key";
    case limit::woox_credentials: return "woox.credentials";
    case limit::bingx_uid: return "bingx.uid";
    case limit::bingx_ip_group: return "bingx.ip_group";
    case limit::bingx_ip_endpoint: return "bingx.ip_endpoint";
    case limit::bingx_disabled_period: return "bingx.disabled_period";
    case limit::bingx_error_block: return "bingx.error_block";
    case limit::woox_streams_per_ip: return "woox.streams_per_ip";
    case limit::bingx_streams_per_ip: return "bingx.streams_per_ip";
    }
    return "?";
}

void mock_metrics::count_request(std::string_view exchange, std::string_view method,
                                 std::string_view path, int status, std::int64_t code) {
    series key{std::string(exchange), std::string(method_of(method)),
               std::string(endpoint_of(path)), status, code};
    std::lock_guard lock(mutex_);
    if (auto it = requests_.find(key); it != requests_.end()) {
        ++it->second;
    } else if (requests_.size() < max_series) {
        requests_.emplace(std::move(key), 1);
    } else {
        ++unrecorded_;
    }
}

void mock_metrics::count_rejection(limit l) noexcept {
    rejections_[static_cast<std::size_t>(l)].fetch_add(1, std::memory_order_relaxed);
}

void mock_metrics::count_pushed(venue v, std::size_t frames) noexcept {
    pushed_[static_cast<std::size_t>(v)].fetch_add(frames, std::memory_order_relaxed);
}

void mock_metrics::reset() {
    std::lock_guard lock(mutex_);
    requests_.clear();
    unrecorded_ = 0;
    for (auto& r : rejections_) {
        r.store(0, std::memory_order_relaxed);
    }
    for (auto& p : pushed_) {
        p.store(0, std::memory_order_relaxed);
    }
}

std::string mock_metrics::page(std::array<std::size_t, 2> open_streams,
                               std::size_t connections) const {
    std::string out;
    prometheus_writer w(out);
    using t = prometheus_writer::type;
    w.family("exsdk_mock_requests_total", t::counter,
             "Exchange requests answered (REST and websocket upgrades), by exchange, method, "
             "endpoint (a known path or \"other\"), HTTP status and exchange code (0: none).");
    std::uint64_t unrecorded = 0;
    {
        std::lock_guard lock(mutex_);
        for (const auto& [k, n] : requests_) {
            const auto& [exchange, method, endpoint, status, code] = k;
            w.sample("exsdk_mock_requests_total",
                     {{"exchange", exchange},
                      {"method", method},
                      {"endpoint", endpoint},
                      {"status", std::to_string(status)},
                      {"code", std::to_string(code)}},
                     n);
        }
        unrecorded = unrecorded_;
    }
    w.family("exsdk_mock_requests_unrecorded_total", t::counter,
             "Requests not in exsdk_mock_requests_total because its series bound was reached.");
    w.sample("exsdk_mock_requests_unrecorded_total", {}, unrecorded);
    w.family("exsdk_mock_limit_rejections_total", t::counter,
             "Requests and stream connects refused by a rate limit, by limit.");
    for (std::size_t i = 0; i < limit_count; ++i) {
        w.sample("exsdk_mock_limit_rejections_total", {{"limit", to_string(static_cast<limit>(i))}},
                 rejections_[i].load(std::memory_order_relaxed));
    }
    w.family("exsdk_mock_open_streams", t::gauge, "Open websocket account streams, by exchange.");
    for (const auto v : all_venues) {
        w.sample("exsdk_mock_open_streams", {{"exchange", std::string(detail::to_string(v))}},
                 static_cast<std::uint64_t>(open_streams[static_cast<std::size_t>(v)]));
    }
    w.family("exsdk_mock_stream_events_pushed_total", t::counter,
             "Events pushed (POST /__admin/events, server::push_event()), counted per stream "
             "socket that received one, by exchange.");
    for (const auto v : all_venues) {
        w.sample("exsdk_mock_stream_events_pushed_total",
                 {{"exchange", std::string(detail::to_string(v))}},
                 pushed_[static_cast<std::size_t>(v)].load(std::memory_order_relaxed));
    }
    w.family("exsdk_mock_connections", t::gauge, "Open HTTP connections (streams included).");
    w.sample("exsdk_mock_connections", {}, static_cast<std::uint64_t>(connections));
    return out;
}

} // namespace exsdk::mock::detail

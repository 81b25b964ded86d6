// mock_metrics: the counters behind GET /__admin/metrics (Prometheus text format): requests by
// exchange, method, endpoint and answer (HTTP status and exchange code), rate-limit rejections
// by limit, and stream frames pushed; the page adds the open streams and connections.
//
// Bounded: endpoints are the exchanges' known paths (anything else is "other"), methods the
// HTTP verbs (anything else "other"), and at most max_series distinct (exchange, method,
// endpoint, status, code) series are kept; requests beyond are counted in one "unrecorded"
// counter, so a client inventing exchange codes through faults cannot grow the mock.
// Thread-safe (its own mutex; atomics for the counters the stream threads bump).
#pragma once

#include "listen_keys.hpp"

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <tuple>

namespace exsdk::mock::detail {

class mock_metrics {
public:
    static constexpr std::size_t max_series = 4096;

    /// The limits whose rejections are counted ("woox.listen_key", ..., as in --limit).
    enum class limit : std::uint8_t {
        woox_listen_key,
        woox_credentials,
        bingx_uid,
        bingx_ip_group,
        bingx_ip_endpoint,
        bingx_disabled_period, ///< a call inside the disabled period after a limit was exceeded
        bingx_error_block,     ///< the 20-errors block
        woox_streams_per_ip,
        bingx_streams_per_ip,
    };
    static constexpr std::size_t limit_count = 9;
    static const char* to_string(limit l) noexcept;

    /// One answered request (REST or websocket upgrade) of `exchange` ("woox", "bingx", "").
    void count_request(std::string_view exchange, std::string_view method, std::string_view path,
                       int status, std::int64_t code);
    void count_rejection(limit l) noexcept;
    void count_pushed(venue v, std::size_t frames) noexcept;

    /// The metrics page. `open_streams`: per venue; `connections`: open HTTP connections.
    std::string page(std::array<std::size_t, 2> open_streams, std::size_t connections) const;

    /// Back to zero (POST /__admin/reset).
    void reset();

private:
    using series = std::tuple<std::string, std::string, std::string, int, std::int64_t>;
    mutable std::mutex mutex_;
    std::map<series, std::uint64_t> requests_; // under mutex_, at most max_series entries
    std::uint64_t unrecorded_ = 0;             // under mutex_
    std::array<std::atomic<std::uint64_t>, limit_count> rejections_{};
    std::array<std::atomic<std::uint64_t>, 2> pushed_{};
};

} // namespace exsdk::mock::detail

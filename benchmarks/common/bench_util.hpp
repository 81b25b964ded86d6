// Small helpers shared by the benchmark programs: clocks (wall, thread and process CPU), heap and
// peak-RSS accounting, percentiles, the demo credentials and a tiny JSON object writer.
// Header-only, no Beast.
#pragma once

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <malloc.h>
#include <sstream>
#include <string>
#include <string_view>
#include <sys/resource.h>
#include <time.h>
#include <utility>
#include <vector>

namespace bench {

// --- the mock's demo accounts (public demo values, docs/mock-exchange.md) -------------------
inline constexpr std::string_view woox_key = "AbmyVJGUpN064ks5ELjLfA==";
inline constexpr std::string_view woox_secret = "QHKRXHPAW1MC9YGZMAT8YDJG2HPR";
inline constexpr std::string_view bingx_key = "bingx-demo-api-key-0001";
inline constexpr std::string_view bingx_secret =
    "mheO6dR8ovSsxZQCOYEFCtelpuxcWGTfHw7te326y6jOwq5WpvFQ9JNljoTwBXZGv5It07m9RXSPpDQEK2w";

// --- clocks -------------------------------------------------------------------------------
inline std::int64_t now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

inline std::int64_t wall_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

/// CPU time (user + sys) of the calling thread.
inline std::int64_t thread_cpu_ns() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

/// User and system CPU time of the calling thread (getrusage(RUSAGE_THREAD)), ns.
inline std::pair<std::int64_t, std::int64_t> thread_user_sys_ns() {
    rusage ru{};
    getrusage(RUSAGE_THREAD, &ru);
    auto ns = [](const timeval& tv) {
        return static_cast<std::int64_t>(tv.tv_sec) * 1'000'000'000 +
               static_cast<std::int64_t>(tv.tv_usec) * 1000;
    };
    return {ns(ru.ru_utime), ns(ru.ru_stime)};
}

/// CPU time (user + sys) of the whole process, from its own accounting (getrusage).
inline std::int64_t process_cpu_ns() {
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    auto ns = [](const timeval& tv) {
        return static_cast<std::int64_t>(tv.tv_sec) * 1'000'000'000 +
               static_cast<std::int64_t>(tv.tv_usec) * 1000;
    };
    return ns(ru.ru_utime) + ns(ru.ru_stime);
}

/// Peak resident set size of this process in KiB (VmHWM).
inline std::int64_t peak_rss_kib() {
    std::ifstream in("/proc/self/status");
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("VmHWM:", 0) == 0) {
            return std::stoll(line.substr(6));
        }
    }
    return -1;
}

/// Resident set size (VmRSS) of process `pid` ("self" for this one) in KiB; -1 if unknown.
inline std::int64_t rss_kib(const std::string& pid = "self") {
    std::ifstream in("/proc/" + pid + "/status");
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("VmRSS:", 0) == 0) {
            return std::stoll(line.substr(6));
        }
    }
    return -1;
}

/// Bytes currently allocated through malloc (every arena, plus mmapped chunks).
inline std::int64_t heap_bytes() {
    const struct mallinfo2 mi = mallinfo2();
    return static_cast<std::int64_t>(mi.uordblks + mi.hblkhd);
}

// --- statistics ---------------------------------------------------------------------------
/// The q-quantile (0..1) of `v` (nearest rank); sorts `v`.
inline double percentile(std::vector<double>& v, double q) {
    if (v.empty()) {
        return 0;
    }
    std::sort(v.begin(), v.end());
    const auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(v.size())));
    return v[std::min(v.size() - 1, rank == 0 ? 0 : rank - 1)];
}

// --- a flat JSON object, one line -----------------------------------------------------------
class json_line {
public:
    json_line& num(std::string_view k, double v) {
        key(k);
        char buf[64];
        if (std::isfinite(v)) {
            std::snprintf(buf, sizeof buf, "%.6g", v);
        } else {
            std::snprintf(buf, sizeof buf, "null");
        }
        out_ << buf;
        return *this;
    }
    json_line& str(std::string_view k, std::string_view v) {
        key(k);
        out_ << '"';
        for (char c : v) {
            if (c == '"' || c == '\\') {
                out_ << '\\';
            }
            if (static_cast<unsigned char>(c) >= 0x20) {
                out_ << c;
            }
        }
        out_ << '"';
        return *this;
    }
    json_line& boolean(std::string_view k, bool v) {
        key(k);
        out_ << (v ? "true" : "false");
        return *this;
    }
    std::string done() { return out_.str() + "}"; }

private:
    void key(std::string_view k) {
        out_ << (first_ ? "{" : ",") << '"' << k << "\":";
        first_ = false;
    }
    std::ostringstream out_;
    bool first_ = true;
};

} // namespace bench

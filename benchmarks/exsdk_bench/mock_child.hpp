// The mock_exchange program as the in-process benchmarks start it (memory.cpp, long_run.cpp): a
// child process without rate limits or journal unless `extra` flags say otherwise (later flags
// win), plain or TLS (its CA read back from --ca-out).
#pragma once

#include "../common/bare_http.hpp"
#include "../common/mock_process.hpp"
#include "benchmarks.hpp"

#include <boost/asio/detached.hpp>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace bench {

inline std::string read_file(const std::string& path) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

struct mock_child {
    std::string ca_file;
    mock_process proc;
    std::string ca;

    mock_child(const options& o, bool tls, std::vector<std::string> extra = {})
        : ca_file(tls ? "/tmp/exsdk_bench_ca_" + std::to_string(getpid()) + ".pem" : ""),
          proc(o.mock_program, args(tls, ca_file, std::move(extra))),
          ca(tls ? read_file(ca_file) : std::string()) {}
    ~mock_child() {
        if (!ca_file.empty()) {
            std::remove(ca_file.c_str());
        }
    }

    /// The body of an admin GET (e.g. "/__admin/stats"), over a connection of its own.
    std::string admin_get(std::string_view path) const {
        asio::io_context ioc(1);
        bare_connection conn(ioc.get_executor(), port_of(proc.url()), ca);
        std::string body;
        const std::string req = "GET " + std::string(path) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
        asio::co_spawn(
            ioc,
            [&]() -> asio::awaitable<void> {
                co_await conn.connect();
                co_await conn.round_trip(req, body);
            },
            asio::detached);
        ioc.run();
        return body;
    }

    static std::vector<std::string> args(bool tls, const std::string& ca_file,
                                         std::vector<std::string> extra) {
        std::vector<std::string> a{"--no-rate-limits", "--journal-capacity", "0"};
        if (tls) {
            a.insert(a.end(), {"--tls", "--ca-out", ca_file});
        }
        a.insert(a.end(), extra.begin(), extra.end());
        return a;
    }
};

/// The integer member `name` of a flat JSON object text; -1 when absent.
inline std::int64_t json_number(std::string_view json, std::string_view name) {
    const std::string tag = "\"" + std::string(name) + "\":";
    const auto at = json.find(tag);
    return at == std::string_view::npos ? -1
                                        : std::stoll(std::string(json.substr(at + tag.size())));
}

} // namespace bench

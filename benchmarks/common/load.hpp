// The cross-process load driver shared by bench_bare_client and bench_exsdk_client (the ccxt
// script, benchmarks/ccxt/client.mjs, does the same in Node): a phase runs `cycles` cycles of the
// four account calls (WOO X listen key create, WOO X credentials, BingX generate, BingX extend)
// from `concurrency` coroutines and prints one JSON line: requests/s, p50/p99 over every call
// (and p50 per call), client CPU per call (getrusage of this process) and errors.
#pragma once

#include "bare_http.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include <array>
#include <cstdlib>
#include <functional>
#include <initializer_list>
#include <iostream>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace bench {

inline constexpr std::array<call, 4> cycle_calls{call::woox_listen_key, call::woox_credentials,
                                                 call::bingx_generate, call::bingx_extend};

/// fn(worker, call) performs one call and returns "" or the error.
using call_fn = std::function<boost::asio::awaitable<std::string>(std::size_t, call)>;

struct phase_result {
    std::size_t calls = 0;
    std::size_t errors = 0;
    std::string first_error;
};

/// Runs one phase on `ioc` and prints its JSON line (unless `print` is false: warm-up).
inline phase_result run_phase(boost::asio::io_context& ioc, std::string_view client,
                              std::string_view phase, std::size_t cycles, std::size_t concurrency,
                              const call_fn& fn, bool print = true) {
    std::map<call, std::vector<double>> lat;
    std::vector<double> all;
    all.reserve(cycles * cycle_calls.size());
    phase_result res;
    std::size_t remaining = cycles;
    auto worker = [&](std::size_t w) -> boost::asio::awaitable<void> {
        while (remaining > 0 && res.errors == 0) {
            --remaining;
            for (call c : cycle_calls) {
                const auto t0 = now_ns();
                std::string e = co_await fn(w, c);
                const double us = static_cast<double>(now_ns() - t0) / 1e3;
                ++res.calls;
                if (!e.empty()) {
                    if (res.errors++ == 0) {
                        res.first_error = std::string(call_name(c)) + ": " + e;
                    }
                    break;
                }
                lat[c].push_back(us);
                all.push_back(us);
            }
        }
    };
    const auto cpu0 = process_cpu_ns();
    const auto t0 = now_ns();
    for (std::size_t w = 0; w < concurrency; ++w) {
        boost::asio::co_spawn(ioc, worker(w), boost::asio::detached);
    }
    ioc.restart();
    ioc.run();
    const double seconds = static_cast<double>(now_ns() - t0) / 1e9;
    const double cpu_us = static_cast<double>(process_cpu_ns() - cpu0) / 1e3;
    if (print) {
        json_line j;
        j.str("client", client)
            .str("phase", phase)
            .num("concurrency", static_cast<double>(concurrency))
            .num("calls", static_cast<double>(res.calls))
            .num("errors", static_cast<double>(res.errors))
            .num("seconds", seconds)
            .num("rps", static_cast<double>(res.calls) / seconds)
            .num("p50_us", percentile(all, 0.5))
            .num("p99_us", percentile(all, 0.99))
            .num("cpu_us_per_call", cpu_us / static_cast<double>(res.calls));
        for (call c : cycle_calls) {
            j.num("p50_us_" + std::string(call_name(c)), percentile(lat[c], 0.5));
        }
        if (!res.first_error.empty()) {
            j.str("error", res.first_error);
        }
        std::cout << j.done() << std::endl;
    }
    return res;
}

/// Common flags: --url URL --cycles N --warmup N --concurrency N
struct load_options {
    std::string url;
    std::size_t cycles = 2000;
    std::size_t warmup = 200;
    std::size_t concurrency = 16;
};

inline std::size_t to_size(const char* s) {
    return static_cast<std::size_t>(std::stoull(s));
}

/// Applies `flag` `value` if `flag` is one of the common flags; false if it is not.
inline bool load_flag(load_options& o, std::string_view flag, const char* value) {
    if (flag == "--url") {
        o.url = value;
    } else if (flag == "--cycles") {
        o.cycles = to_size(value);
    } else if (flag == "--warmup") {
        o.warmup = to_size(value);
    } else if (flag == "--concurrency") {
        o.concurrency = to_size(value);
    } else {
        return false;
    }
    return true;
}

/// Prints the process line (peak RSS) and returns the exit code: 1 if any phase failed.
inline int finish(std::string_view client, std::initializer_list<phase_result> phases) {
    std::size_t errors = 0;
    for (const auto& p : phases) {
        errors += p.errors;
    }
    std::cout << json_line()
                     .str("client", client)
                     .str("phase", "process")
                     .num("peak_rss_kib", static_cast<double>(peak_rss_kib()))
                     .num("errors", static_cast<double>(errors))
                     .done()
              << std::endl;
    for (const auto& p : phases) {
        if (p.errors != 0) {
            std::cerr << client << ": " << p.first_error << '\n';
        }
    }
    return errors == 0 ? 0 : 1;
}

/// The whole run: a warm-up phase (not printed), a sequential phase, a concurrent phase, then the
/// process line. Returns the exit code (see finish).
inline int run_load(boost::asio::io_context& ioc, std::string_view client, const load_options& o,
                    const call_fn& fn) {
    run_phase(ioc, client, "warmup", o.warmup, 1, fn, false);
    const auto seq = run_phase(ioc, client, "seq", o.cycles, 1, fn);
    const auto conc = run_phase(ioc, client, "concurrent", o.cycles, o.concurrency, fn);
    return finish(client, {seq, conc});
}

} // namespace bench

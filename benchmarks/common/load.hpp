// The cross-process load driver shared by bench_bare_client and bench_exsdk_client (the ccxt
// script, benchmarks/ccxt/client.mjs, does the same in Node). A run is, on one connection set-up:
//
//   cold        the first --cold cycles (default 100, i.e. 400 calls; 0: none) right after
//               start-up, sequential: what a client costs before its caches (and, for ccxt, V8's
//               JIT) are warm. The bare client has connected (and made its one BingX generate
//               per worker) before; exsdk and ccxt connect within this phase, on their first call.
//   warmup      sequential blocks of up to 250 cycles, at least --warmup cycles in all, going on
//               while a block's CPU per call is still falling (more than 3% below the best block
//               before it), at most --warmup-max cycles (default 20,000): one line with the
//               warm-up calls and the last block's CPU per call.
//   seq         --cycles cycles, sequential (the warm figures)
//   concurrent  --cycles cycles from --concurrency coroutines, after 4 unprinted cycles per
//               coroutine that open the connections (the bare client opened them at start-up)
//   process     peak RSS and the errors of every phase
//
// A cycle is the four account calls (WOO X listen key create, WOO X credentials, BingX generate,
// BingX extend). Each phase prints one JSON line: client, transport ("plain", or "tls" with
// --ca), requests/s, p50/p99 over every call (and p50 per call), client CPU per call (getrusage
// of this process, user + sys) and errors.
#pragma once

#include "bare_http.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <initializer_list>
#include <iostream>
#include <limits>
#include <map>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace bench {

inline constexpr std::array<call, 4> cycle_calls{call::woox_listen_key, call::woox_credentials,
                                                 call::bingx_generate, call::bingx_extend};

/// fn(worker, call) performs one call and returns "" or the error.
using call_fn = std::function<boost::asio::awaitable<std::string>(std::size_t, call)>;

/// Who is measured: the client's name and its transport ("plain" or "tls").
struct load_label {
    std::string_view client;
    std::string_view transport;
};

struct phase_result {
    std::size_t calls = 0;
    std::size_t errors = 0;
    std::string first_error;
    double cpu_us_per_call = 0;
};

/// Runs one phase on `ioc` and prints its JSON line (unless `print` is false: warm-up blocks).
inline phase_result run_phase(boost::asio::io_context& ioc, const load_label& who,
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
    res.cpu_us_per_call = res.calls == 0 ? 0 : cpu_us / static_cast<double>(res.calls);
    if (print) {
        json_line j;
        j.str("client", who.client)
            .str("transport", who.transport)
            .str("phase", phase)
            .num("concurrency", static_cast<double>(concurrency))
            .num("calls", static_cast<double>(res.calls))
            .num("errors", static_cast<double>(res.errors))
            .num("seconds", seconds)
            .num("rps", static_cast<double>(res.calls) / seconds)
            .num("p50_us", percentile(all, 0.5))
            .num("p99_us", percentile(all, 0.99))
            .num("cpu_us_per_call", res.cpu_us_per_call);
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

/// The warm-up (see the header): blocks until the CPU per call stops falling; prints its line.
inline phase_result warm_up(boost::asio::io_context& ioc, const load_label& who,
                            std::size_t min_cycles, std::size_t max_cycles, const call_fn& fn) {
    constexpr std::size_t block_cycles = 250;
    constexpr double falling = 0.97; // a block counts as faster when below 97% of the best
    const std::size_t block = std::clamp<std::size_t>(min_cycles, 1, block_cycles);
    max_cycles = std::max(max_cycles, min_cycles);
    phase_result total;
    double best = std::numeric_limits<double>::infinity();
    double first = 0;
    std::size_t cycles = 0, blocks = 0;
    bool still_falling = true;
    while (cycles < max_cycles && total.errors == 0) {
        const std::size_t n = std::min(block, max_cycles - cycles);
        const auto r = run_phase(ioc, who, "warmup", n, 1, fn, false);
        cycles += n;
        ++blocks;
        total.calls += r.calls;
        total.errors += r.errors;
        if (total.first_error.empty()) {
            total.first_error = r.first_error;
        }
        total.cpu_us_per_call = r.cpu_us_per_call;
        if (blocks == 1) {
            first = r.cpu_us_per_call;
        }
        still_falling = r.cpu_us_per_call < best * falling;
        best = std::min(best, r.cpu_us_per_call);
        if (cycles >= min_cycles && !still_falling) {
            break;
        }
    }
    json_line j;
    j.str("client", who.client)
        .str("transport", who.transport)
        .str("phase", "warmup")
        .num("concurrency", 1)
        .num("calls", static_cast<double>(total.calls))
        .num("errors", static_cast<double>(total.errors))
        .num("blocks", static_cast<double>(blocks))
        .num("block_calls", static_cast<double>(block * cycle_calls.size()))
        .num("cpu_us_per_call", total.cpu_us_per_call)
        .num("first_block_cpu_us_per_call", first)
        .num("best_block_cpu_us_per_call", best)
        .boolean("capped", still_falling && total.errors == 0);
    if (!total.first_error.empty()) {
        j.str("error", total.first_error);
    }
    std::cout << j.done() << std::endl;
    return total;
}

/// Common flags: --url URL --cycles N --cold N --warmup N --warmup-max N --concurrency N
/// --ca FILE (the CA's PEM: the URL is then https://).
struct load_options {
    std::string url;
    std::size_t cycles = 2000;
    std::size_t cold = 100;
    std::size_t warmup = 200;
    std::size_t warmup_max = 20000;
    std::size_t concurrency = 16;
    std::string ca_pem; // empty: plain HTTP

    std::string_view transport() const { return ca_pem.empty() ? "plain" : "tls"; }
};

inline std::size_t to_size(const char* s) {
    return static_cast<std::size_t>(std::stoull(s));
}

/// The whole file `path`; throws when it cannot be read or is empty.
inline std::string read_whole_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    if (!in || ss.str().empty()) {
        throw std::invalid_argument("cannot read " + path);
    }
    return ss.str();
}

/// Applies `flag` `value` if `flag` is one of the common flags; false if it is not.
inline bool load_flag(load_options& o, std::string_view flag, const char* value) {
    if (flag == "--url") {
        o.url = value;
    } else if (flag == "--cycles") {
        o.cycles = to_size(value);
    } else if (flag == "--cold") {
        o.cold = to_size(value);
    } else if (flag == "--warmup") {
        o.warmup = to_size(value);
    } else if (flag == "--warmup-max") {
        o.warmup_max = to_size(value);
    } else if (flag == "--concurrency") {
        o.concurrency = to_size(value);
    } else if (flag == "--ca") {
        o.ca_pem = read_whole_file(value);
    } else {
        return false;
    }
    return true;
}

/// Checks the flags together: --url is required, and https:// goes with --ca (and only with it).
inline void check_load_options(const load_options& o) {
    if (o.url.empty()) {
        throw std::invalid_argument("--url is required");
    }
    const bool https = o.url.rfind("https://", 0) == 0;
    if (https != !o.ca_pem.empty()) {
        throw std::invalid_argument(https ? "an https:// URL needs --ca FILE"
                                          : "--ca FILE needs an https:// URL");
    }
}

/// The unprinted cycles before the concurrent phase: 4 per coroutine when there are several.
inline std::size_t open_cycles(std::size_t concurrency) {
    return concurrency > 1 ? 4 * concurrency : 0;
}

/// Prints the process line (peak RSS) and returns the exit code: 1 if any phase failed.
inline int finish(const load_label& who, std::initializer_list<phase_result> phases) {
    std::size_t errors = 0;
    for (const auto& p : phases) {
        errors += p.errors;
    }
    std::cout << json_line()
                     .str("client", who.client)
                     .str("transport", who.transport)
                     .str("phase", "process")
                     .num("peak_rss_kib", static_cast<double>(peak_rss_kib()))
                     .num("errors", static_cast<double>(errors))
                     .done()
              << std::endl;
    for (const auto& p : phases) {
        if (p.errors != 0) {
            std::cerr << who.client << ": " << p.first_error << '\n';
        }
    }
    return errors == 0 ? 0 : 1;
}

/// The whole run (see the header): cold, warm-up, sequential, concurrent, then the process line.
/// A phase that fails ends the run. Returns the exit code (see finish).
inline int run_load(boost::asio::io_context& ioc, std::string_view client, const load_options& o,
                    const call_fn& fn) {
    const load_label who{client, o.transport()};
    const auto cold = o.cold == 0 ? phase_result{} : run_phase(ioc, who, "cold", o.cold, 1, fn);
    if (cold.errors != 0) {
        return finish(who, {cold});
    }
    const auto warm = warm_up(ioc, who, o.warmup, o.warmup_max, fn);
    if (warm.errors != 0) {
        return finish(who, {cold, warm});
    }
    const auto seq = run_phase(ioc, who, "seq", o.cycles, 1, fn);
    // Not printed: opens the connections the concurrent phase uses, as the bare client does at
    // start-up, so that the 16-way figures are warm too.
    const auto open =
        run_phase(ioc, who, "open", open_cycles(o.concurrency), o.concurrency, fn, false);
    const auto conc = run_phase(ioc, who, "concurrent", o.cycles, o.concurrency, fn);
    return finish(who, {cold, warm, seq, open, conc});
}

} // namespace bench

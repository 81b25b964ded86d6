// Shared by the examples: where to connect (the embedded mock exchange by default, or the
// exchange URLs given on the command line), credentials (the mock's demo keys, or the
// EXSDK_* environment variables), small formatting helpers, and the loop that runs an
// io_context in real time or, with a manual clock, in virtual time.
#pragma once

#include <exsdk/clock.hpp>
#include <exsdk/credentials.hpp>
#include <exsdk/manual_clock.hpp>

#include <boost/asio/io_context.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace exsdk::examples {

/// Command-line settings common to every example.
struct options {
    std::string woox_url;  ///< empty: the embedded mock
    std::string bingx_url; ///< empty: the embedded mock
    std::string ca_file;   ///< PEM CA file for HTTPS (e.g. the mock's --ca-out)
    /// Example-specific integer options that were given ("--burst" -> 10).
    std::map<std::string, std::int64_t, std::less<>> numbers;

    /// True when no URL was given: the example starts the embedded mock exchange (and then
    /// sets the URLs to it).
    bool embedded_mock = false;

    bool use_mock() const { return embedded_mock; }
    std::int64_t number(std::string_view name, std::int64_t fallback) const;
};

/// Parses `--base-url URL` (both exchanges at one URL, e.g. a mock_exchange program),
/// `--woox-url URL`, `--bingx-url URL`, `--ca-file FILE`, `--help`, and `--NAME N` for each
/// NAME in `integer_options` (N >= 1). Prints `usage` and returns std::nullopt on --help;
/// prints a one-line error and exits with status 2 on bad input.
std::optional<options> parse_options(int argc, char** argv, std::string_view usage,
                                     std::initializer_list<std::string_view> integer_options = {});

/// The demo credentials of the embedded mock, or EXSDK_WOOX_API_KEY/EXSDK_WOOX_SECRET
/// (EXSDK_BINGX_...) when running against a real exchange. Exits with status 2 when those
/// are missing.
exsdk::credentials woox_credentials(const options& o);
exsdk::credentials bingx_credentials(const options& o);

/// "2024-05-01 12:00:00.000 UTC"
std::string format_time(clock::wall_time t);
/// The first `n` characters of a listen key followed by "...": examples never print whole
/// listen keys (they grant access to the account's private streams).
std::string shorten(std::string_view key, std::size_t n = 8);

/// At most how many of `times` (ms, in any order) fall in any half-open window
/// [t, t + window_ms) of `window_ms` > 0.
std::size_t max_in_window(std::vector<std::int64_t> times, std::int64_t window_ms);

/// Runs `ioc` until `done()`: with a manual clock in virtual time (run what is ready, then jump
/// to the next timer deadline), otherwise in real time. Returns done().
bool run_until(boost::asio::io_context& ioc, const std::shared_ptr<clock>& clk,
               const std::function<bool()>& done);

} // namespace exsdk::examples

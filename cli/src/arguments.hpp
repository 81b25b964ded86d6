// Hand-written parsing of the `exsdk` command line against the command table (command.hpp).
// Pure functions of (arguments, environment): no I/O, no SDK, so every rule is unit-testable.
//
// Grammar:  exsdk EXCHANGE WORDS... [OPERAND] [OPTIONS...]
// Options may appear anywhere after the program name, as `--name VALUE` or `--name=VALUE`;
// `--` ends the options. `--help`/`-h` anywhere prints the help of the deepest command prefix
// named before it (program, exchange, group or command).
#pragma once

#include "command.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace exsdk::cli {

/// One --limit NAME=N/WINDOW_MS override (N = 0: the limit is off).
struct limit_override {
    std::string name; ///< woox.listen_key, woox.credentials, bingx.uid, bingx.ip_group, ...
    std::int64_t requests = 0;
    std::int64_t window_ms = 0;
};

/// The global options after parsing, credentials resolved (flags win over environment).
struct global_settings {
    std::optional<std::string> base_url; ///< empty: the exchange's real URL
    std::string ca_file;
    std::string api_key;
    std::string secret; ///< never printed: only handed to exsdk::secret
    std::int64_t repeat = 1;
    std::optional<std::chrono::milliseconds> timeout;
    bool no_retry = false;
    /// --redis or EXSDK_REDIS_URL: count the limits in Redis, shared with other processes.
    /// Empty: in this process only. May hold a password: never printed.
    std::string redis_url;
    /// --redis-fallback: when Redis is unreachable, limit this process to this share of every
    /// limit (local_fallback) instead of failing calls.
    std::optional<double> redis_fallback;
    /// --redis-max-lateness (redis_config::max_lateness).
    std::optional<std::chrono::milliseconds> redis_max_lateness;
    /// --limit: the client's limits, where they differ from the documented ones.
    std::vector<limit_override> limits;
    bool verbose = false; ///< -v/--verbose: the SDK's log events on stderr
};

/// A command ready to run.
struct invocation {
    const command* cmd = nullptr;
    std::string operand; ///< the KEY of `bingx listen-key extend KEY`; empty when none
    option_values options;
    global_settings globals;
};

/// `--help` was asked for: print `text` on stdout, exit 0.
struct help_request {
    std::string text;
};

/// Bad input: print `message` (one line, secrets redacted) on stderr, exit 2.
struct usage_error {
    std::string message;
};

using parse_result = std::variant<invocation, help_request, usage_error>;

/// Reads an environment variable; std::nullopt when unset. Injected so tests need no setenv.
using env_lookup = std::function<std::optional<std::string>(std::string_view)>;

/// Parses `args` (without the program name). `env` supplies EXSDK_WOOX_API_KEY and friends.
parse_result parse_arguments(std::span<const std::string_view> args, const env_lookup& env);

/// The environment variable of the Redis URL (--redis).
inline constexpr std::string_view redis_url_env = "EXSDK_REDIS_URL";

/// The password of a URL's user information (scheme://[USER]:PASSWORD@host), as typed and,
/// when it differs, percent-decoded; empty when there is none.
std::vector<std::string> url_passwords(std::string_view url);

/// The names --limit accepts, as the mock exchange's --limit does.
std::span<const std::string_view> limit_names();

/// The environment variable names of an exchange's credentials.
std::string_view api_key_env(exchange_id e) noexcept;
std::string_view secret_env(exchange_id e) noexcept;

/// The full help of the program (what `exsdk --help` prints).
std::string program_help();

/// Secrets shorter than this are not searched for by redact().
inline constexpr std::size_t min_redacted_size = 6;

/// Replaces every occurrence of each string of `secrets` (of at least min_redacted_size
/// characters) in `text` with "***".
std::string redact(std::string text, std::span<const std::string> secrets);

/// Splits `text` at every comma, keeping empty pieces ("a,,b" -> {"a", "", "b"}; "" -> {""}).
std::vector<std::string> split_commas(std::string_view text);

/// The secrets the process knows of (values of --secret, EXSDK_*_SECRET, the password of a
/// --redis / EXSDK_REDIS_URL URL), for redact().
std::vector<std::string> known_secrets(std::span<const std::string_view> args,
                                       const env_lookup& env);

} // namespace exsdk::cli

// The `exsdk` program's grammar as data: global options, and one table entry per command. The
// parser (arguments.hpp), the help texts and the runner (runner.hpp) all read the same table,
// so a new command (the stream commands of issue 5) is one more entry plus its handler.
#pragma once

#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace exsdk::cli {

/// Which client a command runs on; also its first word ("woox", "bingx").
enum class exchange_id { woox, bingx };

std::string_view to_string(exchange_id e) noexcept;

/// One option: a flag (`value_name` empty) or an option with a value, given as `--name VALUE`
/// or `--name=VALUE`. Integer options are range-checked by the parser.
struct option_spec {
    enum class kind { flag, text, integer };

    std::string_view name; ///< "--page"
    kind type = kind::flag;
    std::string_view value_name; ///< "N", "URL"; empty for flags
    std::string_view help;       ///< one line
    std::int64_t min = 0;        ///< integer options: accepted range
    std::int64_t max = std::numeric_limits<std::int64_t>::max();
};

/// A parsed option value: true for a flag, the text, or the integer.
using option_value = std::variant<bool, std::string, std::int64_t>;

/// Values of the command's own options, by name ("--page").
class option_values {
public:
    void set(std::string_view name, option_value v) {
        values_.insert_or_assign(std::string(name), std::move(v));
    }
    bool has(std::string_view name) const { return values_.find(name) != values_.end(); }
    std::optional<std::int64_t> integer(std::string_view name) const;
    std::optional<std::string> text(std::string_view name) const;
    bool flag(std::string_view name) const { return has(name); }

private:
    std::map<std::string, option_value, std::less<>> values_;
};

struct command;
struct invocation;

/// Checks the combination of a command's options after each one parsed on its own
/// (e.g. `--all` with `--page`). Returns an error message, or an empty string when fine.
using validate_fn = std::string (*)(const invocation&);

/// Identifies the handler the runner uses for a command (see runner.cpp). Keeping it an enum
/// keeps this header free of Asio and the SDK, so the parser builds light and is unit-testable.
enum class handler_id {
    woox_listen_key_create,
    woox_api_keys,
    woox_server_time,
    bingx_listen_key_generate,
    bingx_listen_key_extend,
    bingx_listen_key_delete,
    bingx_server_time,
    woox_stream,
    bingx_stream,
};

struct command {
    exchange_id exchange;
    std::string_view name;                ///< the words after the exchange: "listen-key create"
    std::string_view operand;             ///< "KEY" when the command takes one argument, else empty
    std::string_view summary;             ///< one line, for command lists
    std::string_view description;         ///< the body of `--help`
    std::span<const option_spec> options; ///< the command's own options
    bool needs_credentials = false;
    /// `--repeat N` allowed: one request per result. Stream commands (one long call until
    /// SIGINT) are not repeatable.
    bool repeatable = true;
    validate_fn validate = nullptr;
    handler_id handler{};
};

/// Options every command accepts (--base-url, --api-key, --repeat, ...).
std::span<const option_spec> global_options();

/// The program's name, as help and messages spell it.
inline constexpr std::string_view program_name = "exsdk";

/// Every command of the program, in help order.
std::span<const command> command_table();

/// The words of a command name ("listen-key create" -> {"listen-key", "create"}).
std::vector<std::string_view> split_words(std::string_view s);
/// Words joined by single spaces.
std::string join(std::span<const std::string_view> words);
/// "exsdk woox listen-key create".
std::string full_name(const command& c);
/// The commands of `ex` whose words start with `prefix`, in table order.
std::vector<const command*> commands_under(exchange_id ex,
                                           std::span<const std::string_view> prefix);

} // namespace exsdk::cli

#include "arguments.hpp"
#include "help_text.hpp"

#include <algorithm>
#include <array>
#include <charconv>

namespace exsdk::cli {

namespace {

// Command words and option names are short lowercase words. Anything else on the command line
// could be a pasted secret, so messages name it by position instead of echoing it.
bool echoable(std::string_view token) {
    if (token.empty() || token.size() > 24) {
        return false;
    }
    return std::all_of(token.begin(), token.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    });
}

// 'text' (appended piecewise: GCC 12 warns falsely (-Wrestrict) on "'" + std::string(..)).
std::string quoted(std::string_view text) {
    std::string out;
    out.reserve(text.size() + 2);
    out.push_back('\'');
    out.append(text);
    out.push_back('\'');
    return out;
}

std::string describe(std::string_view token, std::size_t index) {
    if (echoable(token)) {
        return quoted(token);
    }
    return "(argument " + std::to_string(index + 1) + ")";
}

std::string see_help(std::string_view prefix) {
    return " (see '" + std::string(prefix) + " --help')";
}

const option_spec* find_option(std::span<const option_spec> specs, std::string_view name) {
    for (const auto& s : specs) {
        if (s.name == name) {
            return &s;
        }
    }
    return nullptr;
}

// Arity is known from the union of every option table, so tokenizing needs no command yet.
const option_spec* find_any_option(std::string_view name, bool& is_global) {
    if (const auto* s = find_option(global_options(), name)) {
        is_global = true;
        return s;
    }
    is_global = false;
    for (const auto& c : command_table()) {
        if (const auto* s = find_option(c.options, name)) {
            return s;
        }
    }
    return nullptr;
}

struct given_option {
    const option_spec* spec;
    bool is_global;
    std::string_view value;
};

std::optional<exchange_id> parse_exchange(std::string_view word) {
    if (word == "woox") {
        return exchange_id::woox;
    }
    if (word == "bingx") {
        return exchange_id::bingx;
    }
    return std::nullopt;
}

std::optional<std::int64_t> to_integer(std::string_view text) {
    std::int64_t v = 0;
    const auto* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, v);
    if (ec != std::errc() || ptr != end || text.empty()) {
        return std::nullopt;
    }
    return v;
}

std::string range_text(const option_spec& s) {
    if (s.max == std::numeric_limits<std::int64_t>::max()) {
        return "an integer >= " + std::to_string(s.min);
    }
    return "an integer from " + std::to_string(s.min) + " to " + std::to_string(s.max);
}

// Converts one option's text to its value; an error message when it does not fit the spec.
std::variant<option_value, std::string> convert(const option_spec& s, std::string_view text) {
    switch (s.type) {
    case option_spec::kind::flag: return option_value(true);
    case option_spec::kind::text:
        if (text.empty()) {
            return std::string("option " + std::string(s.name) + " needs a non-empty " +
                               std::string(s.value_name));
        }
        return option_value(std::string(text));
    case option_spec::kind::integer: {
        const auto v = to_integer(text);
        if (!v || *v < s.min || *v > s.max) {
            const std::string got = echoable(text) ? "'" + std::string(text) + "'" : "a value";
            return std::string("option " + std::string(s.name) + " must be " + range_text(s) +
                               ", got " + got);
        }
        return option_value(*v);
    }
    }
    return std::string("unsupported option kind");
}

class parser {
public:
    parser(std::span<const std::string_view> args, const env_lookup& env)
        : args_(args), env_(env) {}

    parse_result run() {
        scan();
        if (help_) {
            return resolve_help();
        }
        if (!error_.empty()) {
            return usage_error{error_};
        }
        return resolve_command();
    }

private:
    void fail(std::string message) {
        if (error_.empty()) {
            error_ = std::move(message);
        }
    }

    void scan() {
        bool options_ended = false;
        for (std::size_t i = 0; i < args_.size(); ++i) {
            const std::string_view tok = args_[i];
            if (!options_ended && tok == "--") {
                options_ended = true;
                continue;
            }
            if (!options_ended && (tok == "--help" || tok == "-h")) {
                help_ = true;
                continue;
            }
            if (options_ended || tok.size() < 2 || tok[0] != '-') {
                positionals_.push_back(tok);
                positional_index_.push_back(i);
                continue;
            }
            const auto eq = tok.find('=');
            // -v is the one short option: --verbose.
            const std::string_view name = tok == "-v" ? "--verbose" : tok.substr(0, eq);
            bool is_global = false;
            const option_spec* spec = find_any_option(name, is_global);
            if (!spec) {
                fail("unknown option " + describe(name, i) + see_help(program_name));
                continue;
            }
            std::string_view value;
            if (spec->type == option_spec::kind::flag) {
                if (eq != std::string_view::npos) {
                    fail("option " + std::string(name) + " takes no value");
                    continue;
                }
            } else if (eq != std::string_view::npos) {
                value = tok.substr(eq + 1);
            } else if (i + 1 < args_.size() && !args_[i + 1].starts_with("--")) {
                value = args_[++i];
            } else {
                fail("option " + std::string(name) + " needs a value " +
                     std::string(spec->value_name));
                continue;
            }
            for (const auto& g : given_) {
                if (g.spec == spec) {
                    fail("option " + std::string(name) + " given more than once");
                }
            }
            given_.push_back({spec, is_global, value});
        }
    }

    parse_result resolve_help() {
        if (positionals_.empty()) {
            return help_request{program_help()};
        }
        const auto ex = parse_exchange(positionals_[0]);
        if (!ex) {
            return unknown_exchange();
        }
        const std::span<const std::string_view> rest(positionals_.begin() + 1, positionals_.end());
        if (const auto* c = match_command(*ex, rest)) {
            return help_request{command_help(*c)};
        }
        if (commands_under(*ex, rest).empty()) {
            return unknown_command(*ex, rest);
        }
        return help_request{prefix_help(*ex, rest)};
    }

    usage_error unknown_exchange() const {
        return usage_error{"unknown exchange " + describe(positionals_[0], positional_index_[0]) +
                           ": expected woox or bingx" + see_help(program_name)};
    }

    usage_error unknown_command(exchange_id ex, std::span<const std::string_view> rest) const {
        const std::string prefix = std::string(program_name) + " " + std::string(to_string(ex));
        // Name the first word that leads nowhere.
        std::size_t known = 0;
        while (known < rest.size() && !commands_under(ex, rest.first(known + 1)).empty()) {
            ++known;
        }
        const std::string words =
            echoable(rest[known])
                ? quoted(std::string(to_string(ex)) + " " + join(rest.first(known + 1)))
                : describe(rest[known], positional_index_[known + 1]);
        return usage_error{"unknown command " + words + see_help(prefix)};
    }

    // The command whose words start `rest` (longest first). Remaining words are operands.
    const command* match_command(exchange_id ex, std::span<const std::string_view> rest) const {
        const command* best = nullptr;
        std::size_t best_words = 0;
        for (const auto& c : command_table()) {
            if (c.exchange != ex) {
                continue;
            }
            const auto words = split_words(c.name);
            if (words.size() <= rest.size() && words.size() > best_words &&
                std::equal(words.begin(), words.end(), rest.begin())) {
                best = &c;
                best_words = words.size();
            }
        }
        return best;
    }

    parse_result resolve_command() {
        if (positionals_.empty()) {
            return usage_error{"missing command" + see_help(program_name)};
        }
        const auto ex = parse_exchange(positionals_[0]);
        if (!ex) {
            return unknown_exchange();
        }
        const std::string ex_prefix = std::string(program_name) + " " + std::string(to_string(*ex));
        const std::span<const std::string_view> rest(positionals_.begin() + 1, positionals_.end());
        const command* c = match_command(*ex, rest);
        if (!c) {
            const auto under = commands_under(*ex, rest);
            if (under.empty()) {
                return unknown_command(*ex, rest);
            }
            std::string names;
            for (const auto* u : under) {
                names += names.empty() ? "" : ", ";
                names += u->name;
            }
            std::string what =
                rest.empty()
                    ? "missing command after '" + std::string(to_string(*ex)) + "'"
                    : "incomplete command '" + std::string(to_string(*ex)) + " " + join(rest) + "'";
            return usage_error{what + ": expected one of: " + names + see_help(ex_prefix)};
        }
        const std::string name = full_name(*c);
        const std::size_t used = 1 + split_words(c->name).size();
        const std::size_t operands = positionals_.size() - used;
        invocation inv;
        inv.cmd = c;
        if (c->operand.empty() && operands > 0) {
            return usage_error{"unexpected argument " +
                               describe(positionals_[used], positional_index_[used]) + " for '" +
                               name + "'" + see_help(name)};
        }
        if (!c->operand.empty()) {
            if (operands == 0) {
                return usage_error{"'" + name + "' needs " + std::string(c->operand) +
                                   see_help(name)};
            }
            if (operands > 1) {
                return usage_error{"unexpected argument " +
                                   describe(positionals_[used + 1], positional_index_[used + 1]) +
                                   " for '" + name + "'" + see_help(name)};
            }
            inv.operand = std::string(positionals_[used]);
        }
        for (const auto& g : given_) {
            if (!g.is_global && !find_option(c->options, g.spec->name)) {
                return usage_error{"option " + std::string(g.spec->name) + " does not apply to '" +
                                   name + "'" + see_help(name)};
            }
            auto v = convert(*g.spec, g.value);
            if (auto* msg = std::get_if<std::string>(&v)) {
                return usage_error{*msg};
            }
            auto value = std::get<option_value>(std::move(v));
            if (!g.is_global) {
                inv.options.set(g.spec->name, std::move(value));
            } else if (auto msg = apply_global(inv.globals, g.spec->name, value); !msg.empty()) {
                return usage_error{msg};
            }
        }
        if (!c->repeatable && inv.globals.repeat != 1) {
            return usage_error{"option --repeat does not apply to '" + name + "'"};
        }
        if (auto msg = resolve_credentials(*c, inv.globals); !msg.empty()) {
            return usage_error{msg};
        }
        if (inv.globals.redis_url.empty()) {
            inv.globals.redis_url = env_(redis_url_env).value_or("");
        }
        if (inv.globals.redis_url.empty() &&
            (inv.globals.redis_fallback || inv.globals.redis_max_lateness)) {
            return usage_error{
                std::string("option ") +
                (inv.globals.redis_fallback ? "--redis-fallback" : "--redis-max-lateness") +
                " needs --redis URL (or " + std::string(redis_url_env) + ")"};
        }
        if (c->validate) {
            if (auto msg = c->validate(inv); !msg.empty()) {
                return usage_error{msg + see_help(name)};
            }
        }
        return inv;
    }

    // "" when applied, else the usage error.
    static std::string apply_global(global_settings& g, std::string_view name,
                                    const option_value& v) {
        if (name == "--redis") {
            g.redis_url = std::get<std::string>(v);
        } else if (name == "--redis-fallback") {
            auto share = parse_share(std::get<std::string>(v));
            if (!share) {
                return "option --redis-fallback must be a share in (0, 1]: 0.25 or 1/4";
            }
            g.redis_fallback = *share;
        } else if (name == "--redis-max-lateness") {
            g.redis_max_lateness = std::chrono::milliseconds(std::get<std::int64_t>(v));
        } else if (name == "--limit") {
            return parse_limits(std::get<std::string>(v), g.limits);
        } else if (name == "--base-url") {
            g.base_url = std::get<std::string>(v);
        } else if (name == "--ca-file") {
            g.ca_file = std::get<std::string>(v);
        } else if (name == "--api-key") {
            g.api_key = std::get<std::string>(v);
        } else if (name == "--secret") {
            g.secret = std::get<std::string>(v);
        } else if (name == "--repeat") {
            g.repeat = std::get<std::int64_t>(v);
        } else if (name == "--timeout-ms") {
            g.timeout = std::chrono::milliseconds(std::get<std::int64_t>(v));
        } else if (name == "--no-retry") {
            g.no_retry = true;
        } else if (name == "--verbose") {
            g.verbose = true;
        } else {
            return "internal: unhandled option " + std::string(name);
        }
        return {};
    }

    // "0.25", "1/4": a share in (0, 1].
    static std::optional<double> parse_share(std::string_view text) {
        double share = 0;
        if (const auto slash = text.find('/'); slash != std::string_view::npos) {
            const auto num = to_integer(text.substr(0, slash));
            const auto den = to_integer(text.substr(slash + 1));
            if (!num || !den || *num <= 0 || *den <= 0) {
                return std::nullopt;
            }
            share = static_cast<double>(*num) / static_cast<double>(*den);
        } else {
            const auto* end = text.data() + text.size();
            const auto [ptr, ec] = std::from_chars(text.data(), end, share);
            if (ec != std::errc() || ptr != end || text.empty()) {
                return std::nullopt;
            }
        }
        if (!(share > 0.0 && share <= 1.0)) {
            return std::nullopt;
        }
        return share;
    }

    // "bingx.uid=50/500,woox.listen_key=off": "" when every piece is valid.
    static std::string parse_limits(std::string_view text, std::vector<limit_override>& out) {
        for (const auto& piece : split_commas(text)) {
            const auto eq = piece.find('=');
            const std::string name = piece.substr(0, eq);
            const auto& names = limit_names();
            if (eq == std::string::npos ||
                std::find(names.begin(), names.end(), name) == names.end()) {
                std::string known;
                for (auto n : names) {
                    known += known.empty() ? "" : ", ";
                    known += n;
                }
                return "option --limit takes NAME=N/WINDOW_MS[,...] with NAME one of " + known;
            }
            const std::string_view value = std::string_view(piece).substr(eq + 1);
            limit_override l{name, 0, 0};
            if (value != "off") {
                const auto slash = value.find('/');
                const auto n = to_integer(value.substr(0, slash));
                const auto ms = slash == std::string_view::npos
                                    ? std::nullopt
                                    : to_integer(value.substr(slash + 1));
                if (!n || !ms || *n < 0 || *ms < 0 || (*n > 0 && *ms == 0)) {
                    return "option --limit " + name +
                           ": expected N/WINDOW_MS (N >= 0, WINDOW_MS > 0) or off";
                }
                l.requests = *n;
                l.window_ms = *ms;
            }
            out.push_back(std::move(l));
        }
        return {};
    }

    // Flags win over the environment, field by field.
    std::string resolve_credentials(const command& c, global_settings& g) const {
        if (g.api_key.empty()) {
            g.api_key = env_(api_key_env(c.exchange)).value_or("");
        }
        if (g.secret.empty()) {
            g.secret = env_(secret_env(c.exchange)).value_or("");
        }
        if (!c.needs_credentials || (!g.api_key.empty() && !g.secret.empty())) {
            return {};
        }
        std::string missing = g.api_key.empty() ? "API key" : "";
        if (g.secret.empty()) {
            missing += missing.empty() ? "secret" : " and secret";
        }
        return quoted(full_name(c)) + " needs credentials (missing " + missing +
               "): --api-key and --secret, or " + std::string(api_key_env(c.exchange)) + " and " +
               std::string(secret_env(c.exchange));
    }

    std::span<const std::string_view> args_;
    const env_lookup& env_;
    bool help_ = false;
    std::string error_;
    std::vector<std::string_view> positionals_;
    std::vector<std::size_t> positional_index_;
    std::vector<given_option> given_;
};

} // namespace

std::span<const std::string_view> limit_names() {
    static constexpr std::array<std::string_view, 5> names{
        "woox.listen_key", "woox.credentials", "bingx.uid", "bingx.ip_group", "bingx.ip_endpoint"};
    return names;
}

parse_result parse_arguments(std::span<const std::string_view> args, const env_lookup& env) {
    auto r = parser(args, env).run();
    if (auto* e = std::get_if<usage_error>(&r)) {
        const auto secrets = known_secrets(args, env);
        e->message = redact(std::move(e->message), secrets);
    }
    return r;
}

std::vector<std::string> split_commas(std::string_view text) {
    std::vector<std::string> pieces;
    for (std::size_t start = 0; start <= text.size();) {
        const auto end = std::min(text.find(',', start), text.size());
        pieces.emplace_back(text.substr(start, end - start));
        start = end + 1;
    }
    return pieces;
}

} // namespace exsdk::cli

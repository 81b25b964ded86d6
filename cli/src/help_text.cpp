#include "arguments.hpp"
#include "help_text.hpp"

#include <algorithm>

namespace exsdk::cli {

namespace {

std::string option_lines(std::span<const option_spec> specs) {
    std::string out;
    for (const auto& s : specs) {
        std::string left = "  " + std::string(s.name);
        if (!s.value_name.empty()) {
            left.append(" ").append(s.value_name);
        }
        left.resize(std::max<std::size_t>(left.size() + 2, 22), ' ');
        out += left + std::string(s.help) + "\n";
    }
    return out;
}

std::string command_lines(std::span<const command* const> list) {
    std::string out;
    for (const auto* c : list) {
        std::string left = "  " + std::string(to_string(c->exchange)) + " " + std::string(c->name);
        if (!c->operand.empty()) {
            left.append(" ").append(c->operand);
        }
        left.resize(std::max<std::size_t>(left.size() + 2, 32), ' ');
        out += left + std::string(c->summary) + "\n";
    }
    return out;
}

constexpr std::string_view output_help =
    R"(Output: one JSON object per result on stdout, one line each:
  {"ok":true,"exchange":"woox","command":"listen-key create","result":{...}}
  {"ok":false,"exchange":"bingx","command":"listen-key extend","error":{"code":"not_found",
   "exchangeCode":0,"message":"...","httpStatus":404,"retryAfter":null}}
"retryAfter" is the epoch ms the exchange allows the next call at, or null.
Exit status: 0 when every call succeeded, 1 when any failed (including cancelled by SIGINT),
2 for a usage error (one line on stderr, nothing on stdout).
)";

constexpr std::string_view environment_help =
    R"(Environment (the --api-key/--secret/--redis flags win):
  EXSDK_WOOX_API_KEY, EXSDK_WOOX_SECRET     WOO X credentials
  EXSDK_BINGX_API_KEY, EXSDK_BINGX_SECRET   BingX credentials
  EXSDK_REDIS_URL                           Redis shared by every process's rate limits
)";

} // namespace

std::string prefix_help(exchange_id ex, std::span<const std::string_view> words) {
    const auto list = commands_under(ex, words);
    std::string prefix = std::string(program_name) + " " + std::string(to_string(ex));
    if (!words.empty()) {
        prefix.append(" ").append(join(words));
    }
    std::string out = "usage: " + prefix + " COMMAND [ARGS] [OPTIONS]\n\nCommands:\n";
    out += command_lines(list);
    out += "\nGlobal options:\n" + option_lines(global_options());
    out += "\n" + std::string(environment_help);
    out += "\nRun '" + prefix + " COMMAND --help' for a command's help.\n";
    return out;
}

std::string command_help(const command& c) {
    std::string out = "usage: " + full_name(c);
    if (!c.operand.empty()) {
        out.append(" ").append(c.operand);
    }
    for (const auto& o : c.options) {
        out.append(" [").append(o.name);
        if (!o.value_name.empty()) {
            out.append(" ").append(o.value_name);
        }
        out += "]";
    }
    out += " [GLOBAL OPTIONS]\n\n" + std::string(c.description) + "\n";
    if (!c.options.empty()) {
        out += "\nOptions:\n" + option_lines(c.options);
    }
    out += "\nGlobal options:\n" + option_lines(global_options());
    if (c.needs_credentials) {
        out += "\n" + std::string(environment_help);
    } else {
        out += "\nNo credentials needed.\n";
    }
    out += "\n" + std::string(output_help);
    return out;
}

std::string program_help() {
    std::vector<const command*> all;
    for (const auto& c : command_table()) {
        all.push_back(&c);
    }
    std::string out = R"(usage: exsdk EXCHANGE COMMAND [ARGS] [OPTIONS]

Checks WOO X and BingX API keys and listen keys from a shell, through the exsdk SDK (rate
limited, retried, signed). Options may appear anywhere after the program name.

Commands:
)";
    out += command_lines(all);
    out += "\nGlobal options:\n" + option_lines(global_options());
    out += "  --help, -h          this help; after a command: that command's help\n";
    out += "  --version           the version, then exit\n";
    out += "\n" + std::string(environment_help);
    out += "\n" + std::string(output_help);
    out += "\nRun 'exsdk EXCHANGE COMMAND --help' for a command's help.\n";
    return out;
}

} // namespace exsdk::cli

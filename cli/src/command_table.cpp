// The command table of `exsdk`: names, options and help texts. Handlers are in runner.cpp.
#include "arguments.hpp"
#include "command.hpp"

#include <algorithm>
#include <array>

namespace exsdk::cli {

namespace {

using kind = option_spec::kind;

constexpr std::array global_option_specs{
    option_spec{"--base-url", kind::text, "URL",
                "exchange REST base URL (default: the real exchange; the mock's URL for tests)"},
    option_spec{"--ca-file", kind::text, "FILE",
                "PEM file of trusted CAs for HTTPS (e.g. the mock's --ca-out); default: system"},
    option_spec{"--api-key", kind::text, "KEY",
                "API key (default: $EXSDK_WOOX_API_KEY / $EXSDK_BINGX_API_KEY)"},
    option_spec{"--secret", kind::text, "SECRET",
                "API secret (default: $EXSDK_WOOX_SECRET / $EXSDK_BINGX_SECRET); never printed"},
    option_spec{"--repeat", kind::integer, "N",
                "issue N calls at once through one client; its rate limiter paces them", 1, 100000},
    option_spec{"--timeout-ms", kind::integer, "MS",
                "connect and request timeout of each HTTP request (default 5000 / 10000)", 1,
                3600000},
    option_spec{"--no-retry", kind::flag, "", "one attempt per call: no retries, no backoff"},
    option_spec{"--redis", kind::text, "URL",
                "share the rate limits with every process using this Redis "
                "(redis[s]://[[USER]:PASSWORD@]HOST[:PORT][/DB]; default: $EXSDK_REDIS_URL)"},
    option_spec{"--redis-fallback", kind::text, "SHARE",
                "when Redis is unreachable, limit this process to SHARE of each limit (e.g. 0.25 "
                "or 1/4 for 4 processes) instead of failing calls with limiter_unavailable"},
    option_spec{"--redis-max-lateness", kind::integer, "MS",
                "with --redis: a call later than MS after its reserved start queues again "
                "(default: each limit's 1 % margin)",
                1, 3600000},
    option_spec{"--limit", kind::text, "NAME=N/MS,...",
                "client limits other than the documented ones: woox.listen_key, "
                "woox.credentials, bingx.uid, bingx.ip_group, bingx.ip_endpoint (N=0: off)"},
    option_spec{"--verbose", kind::flag, "",
                "-v: what the SDK does (requests, retries, limiter waits, clock syncs, streams) "
                "on stderr, one line per event"},
};

constexpr std::array api_keys_options{
    option_spec{"--page", kind::integer, "N", "page to fetch, from 1 (default 1)", 1},
    option_spec{"--size", kind::integer, "N",
                "rows per page, 1 to 1000 (default 25; with --all: 1000)", 1, 1000},
    option_spec{"--all", kind::flag, "", "walk every page and print all rows as one result"},
};

std::string validate_api_keys(const invocation& inv) {
    if (inv.options.flag("--all") && inv.options.has("--page")) {
        return "--all and --page cannot be combined (--all fetches every page)";
    }
    return {};
}

constexpr std::array woox_stream_options{
    option_spec{"--topics", kind::text, "T,T,...",
                "topics to subscribe (default: executionreport,balance,position,account)"},
    option_spec{"--stream-url", kind::text, "URL",
                "private stream URL (default: from --base-url, else wss://wss.woox.io/v3/private)"},
};

constexpr std::array bingx_stream_options{
    option_spec{"--market", kind::text, "spot|swap", "which account stream (required)"},
    option_spec{"--stream-url", kind::text, "URL",
                "stream URL (default: from --base-url, else BingX's spot or swap stream URL)"},
};

std::string validate_woox_stream(const invocation& inv) {
    if (auto topics = inv.options.text("--topics")) {
        const auto names = split_commas(*topics);
        if (std::ranges::any_of(names, [](const std::string& n) { return n.empty(); })) {
            return "--topics takes comma-separated topic names, none of them empty";
        }
        if (names.size() > 10) {
            return "--topics takes at most 10 topics (WOO X's limit per command)";
        }
    }
    return {};
}

std::string validate_bingx_stream(const invocation& inv) {
    const auto market = inv.options.text("--market");
    if (!market) {
        return "bingx stream needs --market spot or --market swap";
    }
    if (*market != "spot" && *market != "swap") {
        return "--market must be spot or swap";
    }
    return {};
}

constexpr std::string_view woox_stream_help =
    R"(Runs a listen-key session on the WOO X private stream until interrupted (Ctrl-C):
creates a listen key, connects, subscribes, pings every 15 s, rotates the key before it
expires and reconnects with backoff. Prints one JSON line per update:
  {"ok":true,...,"status":"event","topic":"balance","event":{<the frame as sent>}}
  {"ok":true,...,"status":"connected"|"disconnected"|"reconnecting"|"key_rotated"|"gap",...}

Result (the last line, after Ctrl-C): {"stopped":true,"connects":N,"disconnects":N,
  "keysCreated":N,"events":N,"gaps":N}; an error line instead when the credentials cannot
  work (unauthorized, permission, IP, signature).)";

constexpr std::string_view bingx_stream_help =
    R"(Runs a listen-key session on a BingX account stream (--market spot|swap) until interrupted
(Ctrl-C): generates a listen key, connects (spot: subscribes), answers the server's pings,
extends the key every 30 min, rotates it on 404 or listenKeyExpired, reconnects with backoff,
and deletes the key on the way out. Prints one JSON line per update:
  {"ok":true,...,"status":"event","type":"ACCOUNT_UPDATE","event":{<the frame as sent>}}
  {"ok":true,...,"status":"connected"|"disconnected"|"reconnecting"|"key_rotated"|"gap",...}

Result (the last line, after Ctrl-C): {"stopped":true,"connects":N,"disconnects":N,
  "keysCreated":N,"events":N,"gaps":N}; an error line instead when the credentials cannot
  work.)";

constexpr std::string_view woox_listen_key_create_help =
    R"(POST /v3/account/listenKey: creates a listen key for the WOO X private stream (valid 24 h).
WOO X expires the API key's previous listen key at once: a stream using it stops.
Rate limit: 5 requests / 10 s per account (the client waits rather than exceed it).

Result: {"authKey":"...","expiredTime":<epoch ms>})";

constexpr std::string_view woox_api_keys_help =
    R"(GET /v3/account/credentials: the API keys of the caller's account and their permissions,
one page (--page, --size) or every page (--all, one request per page through the limiter).
Rate limit: 10 requests / 60 s per account.

Result (one page): {"rows":[{"accountName":"Main","userId":12523,"apiKey":"...",
  "permissions":["READ","TRADE"],"allowedIPs":["1.2.3.4"]}],
  "meta":{"total":2,"recordsPerPage":25,"currentPage":1}}
Result (--all):    {"rows":[...],"total":2}
"allowedIPs" is left out for a key without an IP restriction.)";

constexpr std::string_view woox_server_time_help =
    R"(GET /v3/public/systemInfo: the WOO X server time (no credentials needed) and how far the
local clock is off (server time minus the midpoint of the request's round trip).

Result: {"serverTime":<epoch ms>,"offsetMs":<ms>,"roundTripMs":<ms>})";

constexpr std::string_view bingx_generate_help =
    R"(POST /openApi/user/auth/userDataStream: a new listen key for the BingX account streams,
valid 60 min from now or from its last extend.
Rate limit: 2 requests / s per UID, shared with extend and delete.

Result: {"listenKey":"<64 hex>","validUntil":<epoch ms, estimated>})";

constexpr std::string_view bingx_extend_help =
    R"(PUT /openApi/user/auth/userDataStream?listenKey=KEY: another 60 min for KEY (extend
every 30 min). A key that already lapsed or was deleted gives the error "not_found" (HTTP 404).

Result: {"listenKey":"KEY"})";

constexpr std::string_view bingx_delete_help =
    R"(DELETE /openApi/user/auth/userDataStream?listenKey=KEY: ends KEY now. An unknown key gives
the error "not_found" (HTTP 404).

Result: {"listenKey":"KEY"})";

constexpr std::string_view bingx_server_time_help =
    R"(GET /openApi/swap/v2/server/time: the BingX server time (no credentials needed) and how far
the local clock is off (server time minus the midpoint of the request's round trip).

Result: {"serverTime":<epoch ms>,"offsetMs":<ms>,"roundTripMs":<ms>})";

const std::array commands{
    command{exchange_id::woox,
            "listen-key create",
            "",
            "create a listen key (expires the previous one)",
            woox_listen_key_create_help,
            {},
            true,
            true,
            nullptr,
            handler_id::woox_listen_key_create},
    command{exchange_id::woox, "api-keys", "", "list the account's API keys and their permissions",
            woox_api_keys_help, api_keys_options, true, true, validate_api_keys,
            handler_id::woox_api_keys},
    command{exchange_id::woox,
            "server-time",
            "",
            "server time and local clock offset",
            woox_server_time_help,
            {},
            false,
            true,
            nullptr,
            handler_id::woox_server_time},
    command{exchange_id::bingx,
            "listen-key generate",
            "",
            "generate a listen key (valid 60 min)",
            bingx_generate_help,
            {},
            true,
            true,
            nullptr,
            handler_id::bingx_listen_key_generate},
    command{exchange_id::bingx,
            "listen-key extend",
            "KEY",
            "extend KEY by 60 min",
            bingx_extend_help,
            {},
            true,
            true,
            nullptr,
            handler_id::bingx_listen_key_extend},
    command{exchange_id::bingx,
            "listen-key delete",
            "KEY",
            "delete KEY",
            bingx_delete_help,
            {},
            true,
            true,
            nullptr,
            handler_id::bingx_listen_key_delete},
    command{exchange_id::bingx,
            "server-time",
            "",
            "server time and local clock offset",
            bingx_server_time_help,
            {},
            false,
            true,
            nullptr,
            handler_id::bingx_server_time},
    command{exchange_id::woox, "stream", "",
            "run a private-stream session, one JSON line per event, until Ctrl-C", woox_stream_help,
            woox_stream_options, true, false, validate_woox_stream, handler_id::woox_stream},
    command{exchange_id::bingx, "stream", "",
            "run an account-stream session, one JSON line per event, until Ctrl-C",
            bingx_stream_help, bingx_stream_options, true, false, validate_bingx_stream,
            handler_id::bingx_stream},
};

} // namespace

std::string_view to_string(exchange_id e) noexcept {
    return e == exchange_id::woox ? "woox" : "bingx";
}

std::span<const option_spec> global_options() {
    return global_option_specs;
}

std::span<const command> command_table() {
    return commands;
}

std::optional<std::int64_t> option_values::integer(std::string_view name) const {
    const auto it = values_.find(name);
    if (it == values_.end()) {
        return std::nullopt;
    }
    if (const auto* v = std::get_if<std::int64_t>(&it->second)) {
        return *v;
    }
    return std::nullopt;
}

std::optional<std::string> option_values::text(std::string_view name) const {
    const auto it = values_.find(name);
    if (it == values_.end()) {
        return std::nullopt;
    }
    if (const auto* v = std::get_if<std::string>(&it->second)) {
        return *v;
    }
    return std::nullopt;
}

std::vector<std::string_view> split_words(std::string_view s) {
    std::vector<std::string_view> words;
    while (!s.empty()) {
        const auto space = s.find(' ');
        words.push_back(s.substr(0, space));
        if (space == std::string_view::npos) {
            break;
        }
        s.remove_prefix(space + 1);
    }
    return words;
}

std::string full_name(const command& c) {
    return std::string(program_name) + " " + std::string(to_string(c.exchange)) + " " +
           std::string(c.name);
}

// The words of the commands of `ex` that start with `prefix`.
std::vector<const command*> commands_under(exchange_id ex,
                                           std::span<const std::string_view> prefix) {
    std::vector<const command*> out;
    for (const auto& c : command_table()) {
        if (c.exchange != ex) {
            continue;
        }
        const auto words = split_words(c.name);
        if (words.size() >= prefix.size() &&
            std::equal(prefix.begin(), prefix.end(), words.begin())) {
            out.push_back(&c);
        }
    }
    return out;
}

std::string join(std::span<const std::string_view> words) {
    std::string s;
    for (auto w : words) {
        s += s.empty() ? "" : " ";
        s += w;
    }
    return s;
}

} // namespace exsdk::cli

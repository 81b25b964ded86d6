// WOO X (REST v3 + private websocket v3): every wire fact the SDK and the mock exchange share.
// Source: ../shared/spec/exchange-api.md section 1 and the seed documents. A fact changes here,
// in one line, for both products.
#pragma once

#include <exsdk/rate_limit.hpp>

#include <array>
#include <chrono>
#include <cstdint>
#include <string_view>

namespace exsdk::woox::protocol {

using namespace std::chrono_literals;

// --- hosts ---------------------------------------------------------------------------------
inline constexpr std::string_view rest_base_url = "https://api.woox.io";
inline constexpr std::string_view staging_rest_base_url = "https://api.staging.woox.io";
inline constexpr std::string_view private_stream_url = "wss://wss.woox.io/v3/private";
inline constexpr std::string_view staging_private_stream_url =
    "wss://wss.staging.woox.io/v3/private";

// --- paths ---------------------------------------------------------------------------------
inline constexpr std::string_view path_prefix = "/v3/"; // routes errors to the WOO X envelope
inline constexpr std::string_view listen_key_path = "/v3/account/listenKey";    // POST
inline constexpr std::string_view credentials_path = "/v3/account/credentials"; // GET
inline constexpr std::string_view system_info_path = "/v3/public/systemInfo";   // GET, public
inline constexpr std::string_view private_stream_path = "/v3/private";          // ws ?key=

// --- signing (section 1.1) -----------------------------------------------------------------
// signature = lowercase hex HMAC-SHA256(secret, timestamp + METHOD + path_with_query + body)
inline constexpr std::string_view api_key_header = "x-api-key";
inline constexpr std::string_view timestamp_header = "x-api-timestamp";
inline constexpr std::string_view signature_header = "x-api-signature";
inline constexpr std::size_t timestamp_digits = 13;
/// Not published by WOO X; the mock rejects |server - ts| above this (configurable).
inline constexpr std::chrono::milliseconds default_timestamp_window = 5000ms;

// --- requests ------------------------------------------------------------------------------
inline constexpr std::string_view listen_key_type = "WEBSOCKET";
inline constexpr std::string_view listen_key_body = R"({"type":"WEBSOCKET"})";
inline constexpr std::int64_t default_page = 1;
inline constexpr std::int64_t default_page_size = 25;
inline constexpr std::int64_t max_page_size = 1000;

// --- lifetimes and limits ------------------------------------------------------------------
inline constexpr std::chrono::hours listen_key_lifetime{24};
/// Per account (userId), per endpoint. Counted only for authenticated requests.
inline constexpr rate_limit listen_key_limit{5, 10s};
inline constexpr rate_limit credentials_limit{10, 60s};

// --- error codes (section 1.2) -------------------------------------------------------------
enum class code : std::int64_t {
    unknown = -1000,           // HTTP 500
    invalid_signature = -1001, // HTTP 401
    unauthorized = -1002,      // HTTP 401
    too_many_requests = -1003, // HTTP 429
    unknown_parameter = -1004, // HTTP 400
    invalid_parameter = -1005, // HTTP 400
    not_found = -1006,         // HTTP 400
};

constexpr unsigned http_status(code c) noexcept {
    switch (c) {
    case code::unknown: return 500;
    case code::invalid_signature:
    case code::unauthorized: return 401;
    case code::too_many_requests: return 429;
    case code::unknown_parameter:
    case code::invalid_parameter:
    case code::not_found: return 400;
    }
    return 500;
}

/// The messages the mock sends. WOO X publishes code names, not texts, for these cases; the
/// generic texts follow WOO X's error-code table and the -1002 variants say which check failed.
/// The SDK refines -1002 by the keywords below (`refine`), each checked against these texts.
namespace message {
inline constexpr std::string_view unknown =
    "An unknown error occurred while processing the request.";
inline constexpr std::string_view invalid_signature = "The api key or secret is in wrong format.";
inline constexpr std::string_view unauthorized =
    "API key or secret is invalid, it may because key have insufficient permission or the key is "
    "expired/revoked.";
inline constexpr std::string_view missing_auth_headers =
    "Missing x-api-key, x-api-timestamp or x-api-signature header.";
inline constexpr std::string_view malformed_timestamp =
    "Invalid timestamp: x-api-timestamp must be a 13-digit epoch millisecond value.";
inline constexpr std::string_view stale_timestamp =
    "Timestamp for this request is outside of the receive window.";
inline constexpr std::string_view ip_not_allowed = "IP address is not allowed for this API key.";
inline constexpr std::string_view permission_denied =
    "This API key does not have the permission required by this endpoint.";
inline constexpr std::string_view too_many_requests = "Rate limit exceed.";
inline constexpr std::string_view unknown_parameter = "An unknown parameter was sent.";
inline constexpr std::string_view invalid_parameter =
    "Some parameters are in wrong format for api.";
inline constexpr std::string_view not_found = "The data is not found in server.";
} // namespace message

/// -1002 covers several causes (spec 1.2); these case-insensitive keywords of its message say
/// which, tried in this order (the SDK's woox/responses.cpp). A missing header is an
/// authentication failure even when the missing header is the timestamp.
namespace refine {
inline constexpr std::string_view missing = "missing";     // -> unauthorized
inline constexpr std::string_view timestamp = "timestamp"; // -> timestamp_rejected
inline constexpr std::array<std::string_view, 3> ip = {"IP address", "IP not",
                                                       "whitelist"};           // -> ip_not_allowed
inline constexpr std::string_view permission = "does not have the permission"; // -> denied

/// Case-insensitive (ASCII) `word` in `text`; constexpr so the keywords are checked here.
constexpr bool contains(std::string_view text, std::string_view word) noexcept {
    const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; };
    for (std::size_t i = 0; i + word.size() <= text.size(); ++i) {
        std::size_t j = 0;
        while (j < word.size() && lower(text[i + j]) == lower(word[j])) {
            ++j;
        }
        if (j == word.size()) {
            return true;
        }
    }
    return false;
}
static_assert(contains(message::missing_auth_headers, missing));
static_assert(contains(message::malformed_timestamp, timestamp) &&
              contains(message::stale_timestamp, timestamp));
static_assert(contains(message::ip_not_allowed, ip[0]));
static_assert(contains(message::permission_denied, permission));
static_assert(!contains(message::unauthorized, missing) &&
              !contains(message::unauthorized, timestamp) &&
              !contains(message::unauthorized, ip[0]) && !contains(message::unauthorized, ip[1]) &&
              !contains(message::unauthorized, ip[2]) &&
              !contains(message::unauthorized, permission));
} // namespace refine

// --- envelopes and field names (sections 1.2-1.4) ------------------------------------------
// REST: {"success":true,"data":{...},"timestamp":ms} | {"success":false,"code":N,"message":M}.
// Stream: commands {"id","cmd","params"}, answers {"id","cmd","success","time","data"}, pushes
// {"topic","ts","data"}.
namespace field {
inline constexpr std::string_view success = "success";
inline constexpr std::string_view code = "code";
inline constexpr std::string_view message = "message";
inline constexpr std::string_view data = "data";
inline constexpr std::string_view timestamp = "timestamp";
inline constexpr std::string_view auth_key = "authKey";         // listenKey data
inline constexpr std::string_view expired_time = "expiredTime"; // listenKey data
// credentials data: {"rows":[{accountName, userId, apiKey, permissions, allowedIPs}],
// "meta":{total, recordsPerPage, currentPage}}
inline constexpr std::string_view rows = "rows";
inline constexpr std::string_view meta = "meta";
inline constexpr std::string_view account_name = "accountName";
inline constexpr std::string_view user_id = "userId";
inline constexpr std::string_view api_key = "apiKey";
inline constexpr std::string_view permissions = "permissions";
inline constexpr std::string_view allowed_ips = "allowedIPs";
inline constexpr std::string_view total = "total";
inline constexpr std::string_view records_per_page = "recordsPerPage";
inline constexpr std::string_view current_page = "currentPage";
inline constexpr std::string_view id = "id";
inline constexpr std::string_view cmd = "cmd";
inline constexpr std::string_view params = "params";
inline constexpr std::string_view time = "time";
inline constexpr std::string_view topic = "topic";
inline constexpr std::string_view ts = "ts";
} // namespace field

/// GET credentials' query: ?page=N&size=M.
inline constexpr std::string_view page_param = "page";
inline constexpr std::string_view size_param = "size";

// --- private stream (section 1.4) ----------------------------------------------------------
inline constexpr std::array<std::string_view, 4> topics = {"executionreport", "balance", "position",
                                                           "account"};
inline constexpr std::size_t max_topics_per_command = 10;
inline constexpr std::string_view cmd_subscribe = "SUBSCRIBE";
inline constexpr std::string_view cmd_unsubscribe = "UN_SUBSCRIBE";
inline constexpr std::string_view cmd_ping = "PING";
inline constexpr std::string_view cmd_pong = "PONG";
inline constexpr std::string_view cmd_error = "ERROR";
inline constexpr std::string_view invalid_command_message = "Command type invalid!";
inline constexpr std::string_view invalid_request_message = "Invalid request.";
/// Clients should ping every 10-25 s; the SDK uses 15 s.
inline constexpr std::chrono::seconds client_ping_interval{15};
/// The server closes a socket that sent nothing for this long.
inline constexpr std::chrono::seconds idle_timeout{60};
/// The server closes every socket at this age.
inline constexpr std::chrono::hours max_socket_lifetime{24};
inline constexpr std::size_t max_sockets_per_ip = 100;
/// The authKey travels in the upgrade's query: /v3/private?key=<authKey>.
inline constexpr std::string_view stream_key_param = "key";
/// The websocket close code of a socket whose key was replaced, expired or revoked (policy
/// violation): reconnecting with that key is futile.
inline constexpr std::int64_t key_gone_close_code = 1008;
/// The close code of a socket closed for idleness or at max_socket_lifetime (going away): the
/// key is still good, reconnect with it.
inline constexpr std::int64_t going_away_close_code = 1001;
/// The close code of a socket whose key was deleted (normal closure).
inline constexpr std::int64_t key_deleted_close_code = 1000;

} // namespace exsdk::woox::protocol

// BingX (user data stream REST + account websocket streams): every wire fact the SDK and the
// mock exchange share. Source: ../shared/spec/exchange-api.md section 2 and the seed documents.
// A fact changes here, in one line, for both products.
#pragma once

#include <exsdk/rate_limit.hpp>

#include <chrono>
#include <cstdint>
#include <string_view>

namespace exsdk::bingx::protocol {

using namespace std::chrono_literals;

// --- hosts ---------------------------------------------------------------------------------
inline constexpr std::string_view rest_base_url = "https://open-api.bingx.com";
inline constexpr std::string_view spot_stream_url = "wss://open-api-ws.bingx.com/market";
inline constexpr std::string_view swap_stream_url = "wss://open-api-swap.bingx.com/swap-market";

// --- paths ---------------------------------------------------------------------------------
inline constexpr std::string_view path_prefix = "/openApi/"; // routes errors to the BingX envelope
/// POST generate, PUT extend (?listenKey=), DELETE (?listenKey=)
inline constexpr std::string_view user_data_stream_path = "/openApi/user/auth/userDataStream";
inline constexpr std::string_view server_time_path = "/openApi/swap/v2/server/time"; // public
inline constexpr std::string_view spot_stream_path = "/market";      // ws ?listenKey=
inline constexpr std::string_view swap_stream_path = "/swap-market"; // ws ?listenKey=

// --- signing (section 2.1) -----------------------------------------------------------------
// query = k=v&... (keys sorted, values not URL-encoded) + "&signature=" + hex HMAC of the rest
inline constexpr std::string_view api_key_header = "X-BX-APIKEY";
inline constexpr std::string_view timestamp_param = "timestamp";
inline constexpr std::string_view recv_window_param = "recvWindow";
inline constexpr std::string_view signature_param = "signature";
inline constexpr std::string_view listen_key_param = "listenKey";
inline constexpr std::chrono::milliseconds default_recv_window = 5000ms;
/// Timestamps further than this in the future are rejected (decision, section 2.1).
inline constexpr std::chrono::milliseconds max_future_skew = 1000ms;

// --- rate-limit headers (every answer) -----------------------------------------------------
inline constexpr std::string_view remain_header = "X-RateLimit-Requests-Remain";
inline constexpr std::string_view expire_header = "X-RateLimit-Requests-Expire"; // ms to reset

// --- lifetimes and limits ------------------------------------------------------------------
inline constexpr std::chrono::minutes listen_key_lifetime{60};
inline constexpr std::chrono::minutes extend_interval{30};
inline constexpr std::size_t listen_key_hex_length = 64;
/// Per UID, for each of POST/PUT/DELETE userDataStream.
inline constexpr rate_limit uid_limit{2, 1s};
/// The account IP group: per IP over the whole group, and per endpoint per IP.
inline constexpr rate_limit ip_group_limit{2000, 10s};
inline constexpr rate_limit ip_endpoint_limit{300, 10s};
/// After a limit is exceeded, calls answer the "disabled period" form for this long (mock).
inline constexpr std::chrono::milliseconds default_disabled_period = 5000ms;
/// More than this many error answers to one API within the window blocks it (third form).
inline constexpr std::size_t error_block_threshold = 20;
inline constexpr std::chrono::milliseconds error_block_window = 480000ms;

// --- codes (section 2.2) -------------------------------------------------------------------
enum class code : std::int64_t {
    ok = 0,
    permission_denied = 100004,
    signature_failed = 100001,
    rate_limited = 100410,
    null_signature = 100412,
    incorrect_api_key = 100413,
    ip_not_whitelisted = 100419,
    timestamp_mismatch = 100421,
    invalid_parameter = 80014,
};

namespace message {
inline constexpr std::string_view signature_failed = "Signature verification failed";
inline constexpr std::string_view null_signature = "Null signature";
inline constexpr std::string_view incorrect_api_key = "Incorrect apiKey";
inline constexpr std::string_view ip_not_whitelisted =
    "IP does not match IP whitelist , please go to https://bingx.com/en/account/api/ to verify the "
    "ip you have set";
inline constexpr std::string_view timestamp_mismatch =
    "Null timestamp or timestamp mismatch, try to run our sample code from the link "
    "https://bingx-api.github.io/docs/#/en-us/spot/account-api.html#Query%20Assets";
inline constexpr std::string_view timestamp_invalid = "timestamp is invalid";
inline constexpr std::string_view permission_denied =
    "Permission denied as the API key was created without the permission";
// The three 100410 forms. The first and third end with the epoch ms when calls may resume.
inline constexpr std::string_view disabled_period_prefix =
    "code:100410:The endpoint trigger frequency limit rule is currently in the disabled period and "
    "will be unblocked after ";
inline constexpr std::string_view rate_limited = "rate limited";
inline constexpr std::string_view error_block_prefix = "over 20 error code:"; // + code
inline constexpr std::string_view error_block_middle =
    " requests within 480000 ms for this api, please verify and fix it ,can "
    "retry after time: "; // + ms
/// The marker the SDK searches for in either time-bearing form.
inline constexpr std::string_view unblocked_after_marker = "unblocked after ";
inline constexpr std::string_view retry_after_marker = "can retry after time: ";
} // namespace message

// --- account streams (section 2.4) ---------------------------------------------------------
/// Swap: the server sends "Ping" about this often; the client answers "Pong".
inline constexpr std::chrono::seconds swap_ping_interval{5};
inline constexpr std::string_view swap_ping = "Ping";
inline constexpr std::string_view swap_pong = "Pong";
inline constexpr std::string_view spot_execution_report_topic = "spot.executionReport";
inline constexpr std::string_view account_update_topic = "ACCOUNT_UPDATE";
inline constexpr std::string_view event_listen_key_expired = "listenKeyExpired";
inline constexpr std::string_view event_account_update = "ACCOUNT_UPDATE";
inline constexpr std::string_view event_order_trade_update = "ORDER_TRADE_UPDATE";
inline constexpr std::string_view event_account_config_update = "ACCOUNT_CONFIG_UPDATE";
inline constexpr std::string_view event_execution_report = "executionReport";
inline constexpr std::size_t max_topics_per_socket = 200;
inline constexpr std::size_t max_sockets_per_ip = 60;
/// The listen key travels in the upgrade's query: /market?listenKey=<key>.
inline constexpr std::string_view stream_key_param = "listenKey";
/// Spot heartbeat: the server sends {"ping":"<id>","time":"<text>"} this often ...
inline constexpr std::chrono::seconds spot_ping_interval{5};
/// ... and drops a client that sent no valid pong for this long (3 ping intervals; mock).
inline constexpr std::chrono::seconds pong_timeout{15};
/// Spot subscription requests: {"id":..,"reqType":"sub"|"unsub","dataType":..}.
inline constexpr std::string_view req_sub = "sub";
inline constexpr std::string_view req_unsub = "unsub";
/// Websocket answer codes (BingX's websocket code table): 100400 ILLEGAL_ARGUMENT,
/// 100410 FREQUENCY_LIMIT (the mock uses it for the topics-per-socket limit).
inline constexpr std::int64_t stream_illegal_argument = 100400;
inline constexpr std::int64_t stream_frequency_limit = 100410;
/// Close codes: after listenKeyExpired, or a deleted key (normal closure) ...
inline constexpr std::int64_t key_expired_close_code = 1000;
/// ... and a client without a valid pong for pong_timeout, or a revoked key (policy violation).
inline constexpr std::int64_t policy_close_code = 1008;

// --- envelopes and field names (sections 2.2-2.4) ------------------------------------------
// REST: {"code":0,"msg":"","data":{...},"timestamp":ms} (listen key: {"listenKey":..} at the
// top level or in data). Stream: pushes {"e":type,"E":ms,...} (spot: {"code":0,"dataType":topic,
// "data":{...}}), heartbeats {"ping":id,"time":text} / {"pong":id,"time":text}, spot requests
// {"id","reqType","dataType"} and their answers {"id","code","msg"}.
namespace field {
inline constexpr std::string_view code = "code";
inline constexpr std::string_view msg = "msg";
inline constexpr std::string_view data = "data";
inline constexpr std::string_view timestamp = "timestamp";
inline constexpr std::string_view listen_key = "listenKey";
inline constexpr std::string_view event_type = "e";
inline constexpr std::string_view event_time = "E";
inline constexpr std::string_view ping = "ping";
inline constexpr std::string_view pong = "pong";
inline constexpr std::string_view time = "time";
inline constexpr std::string_view id = "id";
inline constexpr std::string_view req_type = "reqType";
inline constexpr std::string_view data_type = "dataType";
} // namespace field

} // namespace exsdk::bingx::protocol

// WOO X answers -> typed results (sans-io). Error mapping (spec 1.2):
//   -1000 -> server_error, -1001 -> invalid_signature, -1002 -> unauthorized (refined to
//   timestamp_rejected / ip_not_allowed / permission_denied by the message), -1003 ->
//   rate_limited, -1004 / -1005 -> bad_request, -1006 -> not_found, 418 -> banned; an envelope
//   without a code takes its meaning from the status. `code` is accepted as a number or a string
//   ("-1000"). An answer that is not WOO X's envelope (not a JSON object with a boolean `success`
//   or a `code`, e.g. an HTML page, plain text or an empty body, or a Content-Type naming a page)
//   -> unexpected_response with its status; a success envelope that lacks a documented field ->
//   protocol.
#pragma once

#include <exsdk/clock.hpp>
#include <exsdk/error.hpp>
#include <exsdk/http_message.hpp>
#include <exsdk/woox/types.hpp>

namespace exsdk::woox::responses {

/// The error an answer that is not a success describes.
error to_error(const http_response& r);

result<listen_key> parse_listen_key(const http_response& r);
result<api_key_page> parse_api_key_page(const http_response& r);
/// The server time of /v3/public/systemInfo (its top-level "timestamp").
result<clock::wall_time> parse_system_info(const http_response& r);

} // namespace exsdk::woox::responses

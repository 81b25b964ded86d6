// BingX answers -> typed results (sans-io). Error mapping (spec 2.2):
//   100001 / 100412 -> invalid_signature, 100413 -> unauthorized, 100419 -> ip_not_allowed,
//   100421 -> timestamp_rejected, 100004 -> permission_denied, 80014 -> bad_request,
//   100410 -> rate_limited with retry_after parsed from "unblocked after <ms>" /
//   "can retry after time: <ms>"; from PUT/DELETE userDataStream, HTTP 204 with an empty body
//   (listenKey missing) -> bad_request and 404 with an empty body -> not_found; 418 -> banned.
//   An answer that is not BingX's own (no JSON object with a `code`, no documented empty answer,
//   or a Content-Type naming a page such as text/html) -> unexpected_response with its status,
//   whatever the status: a proxy's 404 page never means "key gone". A JSON envelope that lacks
//   a documented field -> protocol.
#pragma once

#include <exsdk/clock.hpp>
#include <exsdk/error.hpp>
#include <exsdk/http_message.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace exsdk::bingx::responses {

/// The error an answer that is not a success describes.
error to_error(const http_response& r);

/// The key of a generate answer, bare {"listenKey":..} or wrapped {"code":0,"data":{..}}.
result<std::string> parse_listen_key(const http_response& r);
/// PUT/DELETE: 200 with an empty body (or {"code":0}) is success.
result<void> parse_empty_success(const http_response& r);
/// {"code":0,"msg":"","data":{"serverTime":<ms>}}
result<clock::wall_time> parse_server_time(const http_response& r);

/// The unblock time in a 100410 message, if it carries one.
std::optional<clock::wall_time> parse_unblock_time(std::string_view message);

} // namespace exsdk::bingx::responses

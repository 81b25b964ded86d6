// BingX requests (sans-io): method and target with the whole query of spec 2.1 built here: the
// call's parameters plus timestamp (and recvWindow) joined as k=v&k=v in ASCII key order, values
// not URL-encoded. bingx::signer then only signs: it appends &signature=... and the API key
// header.
#pragma once

#include <exsdk/http_message.hpp>

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <utility>

namespace exsdk::bingx {

/// One query parameter, name and value, as sent (not URL-encoded).
using param = std::pair<std::string_view, std::string_view>;

namespace requests {

/// `path` + "?" + the parameters with timestamp (and recvWindow) in ASCII key order, ready for
/// signer::sign(). At most 14 parameters.
http_request with_query(http_method m, std::string_view path, std::span<const param> params,
                        std::int64_t timestamp_ms,
                        std::optional<std::int64_t> recv_window_ms = std::nullopt);

/// POST /openApi/user/auth/userDataStream?timestamp=..[&recvWindow=..]
http_request generate_listen_key(std::int64_t timestamp_ms,
                                 std::optional<std::int64_t> recv_window_ms = std::nullopt);
/// PUT /openApi/user/auth/userDataStream?listenKey=..&timestamp=..
http_request extend_listen_key(std::string_view listen_key, std::int64_t timestamp_ms,
                               std::optional<std::int64_t> recv_window_ms = std::nullopt);
/// DELETE /openApi/user/auth/userDataStream?listenKey=..&timestamp=..
http_request delete_listen_key(std::string_view listen_key, std::int64_t timestamp_ms,
                               std::optional<std::int64_t> recv_window_ms = std::nullopt);
/// GET /openApi/swap/v2/server/time (public, unsigned)
http_request server_time();

// The same, built in place into `into` (cleared first; its buffers keep their room): what a
// client that reuses its requests calls, allocating nothing once warm.
void with_query(http_request& into, http_method m, std::string_view path,
                std::span<const param> params, std::int64_t timestamp_ms,
                std::optional<std::int64_t> recv_window_ms = std::nullopt);
void generate_listen_key(http_request& into, std::int64_t timestamp_ms,
                         std::optional<std::int64_t> recv_window_ms = std::nullopt);
void extend_listen_key(http_request& into, std::string_view listen_key, std::int64_t timestamp_ms,
                       std::optional<std::int64_t> recv_window_ms = std::nullopt);
void delete_listen_key(http_request& into, std::string_view listen_key, std::int64_t timestamp_ms,
                       std::optional<std::int64_t> recv_window_ms = std::nullopt);

} // namespace requests
} // namespace exsdk::bingx

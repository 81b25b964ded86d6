// The mock exchange's own WOO X answers (spec section 4): messages for cases the exchange's
// documentation does not spell (system status, unknown paths and methods, oversized bodies,
// refused stream upgrades). The SDK never sees them as facts; the exchange's facts are in
// <exsdk/woox/protocol.hpp>.
#pragma once

#include <string_view>

namespace exsdk::mock::woox_answers {

/// systemInfo data.msg while the system is up (data.status 0).
inline constexpr std::string_view system_ok = "System is functioning properly.";
/// Unknown path (HTTP 404, code -1006) and known path with another method (HTTP 405, -1000).
inline constexpr std::string_view path_not_found = "The requested API path does not exist.";
inline constexpr std::string_view method_not_allowed =
    "The request method is not supported for this API path.";
/// Body above the size limit (HTTP 413, code -1005).
inline constexpr std::string_view body_too_large = "Request body is too large.";
/// Upgrade refused: unknown, expired, replaced or missing key (HTTP 401, code -1002).
inline constexpr std::string_view stream_key_invalid = "The listen key is invalid or has expired.";
/// Upgrade refused: the IP already has max_sockets_per_ip open sockets (HTTP 429, code -1003).
inline constexpr std::string_view stream_too_many_sockets =
    "Too many websocket connections from this IP address.";

} // namespace exsdk::mock::woox_answers

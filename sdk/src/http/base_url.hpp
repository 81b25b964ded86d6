// A client's base URL ("https://api.woox.io", "http://127.0.0.1:8080"), parsed once.
#pragma once

#include <exsdk/error.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace exsdk::detail {

struct base_url {
    bool tls = false;
    std::string host; ///< "api.woox.io", "127.0.0.1", "::1"
    std::uint16_t port = 0;
    std::string host_header; ///< "api.woox.io" or "127.0.0.1:8080"
    bool host_is_address = false;
};

/// A websocket endpoint: where to connect and the path to upgrade.
struct endpoint_url {
    base_url base;
    std::string path; ///< "/v3/private"; "/" when the URL has none
};

/// Like parse_base_url(), but keeps the path (no query, no fragment, no user info).
result<endpoint_url> parse_endpoint_url(std::string_view url);

/// Accepts http/https (and ws/wss for streams) URLs with no path other than "/", no query and no
/// user info. Errors: errc::invalid_argument naming the problem.
result<base_url> parse_base_url(std::string_view url);
/// parse_base_url() for a client's constructor: throws exsdk::exception with its error.
base_url parse_base_url_or_throw(std::string_view url);

} // namespace exsdk::detail

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

/// Accepts http/https (and ws/wss for streams) URLs with no path other than "/", no query and no
/// user info. Errors: errc::invalid_argument naming the problem.
result<base_url> parse_base_url(std::string_view url);

} // namespace exsdk::detail

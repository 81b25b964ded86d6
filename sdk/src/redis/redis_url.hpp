// redis:// and rediss:// URLs (private to exsdk::redis), parsed with Boost.URL:
//   redis://[[USER]:PASSWORD@]HOST[:PORT][/DB]     rediss:// for TLS; PORT 6379, DB 0 by default
#pragma once

#include "http/base_url.hpp"

#include <exsdk/error.hpp>

#include <string>
#include <string_view>

namespace exsdk::detail::redis {

struct redis_url {
    base_url server; ///< tls (rediss), host, port, host_is_address
    std::string username;
    std::string password; ///< percent-decoded; never printed
    int database = 0;
};

/// Errors: errc::invalid_argument naming the problem (never the password).
result<redis_url> parse_redis_url(std::string_view text);

/// "redis://HOST:PORT/DB" (or rediss://): the URL without user information, for messages.
std::string printable(const redis_url& u);

} // namespace exsdk::detail::redis

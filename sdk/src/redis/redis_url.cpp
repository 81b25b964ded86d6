#include "redis/redis_url.hpp"

#include <boost/url/parse.hpp>

#include <charconv>

namespace exsdk::detail::redis {

namespace {

constexpr std::uint16_t default_port = 6379;

error bad(std::string_view why) {
    return error(errc::invalid_argument, "Redis URL: " + std::string(why));
}

} // namespace

result<redis_url> parse_redis_url(std::string_view text) {
    auto parsed = boost::urls::parse_absolute_uri(text);
    if (!parsed) {
        return bad("not an absolute URL (expected redis://[[USER]:PASSWORD@]HOST[:PORT][/DB])");
    }
    const auto& u = *parsed;
    redis_url out;
    if (u.scheme() == "rediss") {
        out.server.tls = true;
    } else if (u.scheme() != "redis") {
        return bad("the scheme must be redis or rediss");
    }
    if (u.has_query() || u.has_fragment()) {
        return bad("no query or fragment allowed");
    }
    switch (u.host_type()) {
    case boost::urls::host_type::ipv4:
    case boost::urls::host_type::ipv6:
        out.server.host = u.host_address();
        out.server.host_is_address = true;
        break;
    case boost::urls::host_type::name: out.server.host = u.host(); break;
    default: return bad("no host");
    }
    if (out.server.host.empty()) {
        return bad("no host");
    }
    out.server.port = default_port;
    if (u.has_port()) {
        const auto digits = u.port();
        unsigned long port = 0;
        auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
        if (digits.empty() || ec != std::errc() || ptr != digits.data() + digits.size() ||
            port == 0 || port > 65535) {
            return bad("invalid port");
        }
        out.server.port = static_cast<std::uint16_t>(port);
    }
    out.server.host_header = out.server.host + ":" + std::to_string(out.server.port);
    if (u.has_userinfo()) {
        out.username = u.user();
        if (u.has_password()) {
            out.password = u.password();
        }
        if (!out.username.empty() && out.password.empty()) {
            return bad("a user name needs a password (redis://USER:PASSWORD@HOST)");
        }
    }
    const auto path = u.encoded_path();
    if (!path.empty() && path != "/") {
        const std::string_view db(path.data() + 1, path.size() - 1);
        int n = 0;
        auto [ptr, ec] = std::from_chars(db.data(), db.data() + db.size(), n);
        if (db.empty() || ec != std::errc() || ptr != db.data() + db.size() || n < 0) {
            return bad("the path must be a database number (/0, /1, ...)");
        }
        out.database = n;
    }
    return out;
}

std::string printable(const redis_url& u) {
    const bool v6 = u.server.host.find(':') != std::string::npos;
    return std::string(u.server.tls ? "rediss://" : "redis://") + (v6 ? "[" : "") + u.server.host +
           (v6 ? "]" : "") + ":" + std::to_string(u.server.port) + "/" + std::to_string(u.database);
}

} // namespace exsdk::detail::redis

#include "http/base_url.hpp"

#include <boost/asio/ip/address.hpp>
#include <boost/url/parse.hpp>

#include <charconv>

namespace exsdk::detail {

namespace {

result<endpoint_url> parse(std::string_view text, bool allow_path) {
    // "127.0.0.1:8080" or "localhost:8080": a host without a scheme (the parser would read
    // "localhost" as the scheme, or fail with a bare "mismatch").
    const auto no_scheme = [&] {
        return error(errc::invalid_argument,
                     "base URL '" + std::string(text) + "' has no scheme: write http://" +
                         std::string(text) + " or https://" + std::string(text));
    };
    if (text.empty()) {
        return error(errc::invalid_argument,
                     "base URL is empty: expected scheme://host[:port], e.g. https://api.woox.io");
    }
    auto parsed = boost::urls::parse_absolute_uri(text);
    if (!parsed) {
        if (text.find("://") == std::string_view::npos) {
            return no_scheme();
        }
        return error(errc::invalid_argument,
                     "base URL '" + std::string(text) +
                         "' is not a valid URL: expected scheme://host[:port], e.g. "
                         "https://api.woox.io");
    }
    const auto& u = *parsed;
    // Boost.URL 1.81 lets characters after the port's digits run into the path
    // ("http://a:80x" has port 80 and path "x"); RFC 3986 requires the path after an authority
    // to be empty or to start with '/'.
    if (!u.encoded_path().empty() && u.encoded_path().front() != '/') {
        if (text.find("://") == std::string_view::npos) {
            return no_scheme(); // "localhost:8080": "localhost" read as the scheme
        }
        return error(errc::invalid_argument,
                     "base URL '" + std::string(text) +
                         "' has characters after the port: expected scheme://host[:port][/path]");
    }
    const bool root = u.encoded_path().empty() || u.encoded_path() == "/";
    endpoint_url result_url;
    base_url& out = result_url.base;
    result_url.path = root ? "/" : std::string(u.encoded_path());
    const auto scheme = u.scheme();
    if (scheme == "https" || scheme == "wss") {
        out.tls = true;
    } else if (scheme != "http" && scheme != "ws") {
        if (text.find("://") == std::string_view::npos) {
            return no_scheme();
        }
        return error(errc::invalid_argument,
                     "base URL '" + std::string(text) + "': scheme must be http(s) or ws(s)");
    }
    if (u.has_userinfo() || u.has_query() || u.has_fragment() || (!allow_path && !root)) {
        return error(errc::invalid_argument, "URL '" + std::string(text) +
                                                 "' must be scheme://host[:port]" +
                                                 (allow_path ? "[/path]" : "") + " only");
    }
    switch (u.host_type()) {
    case boost::urls::host_type::ipv4:
        out.host = u.host_address();
        out.host_is_address = true;
        break;
    case boost::urls::host_type::ipv6:
        out.host = u.host_address();
        out.host_is_address = true;
        break;
    case boost::urls::host_type::name: out.host = u.host(); break;
    default:
        return error(errc::invalid_argument, "base URL '" + std::string(text) + "' has no host");
    }
    if (out.host.empty()) {
        return error(errc::invalid_argument, "base URL '" + std::string(text) + "' has no host");
    }
    const std::uint16_t default_port = out.tls ? 443 : 80;
    if (u.has_port()) {
        const auto digits = u.port();
        unsigned long port = 0;
        auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
        if (digits.empty() || ec != std::errc() || ptr != digits.data() + digits.size() ||
            port == 0 || port > 65535) {
            return error(errc::invalid_argument,
                         "base URL '" + std::string(text) + "' has an invalid port");
        }
        out.port = static_cast<std::uint16_t>(port);
    } else {
        out.port = default_port;
    }
    out.host_header = std::string(u.encoded_host_and_port());
    if (out.port == default_port && u.has_port()) {
        out.host_header = std::string(u.encoded_host());
    }
    return result_url;
}

} // namespace

result<base_url> parse_base_url(std::string_view text) {
    auto r = parse(text, false);
    if (!r) {
        return r.error();
    }
    return std::move(r->base);
}

result<endpoint_url> parse_endpoint_url(std::string_view text) {
    return parse(text, true);
}

base_url parse_base_url_or_throw(std::string_view url) {
    auto parsed = parse_base_url(url);
    if (!parsed) {
        throw exception(parsed.error());
    }
    return *std::move(parsed);
}

} // namespace exsdk::detail

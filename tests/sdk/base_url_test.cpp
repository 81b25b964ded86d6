#include "http/base_url.hpp"

#include <gtest/gtest.h>

namespace {

using exsdk::detail::parse_base_url;

TEST(base_url, https_default_port) {
    auto u = parse_base_url("https://api.woox.io");
    ASSERT_TRUE(u);
    EXPECT_TRUE(u->tls);
    EXPECT_EQ(u->host, "api.woox.io");
    EXPECT_EQ(u->port, 443);
    EXPECT_EQ(u->host_header, "api.woox.io");
    EXPECT_FALSE(u->host_is_address);
}

TEST(base_url, http_address_and_port) {
    auto u = parse_base_url("http://127.0.0.1:8080/");
    ASSERT_TRUE(u);
    EXPECT_FALSE(u->tls);
    EXPECT_EQ(u->host, "127.0.0.1");
    EXPECT_EQ(u->port, 8080);
    EXPECT_EQ(u->host_header, "127.0.0.1:8080");
    EXPECT_TRUE(u->host_is_address);
    auto ws = parse_base_url("wss://wss.woox.io");
    ASSERT_TRUE(ws);
    EXPECT_TRUE(ws->tls);
}

TEST(base_url, rejects_what_it_cannot_use) {
    for (const char* bad :
         {"", "api.woox.io", "ftp://x", "https://", "https://u:p@host", "https://host/v3",
          "https://host?x=1", "http://host:0", "http://host:99999"}) {
        auto u = parse_base_url(bad);
        ASSERT_FALSE(u) << bad;
        EXPECT_EQ(u.error().code, exsdk::errc::invalid_argument) << bad;
    }
}

TEST(base_url, a_port_with_trailing_characters_is_refused) {
    // Found by fuzz_url_query: Boost.URL 1.81 reads "http://127.0.0.1:808-/" as port 808 and
    // path "-/"; an endpoint URL then kept a path that does not start with '/'.
    for (const char* bad : {"http://127.0.0.1:808-/", "ws://a:80x", "wss://host:443abc/market"}) {
        auto e = exsdk::detail::parse_endpoint_url(bad);
        ASSERT_FALSE(e) << bad << " -> path " << e->path;
        EXPECT_EQ(e.error().code, exsdk::errc::invalid_argument) << bad;
        EXPECT_FALSE(parse_base_url(bad)) << bad;
    }
    auto ok = exsdk::detail::parse_endpoint_url("ws://a:80/x");
    ASSERT_TRUE(ok);
    EXPECT_EQ(ok->path, "/x");
}

// Issue 10: "127.0.0.1:1" said "is not an absolute URL: mismatch"; a host without a scheme now
// says what is missing and how to write it.
TEST(base_url, a_host_without_a_scheme_says_how_to_write_it) {
    for (const std::string bad : {"127.0.0.1:1", "localhost:8080", "api.woox.io"}) {
        auto u = parse_base_url(bad);
        ASSERT_FALSE(u) << bad;
        EXPECT_EQ(u.error().message, "base URL '" + bad + "' has no scheme: write http://" + bad +
                                         " or https://" + bad);
        EXPECT_EQ(u.error().message.find("mismatch"), std::string::npos);
    }
    EXPECT_EQ(parse_base_url("").error().message,
              "base URL is empty: expected scheme://host[:port], e.g. https://api.woox.io");
    EXPECT_EQ(parse_base_url("ftp://x").error().message,
              "base URL 'ftp://x': scheme must be http(s) or ws(s)");
    EXPECT_EQ(parse_base_url("http://[::1").error().message,
              "base URL 'http://[::1' is not a valid URL: expected scheme://host[:port], e.g. "
              "https://api.woox.io");
}

} // namespace

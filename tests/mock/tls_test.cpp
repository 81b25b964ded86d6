// --tls: a CA and a server certificate generated at start-up; clients verify against the CA.
#include "support.hpp"

#include <openssl/ssl.h>

#include <cstdio>
#include <fstream>
#include <sstream>

namespace mocktest {
namespace {

namespace mock = exsdk::mock;

TEST(tls, a_client_verifying_against_the_ca_succeeds) {
    auto clk = std::make_shared<exsdk::manual_clock>(t0);
    mock::config cfg;
    cfg.clock = clk;
    cfg.tls = true;
    const std::string ca_file = ::testing::TempDir() + "mock_ca_test.pem";
    cfg.ca_out = ca_file;
    mock::threaded_server srv(cfg);
    ASSERT_EQ(srv.base_url().substr(0, 8), "https://");
    const auto ca = srv.get().ca_pem();
    ASSERT_NE(ca.find("BEGIN CERTIFICATE"), std::string::npos);
    std::ifstream f(ca_file);
    std::stringstream ss;
    ss << f.rdbuf();
    EXPECT_EQ(ss.str(), ca);
    std::remove(ca_file.c_str());

    client_options o;
    o.ca_pem = ca;
    http_client c(srv.base_url(), o);
    auto r = c.request("GET", "/v3/public/systemInfo");
    EXPECT_EQ(r.status, 200u);
    // Keep-alive over TLS, and a signed request.
    const std::string body = R"({"type":"WEBSOCKET"})";
    r = c.request(
        "POST", "/v3/account/listenKey",
        woox_headers(demo::woox_key, demo::woox_secret, t0, "POST", "/v3/account/listenKey", body),
        body);
    EXPECT_EQ(r.status, 200u) << r.body;
    // The certificate names localhost too.
    o.verify_host = "localhost";
    http_client by_name(srv.base_url(), o);
    EXPECT_EQ(by_name.request("GET", "/openApi/swap/v2/server/time").status, 200u);
}

TEST(tls, a_client_without_the_ca_fails_verification) {
    mock::config cfg;
    cfg.tls = true;
    mock::threaded_server srv(cfg);
    http_client c(srv.base_url()); // verify_peer with no trusted CA
    EXPECT_THROW(c.request("GET", "/v3/public/systemInfo"), std::exception);
    // The server survives the failed handshake.
    client_options o;
    o.ca_pem = srv.get().ca_pem();
    http_client good(srv.base_url(), o);
    EXPECT_EQ(good.request("GET", "/v3/public/systemInfo").status, 200u);
    // And a wrong host name is refused by the client's verification.
    o.verify_host = "example.com";
    http_client wrong(srv.base_url(), o);
    EXPECT_THROW(wrong.request("GET", "/v3/public/systemInfo"), std::exception);
}

TEST(tls, plain_text_to_the_tls_port_is_closed) {
    mock::config cfg;
    cfg.tls = true;
    mock::threaded_server srv(cfg);
    http_client c("127.0.0.1", srv.get().port());
    c.send_raw("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
    c.drain_until_closed(); // at most a TLS alert, then the server closes
    EXPECT_FALSE(c.is_connected());
    EXPECT_TRUE(srv.get().ca_pem().size() > 0);
}

} // namespace
} // namespace mocktest

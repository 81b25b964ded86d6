// TLS against the mock exchange with its generated CA: verification succeeds with the CA, fails
// without it, and fails for a host name the certificate does not name.
#include "mock_env.hpp"

#include <exsdk/woox/client.hpp>

#include <fstream>

using exsdk::errc;

namespace {

exsdk::mock::config tls_config() {
    exsdk::mock::config cfg;
    cfg.tls = true;
    return cfg;
}

TEST(tls, verifies_the_mock_with_its_ca) {
    exsdk::test::mock_env env(tls_config());
    auto cfg = env.woox_config();
    ASSERT_EQ(cfg.base_url.rfind("https://", 0), 0u);
    cfg.tls.ca_pem = env.mock().ca_pem();
    exsdk::woox::client c(env.ioc.get_executor(), cfg);
    auto key = env.run(c.create_listen_key());
    ASSERT_TRUE(key) << key.error();
}

TEST(tls, ca_file_works_like_ca_pem) {
    exsdk::test::mock_env env(tls_config());
    const std::string path = ::testing::TempDir() + "exsdk_mock_ca.pem";
    std::ofstream(path) << env.mock().ca_pem();
    auto cfg = env.woox_config();
    cfg.tls.ca_file = path;
    exsdk::woox::client c(env.ioc.get_executor(), cfg);
    EXPECT_TRUE(env.run(c.server_time()));
}

TEST(tls, an_unknown_issuer_is_rejected) {
    exsdk::test::mock_env env(tls_config());
    exsdk::woox::client c(env.ioc.get_executor(), env.woox_config()); // system trust store
    auto r = env.run(c.server_time());
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, errc::network);
    EXPECT_NE(r.error().message.find("certificate"), std::string::npos) << r.error();
}

TEST(tls, a_host_name_mismatch_is_rejected) {
    exsdk::test::mock_env env(tls_config());
    auto cfg = env.woox_config();
    cfg.tls.ca_pem = env.mock().ca_pem();
    cfg.tls.server_name = "api.woox.io"; // the certificate names 127.0.0.1 and localhost only
    exsdk::woox::client c(env.ioc.get_executor(), cfg);
    auto r = env.run(c.server_time());
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, errc::network);
    EXPECT_NE(r.error().message.find("certificate"), std::string::npos) << r.error();
}

} // namespace

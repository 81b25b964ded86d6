// Both signers against the spec's test vectors (../shared/spec/exchange-api.md 1.1 and 2.1).
#include <exsdk/bingx/requests.hpp>
#include <exsdk/bingx/signer.hpp>
#include <exsdk/error.hpp>
#include <exsdk/woox/requests.hpp>
#include <exsdk/woox/signer.hpp>

#include <gtest/gtest.h>

#include <array>
#include <sstream>

namespace {

exsdk::credentials woox_creds() {
    return {"AbmyVJGUpN064ks5ELjLfA==", exsdk::secret("QHKRXHPAW1MC9YGZMAT8YDJG2HPR")};
}

std::string header(const exsdk::http_request& r, std::string_view name) {
    for (std::size_t i = 0; i < r.header_count; ++i) {
        if (r.headers[i].name == name) {
            return r.headers[i].value;
        }
    }
    return "<missing>";
}

TEST(woox_signer, spec_vectors) {
    exsdk::woox::signer s(woox_creds());
    EXPECT_EQ(s.signature(1578565539808, "GET", "/v3/algo/orders?algoType=STOP", ""),
              "fddab579aff8c193f920c2d4f0cda6a21a60f06fd9c3916541ecc4f6461f5977");
    EXPECT_EQ(
        s.signature(1578565539808, "POST", "/v3/account/listenKey", R"({"type":"WEBSOCKET"})"),
        "228a2c6bb9e2e77cd796e3c500cdbc29cabbccc379d3854c387930103f055649");
}

TEST(woox_signer, signs_the_listen_key_request_with_three_headers) {
    exsdk::woox::signer s(woox_creds());
    auto req = exsdk::woox::requests::create_listen_key();
    s.sign(req, 1578565539808);
    EXPECT_EQ(req.target, "/v3/account/listenKey");
    EXPECT_EQ(req.body, R"({"type":"WEBSOCKET"})");
    EXPECT_EQ(req.content_type, "application/json");
    EXPECT_EQ(header(req, "x-api-key"), "AbmyVJGUpN064ks5ELjLfA==");
    EXPECT_EQ(header(req, "x-api-timestamp"), "1578565539808");
    EXPECT_EQ(header(req, "x-api-signature"),
              "228a2c6bb9e2e77cd796e3c500cdbc29cabbccc379d3854c387930103f055649");
}

TEST(woox_signer, credentials_request_signs_the_query_with_an_empty_body) {
    exsdk::woox::signer s(woox_creds());
    auto req = exsdk::woox::requests::api_key_permissions(2, 50);
    s.sign(req, 1578565539808);
    EXPECT_EQ(req.target, "/v3/account/credentials?page=2&size=50");
    EXPECT_TRUE(req.body.empty());
    EXPECT_EQ(header(req, "x-api-signature"),
              s.signature(1578565539808, "GET", "/v3/account/credentials?page=2&size=50", ""));
}

TEST(woox_signer, rejects_api_keys_that_cannot_be_headers) {
    try {
        exsdk::woox::signer s({"bad\r\nkey", exsdk::secret("x")});
        FAIL();
    } catch (const exsdk::exception& e) {
        EXPECT_EQ(e.code(), exsdk::errc::invalid_argument);
    }
}

TEST(bingx_signer, spec_vectors) {
    exsdk::bingx::signer a({"k", exsdk::secret("mheO6dR8ovSsxZQCOYEFCtelpuxcWGTfHw7te326y6jOwq5Wp"
                                               "vFQ9JNljoTwBXZGv5It07m9RXSPpDQEK2w")});
    EXPECT_EQ(a.signature("symbol=BTC-USDT&timestamp=1667872120843&side=LONG&leverage=6"),
              "4f581ecdb1fa09b9d6e57886b6f70cffed17f82b93399722939e49a38edec2bf");
    exsdk::bingx::signer b(
        {"k", exsdk::secret("UuGuyEGt6ZEkpUObCYCmIfh0elYsZVh80jlYwpJuRZEw70t6vomMH7Sjmf94ztSI")});
    // The second vector is in ASCII key order already: the signer must produce it exactly.
    const std::array<exsdk::bingx::param, 4> params{exsdk::bingx::param{"type", "MARKET"},
                                                    {"side", "BUY"},
                                                    {"symbol", "ETHUSDT"},
                                                    {"quoteOrderQty", "20"}};
    auto req =
        exsdk::bingx::requests::with_query(exsdk::http_method::get, "", params, 1649404670162);
    b.sign(req);
    EXPECT_EQ(req.target.substr(1), // after the '?'

              "quoteOrderQty=20&side=BUY&symbol=ETHUSDT&timestamp=1649404670162&type=MARKET"
              "&signature=428a3c383bde514baff0d10d3c20e5adfaacaf799e324546dafe5ccc480dd827");
}

TEST(bingx_signer, sorts_keys_puts_signature_last_and_sets_the_api_key_header) {
    exsdk::bingx::signer s({"bx-key", exsdk::secret("secret")});
    auto req = exsdk::bingx::requests::extend_listen_key("abc123", 1700000000000, 5000);
    s.sign(req);
    const std::string signed_part = "listenKey=abc123&recvWindow=5000&timestamp=1700000000000";
    EXPECT_EQ(req.target, "/openApi/user/auth/userDataStream?" + signed_part +
                              "&signature=" + s.signature(signed_part));
    EXPECT_EQ(header(req, "X-BX-APIKEY"), "bx-key");
    EXPECT_EQ(req.method, exsdk::http_method::put);
    EXPECT_TRUE(req.body.empty());
}

TEST(signers, never_print_the_secret) {
    exsdk::credentials c{"key", exsdk::secret("QHKRXHPAW1MC9YGZMAT8YDJG2HPR")};
    std::ostringstream os;
    os << c;
    EXPECT_EQ(os.str().find("QHKRXHPAW1MC9YGZMAT8YDJG2HPR"), std::string::npos);
}

} // namespace

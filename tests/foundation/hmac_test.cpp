// HMAC-SHA256 and hex, checked against the test vectors of ../shared/spec/exchange-api.md.
#include <exsdk/credentials.hpp>
#include <exsdk/hex.hpp>
#include <exsdk/hmac_sha256.hpp>

#include <gtest/gtest.h>

#include <sstream>
#include <string>

namespace {

TEST(hmac_sha256, woox_spec_vector_get) {
    exsdk::hmac_sha256 mac("QHKRXHPAW1MC9YGZMAT8YDJG2HPR");
    EXPECT_EQ(mac.sign_hex({"1578565539808", "GET", "/v3/algo/orders?algoType=STOP"}),
              "fddab579aff8c193f920c2d4f0cda6a21a60f06fd9c3916541ecc4f6461f5977");
}

TEST(hmac_sha256, woox_spec_vector_post) {
    exsdk::hmac_sha256 mac("QHKRXHPAW1MC9YGZMAT8YDJG2HPR");
    EXPECT_EQ(mac.sign_hex({"1578565539808POST/v3/account/listenKey", R"({"type":"WEBSOCKET"})"}),
              "228a2c6bb9e2e77cd796e3c500cdbc29cabbccc379d3854c387930103f055649");
}

TEST(hmac_sha256, bingx_spec_vectors) {
    exsdk::hmac_sha256 a(
        "mheO6dR8ovSsxZQCOYEFCtelpuxcWGTfHw7te326y6jOwq5WpvFQ9JNljoTwBXZGv5It07m9RXSPpDQEK2w");
    EXPECT_EQ(a.sign_hex({"symbol=BTC-USDT&timestamp=1667872120843&side=LONG&leverage=6"}),
              "4f581ecdb1fa09b9d6e57886b6f70cffed17f82b93399722939e49a38edec2bf");
    exsdk::hmac_sha256 b("UuGuyEGt6ZEkpUObCYCmIfh0elYsZVh80jlYwpJuRZEw70t6vomMH7Sjmf94ztSI");
    EXPECT_EQ(b.sign_hex(
                  {"quoteOrderQty=20&side=BUY&symbol=ETHUSDT&timestamp=1649404670162&type=MARKET"}),
              "428a3c383bde514baff0d10d3c20e5adfaacaf799e324546dafe5ccc480dd827");
}

TEST(hmac_sha256, key_longer_than_block_is_hashed_first) {
    // RFC 4231 test case 6: 131-byte key of 0xaa.
    exsdk::hmac_sha256 mac(std::string(131, '\xaa'));
    EXPECT_EQ(mac.sign_hex({"Test Using Larger Than Block-Size Key - Hash Key First"}),
              "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

TEST(hmac_sha256, copies_sign_the_same) {
    exsdk::hmac_sha256 mac("k");
    exsdk::hmac_sha256 copy = mac;
    exsdk::hmac_sha256 moved = std::move(copy);
    EXPECT_EQ(mac.sign_hex({"abc"}), moved.sign_hex({"a", "b", "c"}));
}

TEST(hex, encodes_lowercase) {
    const unsigned char bytes[] = {0x00, 0x9f, 0xab, 0xff};
    EXPECT_EQ(exsdk::to_hex(bytes), "009fabff");
}

TEST(hex, constant_time_compare_ignores_case_of_received) {
    EXPECT_TRUE(exsdk::hex_equal_constant_time("00ab9f", "00AB9F"));
    EXPECT_TRUE(exsdk::hex_equal_constant_time("00ab9f", "00ab9f"));
    EXPECT_FALSE(exsdk::hex_equal_constant_time("00ab9f", "00ab9e"));
    EXPECT_FALSE(exsdk::hex_equal_constant_time("00ab9f", "00ab9"));
    EXPECT_FALSE(exsdk::hex_equal_constant_time("", ""));
    // Upper-casing must not turn other characters into matches ('@' | 0x20 == '`').
    EXPECT_FALSE(exsdk::hex_equal_constant_time("`", "@"));
}

TEST(credentials, secret_is_never_printed) {
    exsdk::credentials c{"my-key", exsdk::secret("TOP-SECRET-VALUE")};
    std::ostringstream os;
    os << c << ' ' << c.secret;
    EXPECT_EQ(os.str().find("TOP-SECRET-VALUE"), std::string::npos);
    EXPECT_NE(os.str().find("my-key"), std::string::npos);
    EXPECT_EQ(c.secret.reveal(), "TOP-SECRET-VALUE");
}

} // namespace

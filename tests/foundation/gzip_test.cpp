#include <exsdk/error.hpp>
#include <exsdk/gzip.hpp>

#include <gtest/gtest.h>

#include <string>

namespace {

TEST(gzip, round_trip) {
    exsdk::gzip_encoder enc;
    exsdk::gzip_decoder dec;
    const std::string text = R"({"e":"ACCOUNT_UPDATE","E":1700000000000})";
    const std::string packed = enc.encode(text);
    ASSERT_GE(packed.size(), 18u);
    EXPECT_EQ(static_cast<unsigned char>(packed[0]), 0x1fu); // gzip magic
    EXPECT_EQ(static_cast<unsigned char>(packed[1]), 0x8bu);
    std::string out;
    ASSERT_FALSE(dec.decode(packed, out));
    EXPECT_EQ(out, text);
    // The same objects work frame after frame.
    const std::string big(100000, 'x');
    ASSERT_FALSE(dec.decode(enc.encode(big), out));
    EXPECT_EQ(out, big);
    ASSERT_FALSE(dec.decode(enc.encode(""), out));
    EXPECT_EQ(out, "");
}

TEST(gzip, rejects_corrupt_truncated_and_oversized) {
    exsdk::gzip_encoder enc;
    exsdk::gzip_decoder dec(1000);
    std::string out;
    const std::string packed = enc.encode(std::string(500, 'a'));
    EXPECT_EQ(dec.decode(packed.substr(0, packed.size() / 2), out), exsdk::errc::protocol);
    EXPECT_EQ(dec.decode("not gzip at all", out), exsdk::errc::protocol);
    EXPECT_EQ(dec.decode(enc.encode(std::string(5000, 'a')), out), exsdk::errc::protocol);
    // Still usable afterwards.
    ASSERT_FALSE(dec.decode(packed, out));
    EXPECT_EQ(out, std::string(500, 'a'));
}

} // namespace

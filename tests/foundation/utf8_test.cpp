// exsdk::utf8_sequence_length / is_utf8 (RFC 3629), what the mock's JSON writer and the SDK's
// stream commands rely on to write only JSON (RFC 8259: UTF-8).
#include <exsdk/utf8.hpp>

#include <gtest/gtest.h>

namespace {

using exsdk::is_utf8;
using exsdk::utf8_sequence_length;

TEST(utf8, sequence_lengths) {
    EXPECT_EQ(utf8_sequence_length(""), 0u);
    EXPECT_EQ(utf8_sequence_length("a"), 1u);
    EXPECT_EQ(utf8_sequence_length(std::string_view("\0", 1)), 1u);
    EXPECT_EQ(utf8_sequence_length("\xc3\xa9"), 2u);         // U+00E9
    EXPECT_EQ(utf8_sequence_length("\xe2\x82\xac"), 3u);     // U+20AC
    EXPECT_EQ(utf8_sequence_length("\xf0\x9f\x98\x80"), 4u); // U+1F600
    EXPECT_EQ(utf8_sequence_length("\xf4\x8f\xbf\xbf"), 4u); // U+10FFFF
}

TEST(utf8, ill_formed_sequences) {
    for (const char* bad :
         {"\x80", "\xbf", "\xc0\x80", "\xc1\xbf", "\xc3", "\xc3(", "\xe0\x80\x80", "\xe0\x9f\xbf",
          "\xed\xa0\x80", "\xed\xbf\xbf", "\xe2\x82", "\xf0\x8f\xbf\xbf", "\xf4\x90\x80\x80",
          "\xf5\x80\x80\x80", "\xff", "\xf0\x9f\x98"}) {
        EXPECT_EQ(utf8_sequence_length(bad), 0u) << testing::PrintToString(bad);
        EXPECT_FALSE(is_utf8(bad)) << testing::PrintToString(bad);
    }
    EXPECT_TRUE(is_utf8(""));
    EXPECT_TRUE(is_utf8("plain ASCII, \xc3\xa9t\xc3\xa9, \xe2\x82\xac, \xf0\x9f\x98\x80"));
    EXPECT_FALSE(is_utf8("ok then \xff"));
    static_assert(exsdk::is_utf8("constexpr"));
}

} // namespace

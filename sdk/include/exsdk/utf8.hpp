// UTF-8 well-formedness (RFC 3629), for text that becomes JSON, which must be UTF-8 (RFC 8259):
// the mock's JSON writer and the SDK's stream commands check their strings with it.
#pragma once

#include <cstddef>
#include <string_view>

namespace exsdk {

/// The length (1..4) of the well-formed UTF-8 sequence `s` starts with; 0 when there is none
/// (empty, a stray continuation byte, an overlong form, a surrogate, beyond U+10FFFF, cut short).
constexpr std::size_t utf8_sequence_length(std::string_view s) noexcept {
    if (s.empty()) {
        return 0;
    }
    const auto at = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
    const unsigned c = at(0);
    std::size_t n = 0;
    if (c < 0x80) {
        return 1;
    }
    if (c >= 0xc2 && c <= 0xdf) {
        n = 2;
    } else if (c >= 0xe0 && c <= 0xef) {
        n = 3;
    } else if (c >= 0xf0 && c <= 0xf4) {
        n = 4;
    } else {
        return 0;
    }
    if (s.size() < n) {
        return 0;
    }
    for (std::size_t i = 1; i < n; ++i) {
        if ((at(i) & 0xc0U) != 0x80U) {
            return 0;
        }
    }
    if ((c == 0xe0 && at(1) < 0xa0) || (c == 0xed && at(1) > 0x9f) || // overlong, surrogate
        (c == 0xf0 && at(1) < 0x90) || (c == 0xf4 && at(1) > 0x8f)) { // overlong, > U+10FFFF
        return 0;
    }
    return n;
}

/// True when all of `s` is well-formed UTF-8.
constexpr bool is_utf8(std::string_view s) noexcept {
    while (!s.empty()) {
        const auto n = utf8_sequence_length(s);
        if (n == 0) {
            return false;
        }
        s.remove_prefix(n);
    }
    return true;
}

} // namespace exsdk

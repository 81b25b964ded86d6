#include <exsdk/hex.hpp>

#include <openssl/crypto.h>

#include <algorithm>
#include <array>

namespace exsdk {

void to_hex(std::span<const unsigned char> in, char* out) noexcept {
    constexpr char digits[] = "0123456789abcdef";
    for (unsigned char b : in) {
        *out++ = digits[b >> 4U];
        *out++ = digits[b & 0x0fU];
    }
}

std::string to_hex(std::span<const unsigned char> in) {
    std::string out(in.size() * 2, '\0');
    to_hex(in, out.data());
    return out;
}

bool hex_equal_constant_time(std::string_view expected, std::string_view received) noexcept {
    if (expected.size() != received.size() || expected.empty()) {
        return false;
    }
    // Fold ASCII upper case to lower case without branching on the data, then compare with
    // OpenSSL's constant-time memcmp. Signatures are 64 characters; longer input is compared in
    // chunks.
    std::array<char, 128> lowered{};
    unsigned diff = 0;
    for (std::size_t off = 0; off < received.size(); off += lowered.size()) {
        const std::size_t n = std::min(lowered.size(), received.size() - off);
        for (std::size_t i = 0; i < n; ++i) {
            const auto c = static_cast<unsigned char>(received[off + i]);
            const unsigned is_upper = static_cast<unsigned>(static_cast<unsigned>(c - 'A') < 26U);
            lowered[i] = static_cast<char>(c | (is_upper << 5U));
        }
        diff |= static_cast<unsigned>(CRYPTO_memcmp(expected.data() + off, lowered.data(), n));
    }
    return diff == 0;
}

} // namespace exsdk

#include <exsdk/hex.hpp>

#include <openssl/crypto.h>

#include <algorithm>
#include <array>
#include <cstring>

namespace exsdk {

namespace {

// The two hex digits of every byte value: one 2-byte copy per byte instead of two lookups and
// shifts (a signature is 32 bytes, hexed on every signed call).
constexpr std::array<char, 512> hex_pairs = [] {
    constexpr char digits[] = "0123456789abcdef";
    std::array<char, 512> t{};
    for (unsigned b = 0; b < 256; ++b) {
        t[2 * b] = digits[b >> 4U];
        t[2 * b + 1] = digits[b & 0x0fU];
    }
    return t;
}();

} // namespace

void to_hex(std::span<const unsigned char> in, char* out) noexcept {
    for (unsigned char b : in) {
        std::memcpy(out, &hex_pairs[2U * b], 2);
        out += 2;
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

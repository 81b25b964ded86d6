// Lowercase hex encoding and constant-time comparison of hex strings.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

namespace exsdk {

/// Writes 2 * in.size() lowercase hex characters to `out`.
void to_hex(std::span<const unsigned char> in, char* out) noexcept;
std::string to_hex(std::span<const unsigned char> in);

/// Compares `expected` (lowercase hex) with `received` (any case) in time independent of where
/// they differ. Different lengths compare unequal.
bool hex_equal_constant_time(std::string_view expected, std::string_view received) noexcept;

} // namespace exsdk

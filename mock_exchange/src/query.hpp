// Query strings as both exchanges send them: `k=v&k=v`, values possibly percent-encoded.
// Boost.URL validates the target and splits the query; the views stay in the received target.
// (Not boost::urls::parse_query: in Boost 1.81 it re-measures its input with strlen and reads
// past the end of a string_view that is not NUL-terminated, boostorg/url#757.)
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace exsdk::mock::detail {

struct query_param {
    std::string_view key;   ///< percent-encoded, as received
    std::string_view value; ///< percent-encoded, as received ("" when there is no '=')
    bool has_value = false;
};

/// Splits the query of `target` (origin form: path, optional '?' and query) into `out`
/// (cleared first). False when the target is not valid (a bad percent-escape or a character
/// not allowed in a URL).
bool split_query(std::string_view target, std::vector<query_param>& out);

/// Appends the percent-decoded `s` (validated by split_query) to `out`. '+' is kept as is.
void append_decoded(std::string_view s, std::string& out);

/// True when every character is an ASCII digit and there is at least one.
bool all_digits(std::string_view s) noexcept;

/// A non-negative decimal integer of at most 18 digits; -1 when `s` is anything else.
std::int64_t parse_non_negative(std::string_view s) noexcept;

} // namespace exsdk::mock::detail

// The mock exchange's own BingX answers (spec section 4): codes and messages for cases the
// exchange's documentation does not spell (unknown paths, oversized bodies, malformed queries,
// the error block's configurable form). The exchange's facts are in <exsdk/bingx/protocol.hpp>.
#pragma once

#include <cstdint>
#include <string_view>

namespace exsdk::mock::bingx_answers {

/// Unknown path (HTTP 404) or known path with another method (HTTP 405), as BingX answers it.
inline constexpr std::int64_t api_not_exist_code = 100400;
inline constexpr std::string_view api_not_exist = "this api is not exist";
/// Body above the size limit (HTTP 413, code 80014) and a recvWindow that is not a number.
inline constexpr std::string_view body_too_large = "request body is too large";
inline constexpr std::string_view recv_window_invalid = "recvWindow is invalid";
/// A query string that is not well formed (bad percent-escape), code 80014.
inline constexpr std::string_view invalid_parameters = "Invalid parameters";
/// The error-block form with its numbers configurable (defaults: 20 and 480000 give exactly
/// bingx::protocol::message::error_block_prefix + code + error_block_middle + ms):
/// "over " N " error code:" CODE " requests within " W " ms for this api, ... time: " MS
inline constexpr std::string_view error_block_over = "over ";
inline constexpr std::string_view error_block_code = " error code:";
inline constexpr std::string_view error_block_within = " requests within ";
inline constexpr std::string_view error_block_tail =
    " ms for this api, please verify and fix it ,can retry after time: ";

} // namespace exsdk::mock::bingx_answers

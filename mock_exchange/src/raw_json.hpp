// Raw spans of a JSON text already known to be valid (checked by Boost.JSON first): the members
// of an object and the elements of an array exactly as written, so pushes and admin events pass
// the caller's bytes through (number spellings, member order) without a parse-and-serialise.
#pragma once

#include <string_view>
#include <utility>
#include <vector>

namespace exsdk::mock::detail {

/// The raw members of a valid JSON object text, as (key with its quotes, value) views.
std::vector<std::pair<std::string_view, std::string_view>> raw_members(std::string_view object);
/// The raw elements of a valid JSON array text.
std::vector<std::string_view> raw_elements(std::string_view array);

} // namespace exsdk::mock::detail

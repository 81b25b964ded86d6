// Small Boost.JSON helpers for the answer parsers (private to the SDK).
#pragma once

#include <exsdk/error.hpp>

#include <boost/json/value.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace exsdk::detail {

/// Parses `body`; errc::protocol (with the HTTP status) when it is not JSON.
result<boost::json::value> parse_json(std::string_view body, unsigned http_status);

/// An integer member given as a JSON number or a decimal string ("-1000").
std::optional<std::int64_t> int_member(const boost::json::object& o, std::string_view key);
/// A string member.
std::optional<std::string_view> string_member(const boost::json::object& o, std::string_view key);

/// errc::protocol with the HTTP status and a description of what was wrong.
error protocol_error(unsigned http_status, std::string what);

} // namespace exsdk::detail

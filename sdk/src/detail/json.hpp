// Small Boost.JSON helpers for the answer parsers (private to the SDK).
#pragma once

#include <exsdk/error.hpp>

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/value.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace exsdk::detail {

/// Where an answer's JSON lives while a parser reads it: a monotonic arena over a buffer on the
/// stack (heap only past it), so parsing an answer allocates nothing. The values it holds must
/// not outlive it: the answer parsers read them into typed results in the function that owns
/// the arena. Not for stream events, whose typed events keep their raw JSON.
class json_arena {
public:
    json_arena() = default;
    json_arena(const json_arena&) = delete;
    json_arena& operator=(const json_arena&) = delete;
    boost::json::storage_ptr storage() noexcept { return &resource_; }

private:
    alignas(std::max_align_t) unsigned char buffer_[4096];
    boost::json::monotonic_resource resource_{buffer_, sizeof(buffer_)};
};

/// Parses `body` (into `sp`; default: the heap); errc::protocol (with the HTTP status) when it
/// is not JSON.
result<boost::json::value> parse_json(std::string_view body, unsigned http_status,
                                      boost::json::storage_ptr sp = {});

/// An integer member given as a JSON number or a decimal string ("-1000").
std::optional<std::int64_t> int_member(const boost::json::object& o, std::string_view key);
/// A string member.
std::optional<std::string_view> string_member(const boost::json::object& o, std::string_view key);

/// A decimal field as text: a JSON string as is, a number in its shortest exact form ("0.1"),
/// anything else (or absent) as "".
std::string decimal_text(const boost::json::object& o, std::string_view key);
/// An integer field (number or decimal string), 0 when absent or not an integer.
std::int64_t int_or_zero(const boost::json::object& o, std::string_view key);
/// A string field, "" when absent or not a string.
std::string string_or_empty(const boost::json::object& o, std::string_view key);
/// A boolean field (true/false, or "true"/"false"), false when absent.
bool bool_or_false(const boost::json::object& o, std::string_view key);

/// errc::protocol with the HTTP status and a description of what was wrong.
error protocol_error(unsigned http_status, std::string what);

} // namespace exsdk::detail

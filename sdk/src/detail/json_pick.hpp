// detail::pick_json_members: a few members out of a JSON document, without building it (private
// to the SDK). The answer parsers' fast path for the common success answers: Boost.JSON's
// SAX parser (basic_parser) validates the whole document as the DOM parser would, and only the
// wanted members are kept; a DOM (boost::json::value) costs some 60 instructions per member in
// keys, objects and lookups on top.
//
// A member is named by its path from the root object: one key, or two (a member of the root
// member, which is then an object). Members inside arrays are not picked. Each pick counts how
// often its path occurred, so that a caller can leave anything unusual (a duplicate, a value of
// another kind) to its DOM path, whose answer is the reference.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace exsdk::detail {

struct json_pick {
    enum class kind { boolean, integer, string, object };

    json_pick(std::string_view key_, std::string_view subkey_, kind want_)
        : key(key_), subkey(subkey_), want(want_) {}

    std::string_view key;    ///< a member of the root object
    std::string_view subkey; ///< "": the root member itself; else a member of that member
    kind want = kind::string;

    std::size_t seen = 0; ///< how often the path occurred, with a value of any kind
    bool matched = false; ///< its last value was of the wanted kind (integers: fitting int64)
    bool boolean = false;
    std::int64_t integer = 0;
    std::string string; ///< (a string value, unescaped)
};

/// Parses `text` as one JSON document and fills the picks. False when it is not valid JSON
/// (Boost.JSON's default parse options, as detail::parse_json) or its root is not an object.
bool pick_json_members(std::string_view text, std::span<json_pick> picks);

} // namespace exsdk::detail

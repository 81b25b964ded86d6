// detail::read_woox_api_key_page: the credentials success answer read straight into an
// api_key_page with Boost.JSON's SAX parser, without a DOM (private to the SDK): the fast path
// of responses::parse_api_key_page, whose DOM path stays the reference.
//
// It takes only the exact shape of spec 1.3's answer ({"success":true,"data":{"rows":[{...}],
// "meta":{...}}}, members in any order, unknown members ignored, integers as JSON integers) and
// gives up (nullopt) on anything else (a duplicate member, a number as text, a missing field,
// another kind of value), leaving it to the DOM path, which answers every case.
#pragma once

#include <exsdk/error.hpp>
#include <exsdk/http_message.hpp>
#include <exsdk/woox/types.hpp>

#include <optional>
#include <string_view>

namespace exsdk::detail {

std::optional<woox::api_key_page> read_woox_api_key_page(std::string_view body);

/// parse_api_key_page's DOM path alone (woox/responses.cpp): the reference the reader is
/// checked against (tests/sdk/api_key_page_reader_test.cpp, the sdk_responses fuzz target).
result<woox::api_key_page> parse_woox_api_key_page_dom(const http_response& r);

} // namespace exsdk::detail

// detail::sax_handler_base: what every Boost.JSON SAX handler of the SDK (basic_parser<Handler>)
// shares, private to the SDK: no size limits beyond the parser's own, and the events none of
// them uses (document begin and end, number pieces, comments, which the default parse options
// refuse anyway) accepted and ignored. Handlers derive from it and add the value events.
#pragma once

#include <boost/json/basic_parser.hpp>

#include <cstddef>

namespace exsdk::detail {

struct sax_handler_base {
    static constexpr std::size_t max_array_size = static_cast<std::size_t>(-1);
    static constexpr std::size_t max_object_size = static_cast<std::size_t>(-1);
    static constexpr std::size_t max_string_size = static_cast<std::size_t>(-1);
    static constexpr std::size_t max_key_size = static_cast<std::size_t>(-1);

    using string_view = boost::json::string_view;
    using error_code = boost::system::error_code;

    static bool on_document_begin(error_code&) { return true; }
    static bool on_document_end(error_code&) { return true; }
    static bool on_number_part(string_view, error_code&) { return true; }
    static bool on_comment_part(string_view, error_code&) { return true; }
    static bool on_comment(string_view, error_code&) { return true; }
};

} // namespace exsdk::detail

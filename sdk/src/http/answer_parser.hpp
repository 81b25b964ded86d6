// The transport's HTTP response parser: Beast's basic_parser (the same grammar, limits and
// errors as http::response_parser) keeping only what the SDK reads of an answer: the status,
// the first Content-Type, keep-alive (basic_parser's own) and the body. Beast's
// response_parser<string_body> stores every header field in allocated nodes and is too large
// for Asio to recycle the coroutine frame holding it; this one keeps no fields and lives in
// the connection, rebuilt in place for each answer (a basic_parser parses one message).
// Private to sdk/src/http/http_transport.cpp.
#pragma once

#include <boost/beast/http/basic_parser.hpp>

#include <cstdint>
#include <string>

namespace exsdk::detail {

class answer_parser final : public boost::beast::http::basic_parser<false> {
public:
    using error_code = boost::beast::error_code;
    using string_view = boost::beast::string_view;

    unsigned status = 0;
    std::string content_type; ///< the first Content-Type field's value ("" when absent)
    std::string body;

private:
    void on_request_impl(boost::beast::http::verb, string_view, string_view, int,
                         error_code&) override {}

    void on_response_impl(int code, string_view, int, error_code&) override {
        status = static_cast<unsigned>(code);
    }

    void on_field_impl(boost::beast::http::field name, string_view, string_view value,
                       error_code&) override {
        if (name == boost::beast::http::field::content_type && content_type.empty()) {
            content_type.assign(value.data(), value.size());
        }
    }

    void on_header_impl(error_code&) override {}

    void on_body_init_impl(const boost::optional<std::uint64_t>& length, error_code& ec) override {
        if (length) { // as string_body: a declared length the string cannot hold is refused
            if (*length > body.max_size()) {
                ec = boost::beast::http::error::buffer_overflow;
                return;
            }
            body.reserve(static_cast<std::size_t>(*length));
        }
    }

    std::size_t on_body_impl(string_view s, error_code&) override {
        body.append(s.data(), s.size());
        return s.size();
    }

    void on_chunk_header_impl(std::uint64_t, string_view, error_code&) override {}

    std::size_t on_chunk_body_impl(std::uint64_t, string_view s, error_code&) override {
        body.append(s.data(), s.size());
        return s.size();
    }

    void on_finish_impl(error_code&) override {}
};

} // namespace exsdk::detail

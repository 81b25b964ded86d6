// exsdk::http_request / http_response: plain HTTP values, what the sans-io request builders
// (woox/requests.hpp, bingx/requests.hpp) produce, the signers (woox/signer.hpp,
// bingx/signer.hpp) sign and the answer parsers (*/responses.hpp) consume. Beast-free: building,
// signing and parsing a call need no socket, so an application can use them with its own
// transport, and tests check them byte for byte. The clients send them through their own
// connection pool.
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <string_view>

namespace exsdk {

enum class http_method { get, post, put, del };

constexpr std::string_view to_string(http_method m) noexcept {
    switch (m) {
    case http_method::get: return "GET";
    case http_method::post: return "POST";
    case http_method::put: return "PUT";
    case http_method::del: return "DELETE";
    }
    return "GET";
}

/// True when `s` can be sent as a header value or URL component (no control characters).
constexpr bool is_header_safe(std::string_view s) noexcept {
    for (char c : s) {
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
            return false;
        }
    }
    return true;
}

struct http_header {
    std::string_view name; // names are protocol constants
    std::string value;
};

struct http_request {
    http_method method = http_method::get;
    std::string target;            ///< path + query, exactly as signed
    std::string body;              ///< exact bytes signed
    std::string_view content_type; ///< empty: no Content-Type header
    std::array<http_header, 4> headers{};
    std::size_t header_count = 0;

    /// Adds a header. The value is copied into the header's own buffer, which keeps its room
    /// when the request is cleared and built again.
    void add_header(std::string_view name, std::string_view value) {
        auto& h = headers.at(header_count++);
        h.name = name;
        h.value.assign(value.data(), value.size());
    }

    /// Empties the request to build it again in place (the builders' `into` overloads): method
    /// `m`, no target, body, content type or header, every buffer keeping its room. A request
    /// built again this way for the same call allocates nothing.
    void clear(http_method m = http_method::get) noexcept {
        method = m;
        target.clear();
        body.clear();
        content_type = {};
        header_count = 0;
    }

    /// A GET of `target` with nothing else: the exchanges' public, unsigned calls.
    static http_request get(std::string_view target) {
        http_request r;
        r.target = target;
        return r;
    }
};

struct http_response {
    unsigned status = 0;
    std::string body;
    /// The Content-Type header's value ("" when absent): an answer labelled as a page (text/html)
    /// is not the exchange's, whatever its body.
    std::string content_type;
};

} // namespace exsdk

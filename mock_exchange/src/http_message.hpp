// The plain request and response values the sans-io handlers work on. The connection coroutine
// fills a `request` (views into its own buffers) and writes the `response` back; the handlers
// never see a socket.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace exsdk::mock::detail {

struct header_field {
    std::string_view name;
    std::string_view value;
};

/// ASCII case-insensitive equality (header names, hex, permission names).
bool iequals(std::string_view a, std::string_view b) noexcept;

struct request {
    std::string_view method; ///< as received ("POST")
    std::string_view target; ///< path and query exactly as received
    std::string_view path;   ///< target before '?'
    std::string_view query;  ///< target after '?' ("" when none)
    std::string_view body;
    std::string_view peer; ///< the client's IP address (IPv4-mapped IPv6 shown as IPv4)
    std::span<const header_field> headers;

    /// The first header called `name` (case-insensitive); nullopt when absent.
    std::optional<std::string_view> header(std::string_view name) const noexcept;

    /// Splits `target` into path and query.
    void set_target(std::string_view t) noexcept;
};

struct response {
    unsigned status = 200;
    std::string body;
    std::string_view content_type; ///< static text; "" when the body is empty
    /// Extra headers (names are static text).
    std::vector<std::pair<std::string_view, std::string>> headers;
    bool close = false; ///< close the connection after this answer

    // What the journal records about the answer.
    std::int64_t code = 0; ///< exchange code answered (0: success or no body)

    /// Back to an empty 200, keeping the buffers' capacity.
    void clear() noexcept;
    void json(unsigned s, std::string_view content_type_json = "application/json") {
        status = s;
        content_type = content_type_json;
    }
    void add_header(std::string_view name, std::string value) {
        headers.emplace_back(name, std::move(value));
    }
};

} // namespace exsdk::mock::detail

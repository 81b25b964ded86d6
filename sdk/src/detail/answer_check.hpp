// Telling the exchange's answers from everything else that can answer an HTTP request (a proxy, a
// load balancer, a captive portal, a plain web server at a wrong base URL), sans-io. The parsers
// of both exchanges use it: an answer without the exchange's envelope is errc::unexpected_response
// with its status, never an exchange meaning (not_found, unauthorized, ...). Private to the SDK.
#pragma once

#include <exsdk/error.hpp>
#include <exsdk/http_message.hpp>

#include <string>
#include <string_view>

namespace exsdk::detail {

/// True when the Content-Type names a document rather than data (text/html,
/// application/xhtml+xml, text/xml, application/xml): a page, whatever its body says.
bool is_page_content_type(std::string_view content_type) noexcept;

/// True when `body` is empty or whitespace only.
bool is_blank(std::string_view body) noexcept;

/// errc::unexpected_response for an answer that is not the exchange's, with its HTTP status and
/// a message naming the status, the content type and a short excerpt of the body (an HTML page's
/// <title>, else its first 80 characters, control characters as spaces, signature values
/// removed).
error unexpected_answer(const http_response& r);

/// A short, printable excerpt of an answer's body for error messages (see unexpected_answer()).
std::string body_excerpt(std::string_view body);

/// `text` with the value of every `signature=` parameter replaced by "***" (a page may echo the
/// request's URL; a signature never reaches an error or a log).
std::string scrub_signatures(std::string text);

} // namespace exsdk::detail

#include "detail/answer_check.hpp"

#include <algorithm>
#include <cctype>

namespace exsdk::detail {

namespace {

// ASCII only (media types, header values, parameter names): inline, where std::tolower is a
// call through the locale per character, on every answer's Content-Type.
char lower(char c) noexcept {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

bool istarts_with(std::string_view s, std::string_view prefix) noexcept {
    return s.size() >= prefix.size() &&
           std::equal(prefix.begin(), prefix.end(), s.begin(),
                      [](char a, char b) { return lower(a) == lower(b); });
}

std::size_t ifind(std::string_view s, std::string_view word, std::size_t from = 0) noexcept {
    if (from > s.size()) {
        return std::string_view::npos;
    }
    const auto it =
        std::search(s.begin() + static_cast<std::ptrdiff_t>(from), s.end(), word.begin(),
                    word.end(), [](char a, char b) { return lower(a) == lower(b); });
    return it == s.end() ? std::string_view::npos : static_cast<std::size_t>(it - s.begin());
}

std::string_view trim(std::string_view s) noexcept {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())) != 0) {
        s.remove_prefix(1);
    }
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())) != 0) {
        s.remove_suffix(1);
    }
    return s;
}

constexpr std::size_t excerpt_chars = 80;

} // namespace

bool is_page_content_type(std::string_view ct) noexcept {
    ct = trim(ct);
    return istarts_with(ct, "text/html") || istarts_with(ct, "application/xhtml+xml") ||
           istarts_with(ct, "text/xml") || istarts_with(ct, "application/xml");
}

bool is_blank(std::string_view body) noexcept {
    return trim(body).empty();
}

std::string scrub_signatures(std::string text) {
    static constexpr std::string_view name = "signature=";
    for (auto at = ifind(text, name); at != std::string::npos; at = ifind(text, name, at + 1)) {
        const auto start = at + name.size();
        auto end = start;
        while (end < text.size() && (std::isalnum(static_cast<unsigned char>(text[end])) != 0 ||
                                     text[end] == '%' || text[end] == '-' || text[end] == '_')) {
            ++end;
        }
        text.replace(start, end - start, "***");
    }
    return text;
}

std::string body_excerpt(std::string_view body) {
    std::string_view part = trim(body);
    // An HTML page says what it is in its title ("404 Not Found", "502 Bad Gateway").
    if (const auto open = ifind(part, "<title>"); open != std::string_view::npos) {
        const auto from = open + 7;
        const auto close = ifind(part, "</title>", from);
        if (close != std::string_view::npos) {
            part = trim(part.substr(from, close - from));
        }
    }
    std::string out;
    out.reserve(std::min(part.size(), excerpt_chars) + 3);
    for (char c : part.substr(0, excerpt_chars)) {
        const auto u = static_cast<unsigned char>(c);
        out.push_back(u < 0x20 || u == 0x7f ? ' ' : c);
    }
    if (part.size() > excerpt_chars) {
        out += "...";
    }
    return scrub_signatures(std::move(out));
}

error unexpected_answer(const http_response& r) {
    std::string msg = "not the exchange's answer: HTTP " + std::to_string(r.status);
    if (!r.content_type.empty()) {
        msg += ", " + body_excerpt(r.content_type);
    }
    if (is_blank(r.body)) {
        msg += ", empty body";
    } else {
        msg += ": \"" + body_excerpt(r.body) + "\"";
    }
    error e(errc::unexpected_response, std::move(msg));
    e.http_status = static_cast<int>(r.status);
    return e;
}

} // namespace exsdk::detail

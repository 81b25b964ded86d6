#include "http_message.hpp"

#include <algorithm>

namespace exsdk::mock::detail {

bool iequals(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) {
        return false;
    }
    for (std::size_t i = 0; i < a.size(); ++i) {
        auto x = static_cast<unsigned char>(a[i]);
        auto y = static_cast<unsigned char>(b[i]);
        if (x >= 'A' && x <= 'Z') {
            x = static_cast<unsigned char>(x | 0x20U);
        }
        if (y >= 'A' && y <= 'Z') {
            y = static_cast<unsigned char>(y | 0x20U);
        }
        if (x != y) {
            return false;
        }
    }
    return true;
}

std::optional<std::string_view> request::header(std::string_view name) const noexcept {
    for (const auto& h : headers) {
        if (iequals(h.name, name)) {
            return h.value;
        }
    }
    return std::nullopt;
}

void request::set_target(std::string_view t) noexcept {
    target = t;
    const auto q = t.find('?');
    if (q == std::string_view::npos) {
        path = t;
        query = {};
    } else {
        path = t.substr(0, q);
        query = t.substr(q + 1);
    }
}

void response::clear() noexcept {
    status = 200;
    body.clear();
    content_type = {};
    headers.clear();
    close = false;
    code = 0;
}

} // namespace exsdk::mock::detail

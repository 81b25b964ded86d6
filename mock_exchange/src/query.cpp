#include "query.hpp"

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

#include <cstdint>

namespace exsdk::mock::detail {

bool split_query(std::string_view target, std::vector<query_param>& out) {
    out.clear();
    if (target.find('?') == std::string_view::npos) {
        return true;
    }
    auto parsed = boost::urls::parse_origin_form(target);
    if (!parsed) {
        return false;
    }
    for (auto p : parsed->encoded_params()) {
        if (p.key.empty() && !p.has_value) {
            continue; // "a=1&&b=2"
        }
        out.push_back(query_param{std::string_view(p.key.data(), p.key.size()),
                                  std::string_view(p.value.data(), p.value.size()), p.has_value});
    }
    return true;
}

namespace {
int hex_value(char c) noexcept {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}
} // namespace

void append_decoded(std::string_view s, std::string& out) {
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 &&
            hex_value(s[i + 2]) >= 0) {
            out.push_back(static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2])));
            i += 2;
        } else {
            out.push_back(s[i]);
        }
    }
}

bool all_digits(std::string_view s) noexcept {
    if (s.empty()) {
        return false;
    }
    for (char c : s) {
        if (c < '0' || c > '9') {
            return false;
        }
    }
    return true;
}

std::int64_t parse_non_negative(std::string_view s) noexcept {
    if (!all_digits(s) || s.size() > 18) {
        return -1;
    }
    std::int64_t v = 0;
    for (char c : s) {
        v = v * 10 + (c - '0');
    }
    return v;
}

} // namespace exsdk::mock::detail

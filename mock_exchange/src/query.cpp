#include "query.hpp"

#include <boost/url/decode_view.hpp>
#include <boost/url/parse_query.hpp>

#include <cstdint>

namespace exsdk::mock::detail {

bool split_query(std::string_view query, std::vector<query_param>& out) {
    out.clear();
    if (query.empty()) {
        return true;
    }
    auto parsed = boost::urls::parse_query(query);
    if (!parsed) {
        return false;
    }
    for (auto p : *parsed) {
        if (p.key.empty() && !p.has_value) {
            continue; // "a=1&&b=2"
        }
        out.push_back(query_param{std::string_view(p.key.data(), p.key.size()),
                                  std::string_view(p.value.data(), p.value.size()), p.has_value});
    }
    return true;
}

void append_decoded(std::string_view s, std::string& out) {
    if (s.find('%') == std::string_view::npos) {
        out.append(s);
        return;
    }
    for (char c : boost::urls::decode_view(boost::urls::pct_string_view(s))) {
        out.push_back(c);
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

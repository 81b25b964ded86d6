// The raw-JSON scanner (raw_json.hpp): skips strings, nested values and whitespace of a text
// that is known to be valid JSON.
#include "raw_json.hpp"

namespace exsdk::mock::detail {

namespace {

bool is_ws(char c) noexcept {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

std::size_t skip_ws(std::string_view s, std::size_t i) noexcept {
    while (i < s.size() && is_ws(s[i])) {
        ++i;
    }
    return i;
}

std::size_t skip_string(std::string_view s, std::size_t i) noexcept {
    for (++i; i < s.size(); ++i) {
        if (s[i] == '\\') {
            ++i;
        } else if (s[i] == '"') {
            return i + 1;
        }
    }
    return s.size();
}

std::size_t skip_value(std::string_view s, std::size_t i) noexcept {
    if (i >= s.size()) {
        return i;
    }
    if (s[i] == '"') {
        return skip_string(s, i);
    }
    if (s[i] == '{' || s[i] == '[') {
        int depth = 0;
        while (i < s.size()) {
            const char c = s[i];
            if (c == '"') {
                i = skip_string(s, i);
                continue;
            }
            if (c == '{' || c == '[') {
                ++depth;
            } else if ((c == '}' || c == ']') && --depth == 0) {
                return i + 1;
            }
            ++i;
        }
        return i;
    }
    while (i < s.size() && s[i] != ',' && s[i] != '}' && s[i] != ']' && !is_ws(s[i])) {
        ++i;
    }
    return i;
}

} // namespace

std::vector<std::pair<std::string_view, std::string_view>> raw_members(std::string_view s) {
    std::vector<std::pair<std::string_view, std::string_view>> out;
    std::size_t i = skip_ws(s, 0);
    if (i >= s.size() || s[i] != '{') {
        return out;
    }
    i = skip_ws(s, i + 1);
    while (i < s.size() && s[i] == '"') {
        const auto k0 = i;
        i = skip_string(s, i);
        const auto key = s.substr(k0, i - k0);
        i = skip_ws(s, i);
        if (i >= s.size() || s[i] != ':') {
            break;
        }
        i = skip_ws(s, i + 1);
        const auto v0 = i;
        i = skip_value(s, i);
        out.emplace_back(key, s.substr(v0, i - v0));
        i = skip_ws(s, i);
        if (i >= s.size() || s[i] != ',') {
            break;
        }
        i = skip_ws(s, i + 1);
    }
    return out;
}

std::vector<std::string_view> raw_elements(std::string_view s) {
    std::vector<std::string_view> out;
    std::size_t i = skip_ws(s, 0);
    if (i >= s.size() || s[i] != '[') {
        return out;
    }
    i = skip_ws(s, i + 1);
    while (i < s.size() && s[i] != ']') {
        const auto v0 = i;
        i = skip_value(s, i);
        out.push_back(s.substr(v0, i - v0));
        i = skip_ws(s, i);
        if (i >= s.size() || s[i] != ',') {
            break;
        }
        i = skip_ws(s, i + 1);
    }
    return out;
}

} // namespace exsdk::mock::detail

// A small append-only JSON writer: answers are a handful of fields, so they are written straight
// into the connection's reused body buffer instead of being built as a DOM.
#pragma once

#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>

namespace exsdk::mock::detail {

class json_writer {
public:
    explicit json_writer(std::string& out) : out_(out) {}

    json_writer& raw(std::string_view s) {
        out_.append(s);
        return *this;
    }
    /// A JSON string literal, escaped.
    json_writer& str(std::string_view s) {
        out_.push_back('"');
        escape(s);
        out_.push_back('"');
        return *this;
    }
    json_writer& num(std::int64_t v) {
        char buf[24];
        auto r = std::to_chars(buf, buf + sizeof buf, v);
        out_.append(buf, r.ptr);
        return *this;
    }
    json_writer& boolean(bool b) { return raw(b ? "true" : "false"); }
    /// `"name":` (the name is escaped too).
    json_writer& key(std::string_view name) {
        str(name);
        out_.push_back(':');
        return *this;
    }

private:
    void escape(std::string_view s) {
        constexpr char hex[] = "0123456789abcdef";
        for (char ch : s) {
            const auto c = static_cast<unsigned char>(ch);
            switch (c) {
            case '"': out_.append("\\\""); break;
            case '\\': out_.append("\\\\"); break;
            case '\n': out_.append("\\n"); break;
            case '\r': out_.append("\\r"); break;
            case '\t': out_.append("\\t"); break;
            default:
                if (c < 0x20) {
                    out_.append("\\u00");
                    out_.push_back(hex[c >> 4U]);
                    out_.push_back(hex[c & 0xfU]);
                } else {
                    out_.push_back(ch);
                }
            }
        }
    }

    std::string& out_;
};

} // namespace exsdk::mock::detail

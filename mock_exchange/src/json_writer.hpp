// A small append-only JSON writer: answers are a handful of fields, so they are written straight
// into the connection's reused body buffer instead of being built as a DOM.
#pragma once

#include <exsdk/utf8.hpp>

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
    /// `,"name":`: the key of a member after the first.
    json_writer& next(std::string_view name) {
        out_.push_back(',');
        return key(name);
    }

private:
    /// JSON-escapes `s`. JSON text is UTF-8 (RFC 8259): a byte that does not start a valid UTF-8
    /// sequence (raw request bytes echoed in the journal, say) is written as U+FFFD.
    void escape(std::string_view s) {
        constexpr char hex[] = "0123456789abcdef";
        for (std::size_t i = 0; i < s.size();) {
            const auto c = static_cast<unsigned char>(s[i]);
            if (c >= 0x80) {
                const std::size_t n = utf8_sequence_length(s.substr(i));
                if (n == 0) {
                    out_.append("\\ufffd");
                    ++i;
                } else {
                    out_.append(s.substr(i, n));
                    i += n;
                }
                continue;
            }
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
                    out_.push_back(static_cast<char>(c));
                }
            }
            ++i;
        }
    }

    std::string& out_;
};

} // namespace exsdk::mock::detail

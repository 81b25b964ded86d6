#include "detail/json.hpp"

#include <boost/json/parse.hpp>

#include <array>
#include <charconv>

namespace exsdk::detail {

result<boost::json::value> parse_json(std::string_view body, unsigned http_status,
                                      boost::json::storage_ptr sp) {
    boost::system::error_code ec;
    auto v = boost::json::parse(body, ec, std::move(sp));
    if (ec) {
        std::string snippet(body.substr(0, 80));
        return protocol_error(http_status, "answer is not JSON (" + ec.message() + "): " + snippet);
    }
    return v;
}

std::optional<std::int64_t> int_member(const boost::json::object& o, std::string_view key) {
    const auto* v = o.if_contains(key);
    if (v == nullptr) {
        return std::nullopt;
    }
    if (v->is_int64()) {
        return v->get_int64();
    }
    if (v->is_uint64() && v->get_uint64() <= static_cast<std::uint64_t>(INT64_MAX)) {
        return static_cast<std::int64_t>(v->get_uint64());
    }
    if (v->is_double()) {
        const double d = v->get_double();
        if (d >= -9.2e18 && d <= 9.2e18 && d == static_cast<double>(static_cast<std::int64_t>(d))) {
            return static_cast<std::int64_t>(d);
        }
        return std::nullopt;
    }
    if (v->is_string()) {
        const auto& s = v->get_string();
        std::int64_t out = 0;
        auto [ptr, err] = std::from_chars(s.data(), s.data() + s.size(), out);
        if (err == std::errc() && ptr == s.data() + s.size() && !s.empty()) {
            return out;
        }
    }
    return std::nullopt;
}

std::optional<std::string_view> string_member(const boost::json::object& o, std::string_view key) {
    const auto* v = o.if_contains(key);
    if (v == nullptr || !v->is_string()) {
        return std::nullopt;
    }
    return std::string_view(v->get_string());
}

std::string decimal_text(const boost::json::object& o, std::string_view key) {
    const auto* v = o.if_contains(key);
    if (v == nullptr) {
        return {};
    }
    if (v->is_string()) {
        return std::string(v->get_string());
    }
    if (v->is_int64()) {
        return std::to_string(v->get_int64());
    }
    if (v->is_uint64()) {
        return std::to_string(v->get_uint64());
    }
    if (v->is_double()) {
        std::array<char, 32> buf{};
        auto [end, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), v->get_double());
        return ec == std::errc() ? std::string(buf.data(), end) : std::string();
    }
    return {};
}

std::int64_t int_or_zero(const boost::json::object& o, std::string_view key) {
    return int_member(o, key).value_or(0);
}

std::string string_or_empty(const boost::json::object& o, std::string_view key) {
    return std::string(string_member(o, key).value_or(""));
}

bool bool_or_false(const boost::json::object& o, std::string_view key) {
    const auto* v = o.if_contains(key);
    if (v == nullptr) {
        return false;
    }
    if (v->is_bool()) {
        return v->get_bool();
    }
    return v->is_string() && v->get_string() == "true";
}

error protocol_error(unsigned http_status, std::string what) {
    error e(errc::protocol, std::move(what));
    e.http_status = static_cast<int>(http_status);
    return e;
}

} // namespace exsdk::detail

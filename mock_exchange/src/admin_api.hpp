// The admin API's internal header (/__admin/..., see admin_api.cpp for the dispatcher): the
// small request/answer helpers every admin handler uses (JSON object bodies in, {"error":..}
// answers out) and the handlers handle_admin() dispatches to, by the file that holds them.
// Not on the hot path: bodies are parsed with Boost.JSON and each handler locks the state itself.
#pragma once

#include "http_message.hpp"
#include "json_writer.hpp"
#include "state.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace exsdk::mock::detail::admin {

namespace json = boost::json;

// ---- request/answer helpers ------------------------------------------------------------

inline void reply(response& res, unsigned status, std::string body) {
    res.json(status);
    res.body = std::move(body);
}

inline void fail(response& res, unsigned status, std::string_view message) {
    res.json(status);
    json_writer(res.body).raw("{").key("error").str(message).raw("}");
}

inline void method_not_allowed(response& res, std::string_view allow) {
    fail(res, 405, "method not allowed; use " + std::string(allow));
    res.add_header("Allow", std::string(allow));
}

/// Parses a JSON object body; on failure answers 400 and returns nullopt.
inline std::optional<json::object> object_body(const request& req, response& res,
                                               bool allow_empty) {
    if (req.body.empty() && allow_empty) {
        return json::object{};
    }
    boost::system::error_code ec;
    auto v = json::parse(req.body, ec);
    if (ec) {
        fail(res, 400, "body is not valid JSON: " + ec.message());
        return std::nullopt;
    }
    if (!v.is_object()) {
        fail(res, 400, "body must be a JSON object");
        return std::nullopt;
    }
    return std::move(v.get_object());
}

inline std::optional<std::int64_t> int_field(const json::value& v) {
    if (v.is_int64()) {
        return v.get_int64();
    }
    if (v.is_uint64() && v.get_uint64() <= static_cast<std::uint64_t>(INT64_MAX)) {
        return static_cast<std::int64_t>(v.get_uint64());
    }
    return std::nullopt;
}

/// Member `name` of the object at `at` as a string; std::invalid_argument naming it otherwise.
inline std::string string_member(const json::value& x, const std::string& at,
                                 const std::string& name) {
    if (!x.is_string()) {
        throw std::invalid_argument(at + "." + name + ": must be a string");
    }
    return std::string(x.get_string());
}

/// Member `name` of the object at `at` as an integer; std::invalid_argument naming it otherwise.
inline std::int64_t integer_member(const json::value& x, const std::string& at,
                                   const std::string& name) {
    auto n = int_field(x);
    if (!n) {
        throw std::invalid_argument(at + "." + name + ": must be an integer");
    }
    return *n;
}

// ---- handlers --------------------------------------------------------------------------------

// admin_control.cpp: the manual clock, scripted faults, the journal.
void clock_state(response& res, shared_state& st);
void post_clock(const request& req, response& res, shared_state& st);
void list_faults(response& res, shared_state& st);
void post_faults(const request& req, response& res, shared_state& st);
void clear_faults(response& res, shared_state& st);
void get_journal(response& res, shared_state& st);
void clear_journal(response& res, shared_state& st);

// admin_accounts.cpp: accounts, live listen keys, reset.
void get_accounts(response& res, shared_state& st);
void post_accounts(const request& req, response& res, shared_state& st);
void get_listen_keys(response& res, shared_state& st);
void post_reset(const request& req, response& res, shared_state& st);

// admin_streams.cpp: pushing events, dropping and listing open streams.
void post_events(const request& req, response& res, shared_state& st);
void post_drop(const request& req, response& res, shared_state& st);
void get_streams(response& res, shared_state& st);

} // namespace exsdk::mock::detail::admin

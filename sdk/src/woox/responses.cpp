#include "detail/answer_check.hpp"
#include "detail/json.hpp"
#include "detail/json_pick.hpp"
#include "woox/api_key_page_reader.hpp"

#include <exsdk/woox/protocol.hpp>
#include <exsdk/woox/responses.hpp>

#include <boost/json/value.hpp>

#include <algorithm>
#include <array>
#include <optional>

namespace exsdk::woox::responses {

namespace {

errc errc_for_code(std::int64_t code, std::string_view message) {
    switch (static_cast<protocol::code>(code)) {
    case protocol::code::unknown: return errc::server_error;
    case protocol::code::invalid_signature: return errc::invalid_signature;
    case protocol::code::unauthorized:
        // One code for several causes; the message's keywords say which (protocol::refine).
        if (protocol::refine::contains(message, protocol::refine::missing)) {
            return errc::unauthorized;
        }
        if (protocol::refine::contains(message, protocol::refine::timestamp)) {
            return errc::timestamp_rejected;
        }
        if (std::ranges::any_of(protocol::refine::ip, [&](std::string_view w) {
                return protocol::refine::contains(message, w);
            })) {
            return errc::ip_not_allowed;
        }
        if (protocol::refine::contains(message, protocol::refine::permission)) {
            return errc::permission_denied;
        }
        return errc::unauthorized;
    case protocol::code::too_many_requests: return errc::rate_limited;
    case protocol::code::unknown_parameter:
    case protocol::code::invalid_parameter: return errc::bad_request;
    case protocol::code::not_found: return errc::not_found;
    }
    return errc::bad_request;
}

errc errc_for_status(unsigned status) {
    if (status == 418) {
        return errc::banned;
    }
    if (status == 429) {
        return errc::rate_limited;
    }
    if (status == 401 || status == 403) {
        return errc::unauthorized;
    }
    if (status == 404) {
        return errc::not_found;
    }
    if (status >= 500) {
        return errc::server_error;
    }
    return errc::protocol;
}

// The parsed body of a success envelope that has a `data` object, or the error the answer
// describes. Not the exchange's envelope (not a JSON object, or one with neither `success` nor
// `code`, or a page's content type): errc::unexpected_response.
result<boost::json::value> success_answer(const http_response& r, detail::json_arena& arena) {
    if (r.status == 418) {
        return to_error(r);
    }
    if (detail::is_page_content_type(r.content_type)) {
        return detail::unexpected_answer(r);
    }
    auto v = detail::parse_json(r.body, r.status, arena.storage());
    const auto* o = v ? v->if_object() : nullptr;
    if (o == nullptr) {
        return detail::unexpected_answer(r);
    }
    const auto* ok = o->if_contains(protocol::field::success);
    if (r.status != 200 || ok == nullptr || !ok->is_bool() || !ok->get_bool()) {
        return to_error(r);
    }
    const auto* data = o->if_contains(protocol::field::data);
    if (data == nullptr || !data->is_object()) {
        return detail::protocol_error(r.status, "success answer without a data object");
    }
    return v;
}

} // namespace

error to_error(const http_response& r) {
    if (r.status == 418) {
        error e(errc::banned, "HTTP 418: the exchange banned this client");
        e.http_status = 418;
        return e;
    }
    if (detail::is_page_content_type(r.content_type)) {
        return detail::unexpected_answer(r);
    }
    detail::json_arena arena;
    auto parsed = detail::parse_json(r.body, r.status, arena.storage());
    const boost::json::object* o = parsed ? parsed->if_object() : nullptr;
    const auto* success = o != nullptr ? o->if_contains(protocol::field::success) : nullptr;
    std::optional<std::int64_t> code;
    if (o != nullptr) {
        code = detail::int_member(*o, protocol::field::code);
    }
    // The exchange's envelope has a boolean `success` or a `code` (spec 1.2); anything else
    // answered by someone else (a proxy page, an API gateway's JSON, an empty body).
    if (!code && (success == nullptr || !success->is_bool())) {
        return detail::unexpected_answer(r);
    }
    std::string message(detail::string_member(*o, protocol::field::message).value_or(""));
    error e;
    if (code) {
        e = error(errc_for_code(*code, message), message);
        e.exchange_code = *code;
    } else {
        e = error(errc_for_status(r.status),
                  message.empty() ? "HTTP " + std::to_string(r.status) : message);
    }
    e.http_status = static_cast<int>(r.status);
    return e;
}

namespace {

// The success answer {"success":true,"data":{"authKey":"..","expiredTime":N},...} picked
// without a DOM; nullopt for anything else (an error, a duplicate, another kind of value), which
// the DOM path then answers.
std::optional<listen_key> listen_key_fast(const http_response& r) {
    if (r.status != 200 || detail::is_page_content_type(r.content_type)) {
        return std::nullopt;
    }
    using detail::json_pick;
    std::array<json_pick, 4> picks{
        json_pick{protocol::field::success, {}, json_pick::kind::boolean},
        json_pick{protocol::field::data, {}, json_pick::kind::object},
        json_pick{protocol::field::data, protocol::field::auth_key, json_pick::kind::string},
        json_pick{protocol::field::data, protocol::field::expired_time, json_pick::kind::integer}};
    if (!detail::pick_json_members(r.body, picks)) {
        return std::nullopt;
    }
    for (const auto& p : picks) {
        if (p.seen != 1 || !p.matched) {
            return std::nullopt;
        }
    }
    if (!picks[0].boolean || picks[2].string.empty()) {
        return std::nullopt;
    }
    return listen_key{std::move(picks[2].string), picks[3].integer};
}

} // namespace

result<listen_key> parse_listen_key(const http_response& r) {
    if (auto fast = listen_key_fast(r)) {
        return std::move(*fast);
    }
    detail::json_arena arena;
    auto v = success_answer(r, arena);
    if (!v) {
        return v.error();
    }
    const auto& data = v->get_object().at(protocol::field::data).get_object();
    listen_key out;
    auto key = detail::string_member(data, protocol::field::auth_key);
    auto expiry = detail::int_member(data, protocol::field::expired_time);
    if (!key || key->empty() || !expiry) {
        return detail::protocol_error(r.status, "listenKey answer without authKey/expiredTime");
    }
    out.auth_key = *key;
    out.expired_time_ms = *expiry;
    return out;
}

result<api_key_page> parse_api_key_page(const http_response& r) {
    if (r.status == 200 && !detail::is_page_content_type(r.content_type)) {
        if (auto page = detail::read_woox_api_key_page(r.body)) {
            return std::move(*page); // the common answer, read without a DOM
        }
    }
    return detail::parse_woox_api_key_page_dom(r);
}

} // namespace exsdk::woox::responses

namespace exsdk::detail {

result<woox::api_key_page> parse_woox_api_key_page_dom(const http_response& r) {
    namespace protocol = woox::protocol;
    using woox::api_key_page;
    using woox::api_key_permission;
    using woox::responses::success_answer;
    detail::json_arena arena;
    auto v = success_answer(r, arena);
    if (!v) {
        return v.error();
    }
    const auto& data = v->get_object().at(protocol::field::data).get_object();
    const auto* rows = data.if_contains(protocol::field::rows);
    const auto* meta = data.if_contains(protocol::field::meta);
    if (rows == nullptr || !rows->is_array() || meta == nullptr || !meta->is_object()) {
        return detail::protocol_error(r.status, "credentials answer without rows/meta");
    }
    auto string_list = [](const boost::json::value& a) -> std::optional<std::vector<std::string>> {
        if (!a.is_array()) {
            return std::nullopt;
        }
        std::vector<std::string> out;
        out.reserve(a.get_array().size()); // one allocation, not one per doubling
        for (const auto& s : a.get_array()) {
            if (!s.is_string()) {
                return std::nullopt;
            }
            out.emplace_back(s.get_string());
        }
        return out;
    };
    api_key_page page;
    page.rows.reserve(rows->get_array().size());
    for (const auto& row_value : rows->get_array()) {
        const auto* row = row_value.if_object();
        if (row == nullptr) {
            return detail::protocol_error(r.status, "credentials row is not an object");
        }
        api_key_permission p;
        auto name = detail::string_member(*row, protocol::field::account_name);
        auto uid = detail::int_member(*row, protocol::field::user_id);
        auto key = detail::string_member(*row, protocol::field::api_key);
        const auto* perms = row->if_contains(protocol::field::permissions);
        if (!name || !uid || !key || perms == nullptr) {
            return detail::protocol_error(r.status, "credentials row misses a field");
        }
        auto perm_list = string_list(*perms);
        if (!perm_list) {
            return detail::protocol_error(r.status, "credentials row: permissions is not a list");
        }
        p.account_name = *name;
        p.user_id = *uid;
        p.api_key = *key;
        p.permissions = std::move(*perm_list);
        if (const auto* ips = row->if_contains(protocol::field::allowed_ips)) {
            auto ip_list = string_list(*ips);
            if (!ip_list) {
                return detail::protocol_error(r.status,
                                              "credentials row: allowedIPs is not a list");
            }
            p.allowed_ips = std::move(*ip_list);
        }
        page.rows.push_back(std::move(p));
    }
    const auto& m = meta->get_object();
    auto total = detail::int_member(m, protocol::field::total);
    auto per_page = detail::int_member(m, protocol::field::records_per_page);
    auto current = detail::int_member(m, protocol::field::current_page);
    if (!total || !per_page || !current) {
        return detail::protocol_error(r.status, "credentials meta misses a field");
    }
    page.meta = {*total, *per_page, *current};
    return page;
}

} // namespace exsdk::detail

namespace exsdk::woox::responses {

result<clock::wall_time> parse_system_info(const http_response& r) {
    if (detail::is_page_content_type(r.content_type)) {
        return detail::unexpected_answer(r);
    }
    detail::json_arena arena;
    auto v = detail::parse_json(r.body, r.status, arena.storage());
    const auto* o = v ? v->if_object() : nullptr;
    if (o == nullptr || r.status != 200) {
        return to_error(r);
    }
    if (const auto* ok = o->if_contains(protocol::field::success);
        ok == nullptr || !ok->is_bool() || !ok->get_bool()) {
        return to_error(r);
    }
    auto ts = detail::int_member(*o, protocol::field::timestamp);
    if (!ts) {
        return detail::protocol_error(r.status, "systemInfo answer without timestamp");
    }
    if (*ts < 0 || *ts > max_epoch_ms) {
        return detail::protocol_error(r.status, "systemInfo timestamp out of range");
    }
    return from_epoch_ms(*ts);
}

} // namespace exsdk::woox::responses

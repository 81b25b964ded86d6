#include "detail/answer_check.hpp"
#include "detail/json.hpp"
#include "detail/json_pick.hpp"

#include <exsdk/bingx/protocol.hpp>
#include <exsdk/bingx/responses.hpp>

#include <boost/json/value.hpp>

#include <array>
#include <charconv>
#include <optional>

namespace exsdk::bingx::responses {

namespace {

errc errc_for_code(std::int64_t code) {
    switch (static_cast<protocol::code>(code)) {
    case protocol::code::signature_failed:
    case protocol::code::null_signature: return errc::invalid_signature;
    case protocol::code::incorrect_api_key: return errc::unauthorized;
    case protocol::code::ip_not_whitelisted: return errc::ip_not_allowed;
    case protocol::code::timestamp_mismatch: return errc::timestamp_rejected;
    case protocol::code::permission_denied: return errc::permission_denied;
    case protocol::code::rate_limited: return errc::rate_limited;
    case protocol::code::invalid_parameter: return errc::bad_request;
    case protocol::code::ok: break;
    }
    return errc::bad_request;
}

error status_error(errc c, unsigned status, std::string message) {
    error e(c, std::move(message));
    e.http_status = static_cast<int>(status);
    return e;
}

error to_error_impl(const http_response& r, bool bodiless_documented);

// The parsed body of an HTTP 200 answer whose envelope is a success ({"code":0,...} or no
// code at all), or the error the answer describes. `bodiless_documented`: the endpoint documents
// answers without a body (PUT/DELETE userDataStream: 404 and 204).
result<boost::json::value> ok_answer(const http_response& r, bool bodiless_documented,
                                     detail::json_arena& arena) {
    if (r.status != 200 || detail::is_page_content_type(r.content_type)) {
        return to_error_impl(r, bodiless_documented);
    }
    auto v = detail::parse_json(r.body, r.status, arena.storage());
    const auto* o = v ? v->if_object() : nullptr;
    if (o == nullptr) {
        return detail::unexpected_answer(r); // a page, plain text, an empty body, a JSON array
    }
    if (auto code = detail::int_member(*o, protocol::field::code); code && *code != 0) {
        return to_error_impl(r, bodiless_documented);
    }
    return v;
}

// See to_error(). An answer is BingX's own when it is a JSON object with a numeric `code` (spec
// 2.2), or one of the documented answers without a body: 204 (listenKey missing) and 404 (key
// unknown or expired) from PUT/DELETE userDataStream, and a ban (418). Everything else is
// errc::unexpected_response: an HTML page, plain text, JSON of someone else (an API gateway), or
// any answer whose Content-Type names a page.
error to_error_impl(const http_response& r, bool bodiless_documented) {
    if (r.status == 418) {
        return status_error(errc::banned, r.status, "HTTP 418: the exchange banned this client");
    }
    if (detail::is_page_content_type(r.content_type)) {
        return detail::unexpected_answer(r);
    }
    if (bodiless_documented && detail::is_blank(r.body)) {
        if (r.status == 204) {
            return status_error(errc::bad_request, r.status, "listenKey missing (HTTP 204)");
        }
        if (r.status == 404) {
            return status_error(errc::not_found, r.status,
                                "listen key not found or expired (HTTP 404 with an empty body)");
        }
    }
    detail::json_arena arena;
    auto parsed = detail::parse_json(r.body, r.status, arena.storage());
    const boost::json::object* o = parsed ? parsed->if_object() : nullptr;
    const auto code = o != nullptr ? detail::int_member(*o, protocol::field::code) : std::nullopt;
    if (!code) {
        return detail::unexpected_answer(r);
    }
    std::string message(detail::string_member(*o, protocol::field::msg).value_or(""));
    if (*code != 0) {
        error e = status_error(errc_for_code(*code), r.status, message);
        e.exchange_code = *code;
        if (*code == static_cast<std::int64_t>(protocol::code::rate_limited)) {
            e.retry_after = parse_unblock_time(message);
        }
        return e;
    }
    // {"code":0} with a failure status: the exchange's envelope, its meaning from the status.
    const errc c = r.status == 429                      ? errc::rate_limited
                   : r.status == 404                    ? errc::not_found
                   : r.status >= 500                    ? errc::server_error
                   : r.status == 401 || r.status == 403 ? errc::unauthorized
                                                        : errc::protocol;
    return status_error(c, r.status, "HTTP " + std::to_string(r.status));
}

} // namespace

std::optional<clock::wall_time> parse_unblock_time(std::string_view message) {
    for (auto marker :
         {protocol::message::unblocked_after_marker, protocol::message::retry_after_marker}) {
        const auto at = message.find(marker);
        if (at == std::string_view::npos) {
            continue;
        }
        const char* first = message.data() + at + marker.size();
        const char* last = message.data() + message.size();
        std::int64_t ms = 0;
        auto [ptr, ec] = std::from_chars(first, last, ms);
        if (ec == std::errc() && ptr != first && ms > 0 && ms <= max_epoch_ms) {
            return from_epoch_ms(ms);
        }
    }
    return std::nullopt;
}

error to_error(const http_response& r) {
    return to_error_impl(r, true);
}

namespace {

// The flat success answer {"listenKey":".."} (with "code":0 or no code) picked without a DOM;
// nullopt for anything else (an error, the wrapped shape, a duplicate, another kind of value),
// which the DOM path then answers.
std::optional<std::string> listen_key_fast(const http_response& r) {
    if (r.status != 200 || detail::is_page_content_type(r.content_type)) {
        return std::nullopt;
    }
    using detail::json_pick;
    std::array<json_pick, 3> picks{
        json_pick{protocol::field::code, {}, json_pick::kind::integer},
        json_pick{protocol::field::data, {}, json_pick::kind::object},
        json_pick{protocol::field::listen_key, {}, json_pick::kind::string}};
    if (!detail::pick_json_members(r.body, picks)) {
        return std::nullopt;
    }
    const auto& [code, data, key] = picks;
    const bool code_ok = code.seen == 0 || (code.seen == 1 && code.matched && code.integer == 0);
    if (!code_ok || data.seen != 0 || key.seen != 1 || !key.matched || key.string.empty()) {
        return std::nullopt;
    }
    return std::move(picks[2].string);
}

} // namespace

result<std::string> parse_listen_key(const http_response& r) {
    if (auto fast = listen_key_fast(r)) {
        return std::move(*fast);
    }
    detail::json_arena arena;
    auto v = ok_answer(r, false, arena);
    if (!v) {
        return v.error();
    }
    const boost::json::object* holder = &v->get_object();
    if (const auto* data = holder->if_contains(protocol::field::data);
        data != nullptr && data->is_object()) {
        holder = &data->get_object(); // the wrapped shape
    }
    auto key = detail::string_member(*holder, protocol::field::listen_key);
    if (!key || key->empty()) {
        return detail::protocol_error(r.status, "generate answer without listenKey");
    }
    return std::string(*key);
}

result<void> parse_empty_success(const http_response& r) {
    if (r.status == 200 && detail::is_blank(r.body) &&
        !detail::is_page_content_type(r.content_type)) {
        return {}; // the documented answer: 200 with an empty body
    }
    detail::json_arena arena;
    auto v = ok_answer(r, true, arena);
    if (!v) {
        return v.error();
    }
    return {};
}

result<clock::wall_time> parse_server_time(const http_response& r) {
    detail::json_arena arena;
    auto v = ok_answer(r, false, arena);
    if (!v) {
        return v.error();
    }
    const auto* data = v->get_object().if_contains(protocol::field::data);
    const auto* obj = data != nullptr ? data->if_object() : nullptr;
    auto ms = obj != nullptr ? detail::int_member(*obj, "serverTime") : std::nullopt;
    if (!ms) {
        return detail::protocol_error(r.status, "server time answer without data.serverTime");
    }
    if (*ms < 0 || *ms > max_epoch_ms) {
        return detail::protocol_error(r.status, "server time out of range");
    }
    return from_epoch_ms(*ms);
}

} // namespace exsdk::bingx::responses

#include "detail/json.hpp"

#include <exsdk/bingx/protocol.hpp>
#include <exsdk/bingx/responses.hpp>

#include <boost/json/value.hpp>

#include <charconv>

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

// The parsed body of an HTTP 200 answer whose envelope is a success ({"code":0,...} or no
// code at all), or the error the answer describes.
result<boost::json::value> ok_answer(const detail::http_response& r) {
    if (r.status != 200) {
        return to_error(r);
    }
    auto v = detail::parse_json(r.body, r.status);
    if (!v) {
        return v.error();
    }
    const auto* o = v->if_object();
    if (o == nullptr) {
        return detail::protocol_error(r.status, "answer is not a JSON object");
    }
    if (auto code = detail::int_member(*o, "code"); code && *code != 0) {
        return to_error(r);
    }
    return v;
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

error to_error(const detail::http_response& r) {
    if (r.status == 418) {
        return status_error(errc::banned, r.status, "HTTP 418: the exchange banned this client");
    }
    if (r.status == 204) {
        return status_error(errc::bad_request, r.status, "listenKey missing (HTTP 204)");
    }
    if (r.status == 404 && r.body.empty()) {
        return status_error(errc::not_found, r.status,
                            "listen key not found or expired (HTTP 404)");
    }
    auto parsed = detail::parse_json(r.body, r.status);
    const boost::json::object* o = parsed ? parsed->if_object() : nullptr;
    if (o != nullptr) {
        if (auto code = detail::int_member(*o, "code"); code && *code != 0) {
            std::string message(detail::string_member(*o, "msg").value_or(""));
            error e = status_error(errc_for_code(*code), r.status, message);
            e.exchange_code = *code;
            if (*code == static_cast<std::int64_t>(protocol::code::rate_limited)) {
                e.retry_after = parse_unblock_time(message);
            }
            return e;
        }
    }
    if (r.status == 429) {
        return status_error(errc::rate_limited, r.status, "HTTP 429");
    }
    if (r.status == 404) {
        return status_error(errc::not_found, r.status, "HTTP 404");
    }
    if (r.status >= 500) {
        return status_error(errc::server_error, r.status, "HTTP " + std::to_string(r.status));
    }
    if (r.status == 401 || r.status == 403) {
        return status_error(errc::unauthorized, r.status, "HTTP " + std::to_string(r.status));
    }
    return detail::protocol_error(r.status, "unexpected answer: " + r.body.substr(0, 80));
}

result<std::string> parse_listen_key(const detail::http_response& r) {
    auto v = ok_answer(r);
    if (!v) {
        return v.error();
    }
    const boost::json::object* holder = &v->get_object();
    if (const auto* data = holder->if_contains("data"); data != nullptr && data->is_object()) {
        holder = &data->get_object(); // the wrapped shape
    }
    auto key = detail::string_member(*holder, "listenKey");
    if (!key || key->empty()) {
        return detail::protocol_error(r.status, "generate answer without listenKey");
    }
    return std::string(*key);
}

result<void> parse_empty_success(const detail::http_response& r) {
    if (r.status == 200 && r.body.find_first_not_of(" \t\r\n") == std::string::npos) {
        return {}; // the documented answer: 200 with an empty body
    }
    auto v = ok_answer(r);
    if (!v) {
        return v.error();
    }
    return {};
}

result<clock::wall_time> parse_server_time(const detail::http_response& r) {
    auto v = ok_answer(r);
    if (!v) {
        return v.error();
    }
    const auto* data = v->get_object().if_contains("data");
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

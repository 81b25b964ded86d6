// WOO X REST v3 (spec section 1): systemInfo, listenKey, credentials.
//
// Decision (mock), order of checks: route (unknown path 404, wrong method 405) -> public
// endpoints answer -> missing x-api-key/x-api-timestamp/x-api-signature or unknown key: -1002 ->
// timestamp not a 13-digit number: -1002 -> signature mismatch: -1001 -> timestamp outside the
// window: -1002 -> IP not allowed: -1002 -> key lacks READ: -1002 -> rate limit: -1003 ->
// parameter validation (malformed JSON body: -1005/400) -> handler. Rate limits count only
// requests that passed authentication.
#include "exchange_api.hpp"
#include "json_writer.hpp"
#include "query.hpp"
#include "woox_answers.hpp"

#include <exsdk/hex.hpp>
#include <exsdk/woox/protocol.hpp>

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <algorithm>
#include <array>

namespace exsdk::mock::detail {

namespace f = woox::protocol::field;

void woox_error(response& res, woox::protocol::code c, std::string_view message, unsigned status) {
    res.json(status != 0 ? status : woox::protocol::http_status(c));
    res.code = static_cast<std::int64_t>(c);
    json_writer w(res.body);
    w.raw("{").key(f::success).boolean(false).next(f::code).num(res.code);
    w.next(f::message).str(message).raw("}");
}

namespace {

namespace p = woox::protocol;

/// `{"success":true,"data":` ... the caller writes data ... `,"timestamp":ms}` via finish().
json_writer begin_success(response& res) {
    res.json(200);
    json_writer w(res.body);
    w.raw("{").key(f::success).boolean(true).next(f::data);
    return w;
}
void finish_success(json_writer& w, std::int64_t now_ms) {
    w.next(f::timestamp).num(now_ms).raw("}");
}

void method_not_allowed(response& res, std::string_view allow) {
    woox_error(res, p::code::unknown, woox_answers::method_not_allowed, 405);
    res.add_header("Allow", std::string(allow));
}

/// POST /v3/account/listenKey body: exactly {"type":"WEBSOCKET"} (any JSON formatting).
/// nullopt when valid, else the error to answer.
std::optional<p::code> check_listen_key_body(std::string_view body) {
    if (body == p::listen_key_body) {
        return std::nullopt; // what every client sends: no parser needed
    }
    unsigned char buffer[1024];
    boost::json::monotonic_resource mr(buffer, sizeof buffer);
    boost::system::error_code ec;
    auto v = boost::json::parse(body, ec, &mr);
    if (ec || !v.is_object()) {
        return p::code::invalid_parameter; // malformed JSON or not an object
    }
    const auto& o = v.get_object();
    for (const auto& kv : o) {
        if (kv.key() != "type") {
            return p::code::unknown_parameter;
        }
    }
    const auto* type = o.if_contains("type");
    if (type == nullptr || !type->is_string() || type->get_string() != p::listen_key_type) {
        return p::code::invalid_parameter;
    }
    return std::nullopt;
}

void listen_key(response& res, shared_state& st, const key_record& key, std::int64_t now_ms) {
    const auto& info = st.listen_keys.issue(venue::woox, key.api_key, key.account_id, now_ms,
                                            p::listen_key_lifetime);
    auto w = begin_success(res);
    w.raw("{").key(f::auth_key).str(info.key).next(f::expired_time).num(info.expires_ms);
    w.raw("}");
    finish_success(w, now_ms);
}

void credentials(const request& req, response& res, shared_state& st, const key_record& key,
                 std::int64_t now_ms) {
    thread_local std::vector<query_param> params;
    if (!split_query(req.target, params)) {
        return woox_error(res, p::code::invalid_parameter, p::message::invalid_parameter);
    }
    std::int64_t page = p::default_page;
    std::int64_t size = p::default_page_size;
    bool seen_page = false;
    bool seen_size = false;
    for (const auto& q : params) {
        const bool is_page = q.key == p::page_param;
        const bool is_size = q.key == p::size_param;
        if (!is_page && !is_size) {
            return woox_error(res, p::code::unknown_parameter, p::message::unknown_parameter);
        }
        bool& seen = is_page ? seen_page : seen_size;
        const std::int64_t v = parse_non_negative(q.value);
        if (seen || v < 1 || (is_size && v > p::max_page_size)) {
            return woox_error(res, p::code::invalid_parameter, p::message::invalid_parameter);
        }
        seen = true;
        (is_page ? page : size) = v;
    }
    const auto& acct = st.accounts->all().woox.at(key.account_index);
    const auto total = static_cast<std::int64_t>(acct.api_keys.size());
    auto w = begin_success(res);
    w.raw("{").key(f::rows).raw("[");
    if ((page - 1) < (total + size - 1) / size) {
        const std::int64_t first = (page - 1) * size;
        const std::int64_t last = std::min(total, first + size);
        for (std::int64_t i = first; i < last; ++i) {
            const auto& k = acct.api_keys[static_cast<std::size_t>(i)];
            w.raw(i == first ? "{" : ",{").key(f::account_name).str(acct.account_name);
            w.raw(",").key(f::user_id).num(acct.user_id).raw(",").key(f::api_key).str(k.api_key);
            w.raw(",").key(f::permissions).raw("[");
            for (std::size_t j = 0; j < k.permissions.size(); ++j) {
                w.raw(j == 0 ? "" : ",").str(k.permissions[j]);
            }
            w.raw("]");
            if (!k.allowed_ips.empty()) { // "hide field if no ip restriction"
                w.raw(",").key(f::allowed_ips).raw("[");
                for (std::size_t j = 0; j < k.allowed_ips.size(); ++j) {
                    w.raw(j == 0 ? "" : ",").str(k.allowed_ips[j]);
                }
                w.raw("]");
            }
            w.raw("}");
        }
    }
    w.raw("]").next(f::meta).raw("{").key(f::total).num(total);
    w.next(f::records_per_page).num(size).next(f::current_page).num(page).raw("}}");
    finish_success(w, now_ms);
}

std::int64_t parse_13_digits(std::string_view ts) noexcept {
    if (ts.size() != p::timestamp_digits || !all_digits(ts)) {
        return -1;
    }
    return parse_non_negative(ts);
}

} // namespace

void woox_body_too_large(response& res) {
    woox_error(res, p::code::invalid_parameter, woox_answers::body_too_large, 413);
    res.close = true;
}

void handle_woox(const request& req, response& res, shared_state& st) {
    // 1. Route.
    endpoint ep{};
    if (req.path == p::listen_key_path) {
        if (req.method != "POST") {
            return method_not_allowed(res, "POST");
        }
        ep = endpoint::woox_listen_key;
    } else if (req.path == p::credentials_path) {
        if (req.method != "GET") {
            return method_not_allowed(res, "GET");
        }
        ep = endpoint::woox_credentials;
    } else if (req.path == p::system_info_path) {
        if (req.method != "GET") {
            return method_not_allowed(res, "GET");
        }
        // 2. Public endpoint: the top-level timestamp is the server time (clock sync).
        auto w = begin_success(res);
        w.raw(R"({"status":0,"msg":)").str(woox_answers::system_ok).raw("}");
        finish_success(w, st.clock->wall_ms());
        return;
    } else {
        return woox_error(res, p::code::not_found, woox_answers::path_not_found, 404);
    }

    // 3. Credentials present, key known.
    const auto api_key = req.header(p::api_key_header);
    const auto ts_text = req.header(p::timestamp_header);
    const auto signature = req.header(p::signature_header);
    if (!api_key || !ts_text || !signature || api_key->empty() || ts_text->empty() ||
        signature->empty()) {
        return woox_error(res, p::code::unauthorized, p::message::missing_auth_headers);
    }
    const key_record* key = st.accounts->find(venue::woox, *api_key);
    if (key == nullptr) {
        return woox_error(res, p::code::unauthorized, p::message::unauthorized);
    }
    // 4. Timestamp format.
    const std::int64_t ts = parse_13_digits(*ts_text);
    if (ts < 0) {
        return woox_error(res, p::code::unauthorized, p::message::malformed_timestamp);
    }
    // 5. Signature over the raw bytes: timestamp + METHOD + path_with_query + body.
    std::array<char, hmac_sha256::hex_size> expected{};
    key->signer.sign_hex({*ts_text, req.method, req.target, req.body}, expected);
    if (!hex_equal_constant_time(std::string_view(expected.data(), expected.size()), *signature)) {
        return woox_error(res, p::code::invalid_signature, p::message::invalid_signature);
    }
    // 6. Timestamp window.
    const std::int64_t now_ms = st.clock->wall_ms();
    const std::int64_t skew = now_ms > ts ? now_ms - ts : ts - now_ms;
    if (skew > st.cfg.woox_timestamp_window.count()) {
        return woox_error(res, p::code::unauthorized, p::message::stale_timestamp);
    }
    // 7. IP whitelist. 8. READ permission.
    if (!key->ip_allowed(req.peer)) {
        return woox_error(res, p::code::unauthorized, p::message::ip_not_allowed);
    }
    if (!key->can_read) {
        return woox_error(res, p::code::unauthorized, p::message::permission_denied);
    }
    // 9. Rate limit: per account and endpoint, authenticated requests only.
    if (st.cfg.limits.enabled) {
        const auto& limit = ep == endpoint::woox_listen_key ? st.cfg.limits.woox_listen_key
                                                            : st.cfg.limits.woox_credentials;
        const auto now = st.clock->now();
        // A new entry is first checked when this window ends (then again while any holds starts).
        auto& window = st.woox_windows.get(
            key->account_id, now + limit.window)[ep == endpoint::woox_listen_key ? 0 : 1];
        if (!window.admits(now, limit)) {
            st.metrics.count_rejection(ep == endpoint::woox_listen_key
                                           ? mock_metrics::limit::woox_listen_key
                                           : mock_metrics::limit::woox_credentials);
            return woox_error(res, p::code::too_many_requests, p::message::too_many_requests);
        }
        window.record(now, limit);
    }
    // 10. Parameters, 11. handler.
    if (ep == endpoint::woox_listen_key) {
        if (auto bad = check_listen_key_body(req.body)) {
            return woox_error(res, *bad,
                              *bad == p::code::unknown_parameter ? p::message::unknown_parameter
                                                                 : p::message::invalid_parameter);
        }
        return listen_key(res, st, *key, now_ms);
    }
    return credentials(req, res, st, *key, now_ms);
}

} // namespace exsdk::mock::detail

// BingX user data stream REST (spec section 2): POST/PUT/DELETE userDataStream, server time.
//
// Decision (mock), order of checks: route -> public endpoints answer -> key (100413) ->
// signature present where required (100412) -> timestamp present (100421) and numeric (80014)
// -> signature (100001) -> recvWindow / future limit (100421) -> IP (100419) -> READ permission
// (100004) -> the 20-errors block (third 100410 form) -> the disabled period (first form) ->
// 2/s per UID (second form) -> IP group (second form) -> parameters (204 / 404) -> handler.
// Rate limits count only requests that passed authentication. Every answer carries
// X-RateLimit-Requests-Remain / -Expire: the caller's UID window once the API key is known,
// else the caller IP's group window.
#include "bingx_answers.hpp"
#include "exchange_api.hpp"
#include "json_writer.hpp"
#include "query.hpp"

#include <exsdk/bingx/protocol.hpp>
#include <exsdk/hex.hpp>

#include <algorithm>
#include <array>
#include <map>
#include <numeric>

namespace exsdk::mock::detail {
namespace {

namespace p = bingx::protocol;
namespace f = bingx::protocol::field;
using ms = std::chrono::milliseconds;

void error(response& res, std::int64_t code, std::string_view msg, std::int64_t now_ms,
           unsigned status = 200) {
    res.json(status);
    res.code = code;
    json_writer w(res.body);
    w.raw("{").key(f::code).num(code).next(f::msg).str(msg).next(f::timestamp);
    w.num(now_ms).raw("}");
}
void error(response& res, p::code c, std::string_view msg, std::int64_t now_ms) {
    error(res, static_cast<std::int64_t>(c), msg, now_ms);
}

/// An empty-bodied answer (200 extend/delete, 204 missing listenKey, 404 unknown key).
void empty(response& res, unsigned status) {
    res.status = status;
    res.content_type = {};
    res.body.clear();
    res.code = 0;
}

/// The epoch ms of monotonic time `t` (rate windows run on monotonic time).
std::int64_t epoch_ms_at(clock::time_point t, clock::time_point now, std::int64_t now_ms) {
    return now_ms + std::chrono::ceil<ms>(t - now).count();
}

struct outcome {
    const key_record* key = nullptr; ///< known API key (headers use its UID window)
    bool authenticated = false;      ///< passed every check up to READ permission
    std::size_t slot = 0;            ///< endpoint slot
};

/// The signature over the received parameters (minus `signature`): the raw query exactly as
/// received, its percent-decoded form in received order, or the decoded form sorted by key.
/// Hex compared case-insensitively in constant time.
bool signature_valid(const key_record& key, std::string_view query,
                     const std::vector<query_param>& params, std::string_view signature) {
    thread_local std::string text;
    std::array<char, hmac_sha256::hex_size> expected{};
    auto matches = [&](std::string_view s) {
        key.signer.sign_hex({s}, expected);
        return hex_equal_constant_time(std::string_view(expected.data(), expected.size()),
                                       signature);
    };

    // 1. Raw: the query as received with the first `signature` component cut out.
    text.clear();
    bool cut = false;
    for (std::size_t pos = 0; pos <= query.size();) {
        auto amp = query.find('&', pos);
        if (amp == std::string_view::npos) {
            amp = query.size();
        }
        const auto part = query.substr(pos, amp - pos);
        const auto eq = part.find('=');
        if (!cut && part.substr(0, eq) == p::signature_param) {
            cut = true;
        } else {
            text.append(text.empty() ? "" : "&").append(part);
        }
        pos = amp + 1;
    }
    if (matches(text)) {
        return true;
    }
    // 2. Decoded, received order. 3. Decoded, sorted by key.
    struct param {
        std::string key;
        std::string value;
        bool has_value;
    };
    thread_local std::vector<param> decoded;
    decoded.clear();
    bool skipped = false;
    for (const auto& q : params) {
        if (!skipped && q.key == p::signature_param) {
            skipped = true;
            continue;
        }
        auto& d = decoded.emplace_back(param{{}, {}, q.has_value});
        append_decoded(q.key, d.key);
        append_decoded(q.value, d.value);
    }
    auto join = [&] {
        text.clear();
        for (const auto& d : decoded) {
            text.append(text.empty() ? "" : "&").append(d.key);
            if (d.has_value) {
                text.append("=").append(d.value);
            }
        }
    };
    if (query.find('%') != std::string_view::npos) {
        join();
        if (matches(text)) {
            return true;
        }
    }
    const auto by_key = [](const param& a, const param& b) { return a.key < b.key; };
    if (!std::is_sorted(decoded.begin(), decoded.end(), by_key)) {
        std::stable_sort(decoded.begin(), decoded.end(), by_key);
        join();
        return matches(text);
    }
    return false;
}

void error_block_message(response& res, const shared_state& st, std::int64_t code,
                         std::int64_t retry_ms, std::int64_t now_ms) {
    thread_local std::string msg;
    msg.clear();
    json_writer w(msg);
    w.raw(bingx_answers::error_block_over)
        .num(static_cast<std::int64_t>(st.cfg.limits.bingx_error_threshold));
    w.raw(bingx_answers::error_block_code).num(code).raw(bingx_answers::error_block_within);
    w.num(st.cfg.limits.bingx_error_window.count())
        .raw(bingx_answers::error_block_tail)
        .num(retry_ms);
    error(res, p::code::rate_limited, msg, now_ms);
}

void disabled_message(response& res, std::int64_t unblock_ms, std::int64_t now_ms) {
    thread_local std::string msg;
    msg.assign(p::message::disabled_period_prefix);
    json_writer(msg).num(unblock_ms);
    error(res, p::code::rate_limited, msg, now_ms);
}

void answer(const request& req, response& res, shared_state& st, outcome& out) {
    const auto now = st.clock->now();
    const std::int64_t now_ms = st.clock->wall_ms();
    const auto& lim = st.cfg.limits;

    // 1. Route.
    endpoint ep{};
    if (req.path == p::user_data_stream_path) {
        if (req.method == "POST") {
            ep = endpoint::bingx_stream_post;
        } else if (req.method == "PUT") {
            ep = endpoint::bingx_stream_put;
        } else if (req.method == "DELETE") {
            ep = endpoint::bingx_stream_delete;
        } else {
            error(res, bingx_answers::api_not_exist_code, bingx_answers::api_not_exist, now_ms,
                  405);
            res.add_header("Allow", "POST, PUT, DELETE");
            return;
        }
    } else if (req.path == p::server_time_path) {
        if (req.method != "GET") {
            error(res, bingx_answers::api_not_exist_code, bingx_answers::api_not_exist, now_ms,
                  405);
            res.add_header("Allow", "GET");
            return;
        }
        // 2. Public endpoint.
        res.json(200);
        json_writer w(res.body);
        w.raw("{").key(f::code).raw("0").next(f::msg).str("").next(f::data);
        w.raw("{").key("serverTime").num(now_ms).raw("}}");
        return;
    } else {
        return error(res, bingx_answers::api_not_exist_code, bingx_answers::api_not_exist, now_ms,
                     404);
    }
    out.slot = bingx_slot(ep);

    // 3. API key.
    const auto api_key = req.header(p::api_key_header);
    const key_record* key =
        api_key && !api_key->empty() ? st.accounts->find(venue::bingx, *api_key) : nullptr;
    if (key == nullptr) {
        return error(res, p::code::incorrect_api_key, p::message::incorrect_api_key, now_ms);
    }
    out.key = key;

    thread_local std::vector<query_param> params;
    if (!split_query(req.target, params)) {
        return error(res, p::code::invalid_parameter, bingx_answers::invalid_parameters, now_ms);
    }
    const query_param* signature = nullptr;
    const query_param* timestamp = nullptr;
    const query_param* recv_window = nullptr;
    const query_param* listen_key = nullptr;
    for (const auto& q : params) {
        const query_param** slot = q.key == p::signature_param     ? &signature
                                   : q.key == p::timestamp_param   ? &timestamp
                                   : q.key == p::recv_window_param ? &recv_window
                                   : q.key == p::listen_key_param  ? &listen_key
                                                                   : nullptr;
        if (slot != nullptr && *slot == nullptr) {
            *slot = &q;
        }
    }
    const bool is_signed = signature != nullptr && !signature->value.empty();

    // 4. Signature present where required: POST may be sent with the key alone (legacy docs).
    if (!is_signed && ep != endpoint::bingx_stream_post) {
        return error(res, p::code::null_signature, p::message::null_signature, now_ms);
    }
    // 5. Timestamp present (when signed) and numeric (when present); recvWindow numeric.
    const bool has_ts = timestamp != nullptr && !timestamp->value.empty();
    if (is_signed && !has_ts) {
        return error(res, p::code::timestamp_mismatch, p::message::timestamp_mismatch, now_ms);
    }
    thread_local std::string decoded;
    std::int64_t ts = 0;
    if (has_ts) {
        decoded.clear();
        append_decoded(timestamp->value, decoded);
        ts = parse_non_negative(decoded);
        if (ts < 0) {
            return error(res, p::code::invalid_parameter, p::message::timestamp_invalid, now_ms);
        }
    }
    std::int64_t window_ms = st.cfg.bingx_default_recv_window.count();
    if (recv_window != nullptr) {
        decoded.clear();
        append_decoded(recv_window->value, decoded);
        window_ms = parse_non_negative(decoded);
        if (window_ms < 0) {
            return error(res, p::code::invalid_parameter, bingx_answers::recv_window_invalid,
                         now_ms);
        }
    }
    // 6. Signature.
    if (is_signed && !signature_valid(*key, req.query, params, signature->value)) {
        return error(res, p::code::signature_failed, p::message::signature_failed, now_ms);
    }
    // 7. recvWindow / future limit.
    if (has_ts && (now_ms - ts > window_ms || ts - now_ms > st.cfg.bingx_max_future.count())) {
        return error(res, p::code::timestamp_mismatch, p::message::timestamp_mismatch, now_ms);
    }
    // 8. IP whitelist. 9. READ permission.
    if (!key->ip_allowed(req.peer)) {
        return error(res, p::code::ip_not_whitelisted, p::message::ip_not_whitelisted, now_ms);
    }
    if (!key->can_read) {
        return error(res, p::code::permission_denied, p::message::permission_denied, now_ms);
    }
    out.authenticated = true;

    if (lim.enabled) {
        // 10. The 20-errors block (per API key + endpoint).
        if (auto* slots = st.bingx_errors.find(key->api_key)) {
            const auto& ew = (*slots)[out.slot];
            if (now < ew.blocked_until) {
                st.metrics.count_rejection(mock_metrics::limit::bingx_error_block);
                return error_block_message(res, st, ew.blocked_code,
                                           epoch_ms_at(ew.blocked_until, now, now_ms), now_ms);
            }
        }
        // 11. The disabled period (per UID + endpoint); calls during it do not extend it.
        if (auto* until = st.bingx_disabled_until.find(key->account_id);
            until != nullptr && now < (*until)[out.slot]) {
            st.metrics.count_rejection(mock_metrics::limit::bingx_disabled_period);
            return disabled_message(res, epoch_ms_at((*until)[out.slot], now, now_ms), now_ms);
        }
        // 12. 2/s per UID (per method unless shared). 13. The IP group, per IP and per endpoint.
        // The entries are swept once their windows are over (shared_state::sweep_locked).
        auto& uid_window = st.bingx_uid_windows.get(
            key->account_id,
            now + lim.bingx_uid.window)[lim.bingx_uid_shared_across_methods ? 0 : out.slot];
        auto& ip = st.bingx_ips.get(
            req.peer, now + std::min(lim.bingx_ip_group.window, lim.bingx_ip_endpoint.window));
        if (!uid_window.admits(now, lim.bingx_uid) || !ip.group.admits(now, lim.bingx_ip_group) ||
            !ip.per_endpoint[out.slot].admits(now, lim.bingx_ip_endpoint)) {
            st.metrics.count_rejection(!uid_window.admits(now, lim.bingx_uid)
                                           ? mock_metrics::limit::bingx_uid
                                       : !ip.group.admits(now, lim.bingx_ip_group)
                                           ? mock_metrics::limit::bingx_ip_group
                                           : mock_metrics::limit::bingx_ip_endpoint);
            if (lim.bingx_disabled_period.count() > 0) {
                const auto until = now + lim.bingx_disabled_period;
                st.bingx_disabled_until.get(key->account_id, until)[out.slot] = until;
            }
            return error(res, p::code::rate_limited, p::message::rate_limited, now_ms);
        }
        uid_window.record(now, lim.bingx_uid);
        ip.group.record(now, lim.bingx_ip_group);
        ip.per_endpoint[out.slot].record(now, lim.bingx_ip_endpoint);
    }

    // 14. Parameters and 15. handler.
    if (ep == endpoint::bingx_stream_post) {
        const auto& info = st.listen_keys.issue(venue::bingx, key->api_key, key->account_id, now_ms,
                                                p::listen_key_lifetime);
        res.json(200);
        json_writer(res.body).raw("{").key(f::listen_key).str(info.key).raw("}");
        return;
    }
    if (listen_key == nullptr || listen_key->value.empty()) {
        return empty(res, 204);
    }
    decoded.clear();
    append_decoded(listen_key->value, decoded);
    const bool ok = ep == endpoint::bingx_stream_put
                        ? st.listen_keys.extend(decoded, key->account_id, now_ms,
                                                p::listen_key_lifetime) != nullptr
                        : st.listen_keys.remove(decoded, key->account_id, now_ms);
    empty(res, ok ? 200 : 404);
}

/// The 20-errors rule: authenticated calls answered with an error (non-zero code, 204 or 404)
/// per API key and endpoint; the 21st inside the window blocks until window after the first.
void count_error(shared_state& st, const outcome& out, const response& res) {
    const auto& lim = st.cfg.limits;
    if (!lim.enabled || lim.bingx_error_threshold == 0 || !out.authenticated) {
        return;
    }
    const bool is_error = res.code != 0 || res.status == 204 || res.status == 404;
    if (!is_error) {
        return;
    }
    const auto now = st.clock->now();
    auto& ew = st.bingx_errors.get(out.key->api_key, now + lim.bingx_error_window)[out.slot];
    while (!ew.errors.empty() && ew.errors.front().first <= now - lim.bingx_error_window) {
        ew.errors.pop_front();
    }
    if (ew.errors.size() >= std::max(lim.bingx_error_history, lim.bingx_error_threshold + 1)) {
        ew.errors.pop_front(); // bounded: the oldest error is forgotten
    }
    ew.errors.emplace_back(now, res.code != 0 ? res.code : static_cast<std::int64_t>(res.status));
    if (ew.errors.size() > lim.bingx_error_threshold && now >= ew.blocked_until) {
        ew.blocked_until = ew.errors.front().first + lim.bingx_error_window;
        // The code repeated most; on a tie, the one seen most recently.
        std::map<std::int64_t, std::pair<std::size_t, std::size_t>> seen; // count, last index
        for (std::size_t i = 0; i < ew.errors.size(); ++i) {
            auto& s = seen[ew.errors[i].second];
            ++s.first;
            s.second = i;
        }
        auto best = seen.begin();
        for (auto s = seen.begin(); s != seen.end(); ++s) {
            if (s->second > best->second) {
                best = s;
            }
        }
        ew.blocked_code = best->first;
    }
}

void rate_headers(response& res, shared_state& st, const outcome& out, std::string_view peer) {
    const auto& lim = st.cfg.limits;
    const auto now = st.clock->now();
    std::size_t remain = 0;
    std::chrono::milliseconds expire{0};
    if (out.key != nullptr) {
        const std::size_t slot = lim.bingx_uid_shared_across_methods ? 0 : out.slot;
        remain = lim.bingx_uid.requests;
        if (lim.enabled) {
            if (auto* w = st.bingx_uid_windows.find(out.key->account_id)) {
                remain = (*w)[slot].remaining(now, lim.bingx_uid);
                expire = (*w)[slot].until_reset(now, lim.bingx_uid);
            }
        }
    } else {
        remain = lim.bingx_ip_group.requests;
        if (lim.enabled) {
            if (auto* ip = st.bingx_ips.find(peer)) {
                remain = ip->group.remaining(now, lim.bingx_ip_group);
                expire = ip->group.until_reset(now, lim.bingx_ip_group);
            }
        }
    }
    res.add_header(p::remain_header, std::to_string(remain));
    res.add_header(p::expire_header, std::to_string(expire.count()));
}

} // namespace

void bingx_body_too_large(response& res, shared_state& st, std::string_view peer) {
    error(res, static_cast<std::int64_t>(p::code::invalid_parameter), bingx_answers::body_too_large,
          st.clock->wall_ms(), 413);
    res.close = true;
    rate_headers(res, st, outcome{}, peer);
}

void handle_bingx(const request& req, response& res, shared_state& st) {
    outcome out;
    answer(req, res, st, out);
    count_error(st, out, res);
    rate_headers(res, st, out, req.peer);
}

} // namespace exsdk::mock::detail

// The admin API's stream endpoints (admin_api.hpp): pushing events to open streams (POST
// /__admin/events), dropping them (POST /__admin/streams/drop) and listing them (GET
// /__admin/streams).
#include "admin_api.hpp"
#include "raw_json.hpp"

#include <boost/json/serialize.hpp>

#include <utility>
#include <vector>

namespace exsdk::mock::detail::admin {

namespace {

/// One event of POST /__admin/events; `raw` is its text in the body, so `data` is passed on
/// byte for byte (numbers keep their spelling).
stream_push parse_event(const json::value& v, std::string_view raw, const std::string& at) {
    if (!v.is_object()) {
        throw std::invalid_argument(at + ": an event must be a JSON object");
    }
    stream_push p;
    for (const auto& kv : v.get_object()) {
        const std::string name(kv.key());
        const auto& x = kv.value();
        auto str = [&] { return string_member(x, at, name); };
        if (name == "exchange") {
            p.exchange = str();
        } else if (name == "apiKey") {
            p.api_key = str();
        } else if (name == "accountId") {
            const auto n = int_field(x);
            if (!n || *n <= 0) {
                throw std::invalid_argument(at + ".accountId: must be a positive integer");
            }
            p.account_id = *n;
        } else if (name == "topic") {
            p.topic = str();
        } else if (name == "data") {
            if (!x.is_object()) {
                throw std::invalid_argument(at + ".data: must be a JSON object");
            }
            for (const auto& [k, value] : raw_members(raw)) {
                if (k == R"("data")") {
                    p.data = std::string(value);
                }
            }
            if (p.data.empty()) {
                p.data = json::serialize(x); // "data" spelled with escapes: re-serialised
            }
        } else {
            throw std::invalid_argument(at + "." + name +
                                        ": unknown field (expected exchange, apiKey, accountId, "
                                        "topic, data)");
        }
    }
    return p;
}

} // namespace

void post_events(const request& req, response& res, shared_state& st) {
    boost::system::error_code ec;
    auto v = json::parse(req.body, ec);
    if (ec) {
        return fail(res, 400, "body is not valid JSON: " + ec.message());
    }
    std::vector<std::pair<resolved_push, stream_push>> events;
    // Parses and resolves one event; errors are prefixed with `at` ("event", "events[i]").
    auto add = [&](const json::value& value, std::string_view raw, const std::string& at) {
        auto p = parse_event(value, raw, at);
        try {
            events.emplace_back(resolve_push(st, p), std::move(p));
        } catch (const std::invalid_argument& e) {
            throw std::invalid_argument(at + ": " + e.what());
        }
    };
    try {
        if (v.is_array()) {
            const auto& arr = v.get_array();
            const auto raws = raw_elements(req.body);
            if (raws.size() != arr.size()) {
                throw std::invalid_argument("events: could not split the array");
            }
            for (std::size_t i = 0; i < arr.size(); ++i) {
                add(arr[i], raws[i], "events[" + std::to_string(i) + "]");
            }
        } else {
            add(v, req.body, "event");
        }
    } catch (const std::invalid_argument& e) {
        return fail(res, 400, e.what());
    }
    std::size_t delivered = 0; // all checked first: an invalid event delivers nothing
    for (const auto& [r, p] : events) {
        const auto n = st.streams.push(r.v, r.account_id, p.topic,
                                       p.data.empty() ? std::string_view("{}") : p.data);
        st.metrics.count_pushed(r.v, n);
        delivered += n;
    }
    res.json(200);
    json_writer(res.body)
        .raw(R"({"delivered":)")
        .num(static_cast<std::int64_t>(delivered))
        .raw("}");
}

void post_drop(const request& req, response& res, shared_state& st) {
    auto body = object_body(req, res, true);
    if (!body) {
        return;
    }
    std::optional<venue> v;
    std::string api_key;
    for (const auto& kv : *body) {
        if (kv.key() == "exchange" && kv.value().is_string()) {
            v = parse_venue(kv.value().get_string());
            if (!v) {
                return fail(res, 400, R"(exchange must be "woox" or "bingx")");
            }
        } else if (kv.key() == "apiKey" && kv.value().is_string()) {
            api_key = kv.value().get_string();
        } else {
            return fail(res, 400,
                        R"(body must be empty, {} or {"exchange":"woox"|"bingx","apiKey":".."})"
                        " (both optional)");
        }
    }
    const auto n = st.streams.drop(v, api_key);
    res.json(200);
    json_writer(res.body).raw(R"({"dropped":)").num(static_cast<std::int64_t>(n)).raw("}");
}

void get_streams(response& res, shared_state& st) {
    res.json(200);
    json_writer w(res.body);
    w.raw(R"({"streams":[)");
    bool first = true;
    for (const auto& s : st.streams.list()) {
        w.raw(first ? "{" : ",{");
        first = false;
        w.key("id").num(static_cast<std::int64_t>(s.id)).raw(",").key("exchange").str(s.exchange);
        w.raw(",").key("path").str(s.path).raw(",").key("listen_key").str(s.listen_key);
        w.raw(",").key("api_key").str(s.api_key).raw(",").key("account_id").num(s.account_id);
        w.raw(",").key("peer").str(s.peer).raw(",").key("topics").raw("[");
        for (std::size_t i = 0; i < s.topics.size(); ++i) {
            w.raw(i == 0 ? "" : ",").str(s.topics[i]);
        }
        w.raw("],").key("connected_ms").num(s.connected_ms).raw(",").key("last_frame_ms");
        w.num(s.last_frame_ms).raw(",").key("last_pong_ms").num(s.last_pong_ms).raw("}");
    }
    w.raw("]}");
}

} // namespace exsdk::mock::detail::admin

// The admin API (/__admin/...): JSON in and out, clear 400 errors, for tests in any language.
// Not on the hot path, so it parses with Boost.JSON and locks the state per call.
#include "json_writer.hpp"
#include "raw_json.hpp"
#include "router.hpp"

#include <exsdk/manual_clock.hpp>
#include <exsdk/prometheus.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <limits>
#include <mutex>
#include <stdexcept>

namespace exsdk::mock::detail {
namespace {

namespace json = boost::json;

void reply(response& res, unsigned status, std::string body) {
    res.json(status);
    res.body = std::move(body);
}

void fail(response& res, unsigned status, std::string_view message) {
    res.json(status);
    json_writer(res.body).raw("{").key("error").str(message).raw("}");
}

void method_not_allowed(response& res, std::string_view allow) {
    fail(res, 405, "method not allowed; use " + std::string(allow));
    res.add_header("Allow", std::string(allow));
}

/// Parses a JSON object body; on failure answers 400 and returns nullopt.
std::optional<json::object> object_body(const request& req, response& res, bool allow_empty) {
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

std::optional<std::int64_t> int_field(const json::value& v) {
    if (v.is_int64()) {
        return v.get_int64();
    }
    if (v.is_uint64() && v.get_uint64() <= static_cast<std::uint64_t>(INT64_MAX)) {
        return static_cast<std::int64_t>(v.get_uint64());
    }
    return std::nullopt;
}

/// Member `name` of the object at `at` as a string; std::invalid_argument naming it otherwise.
std::string string_member(const json::value& x, const std::string& at, const std::string& name) {
    if (!x.is_string()) {
        throw std::invalid_argument(at + "." + name + ": must be a string");
    }
    return std::string(x.get_string());
}

/// Member `name` of the object at `at` as an integer; std::invalid_argument naming it otherwise.
std::int64_t integer_member(const json::value& x, const std::string& at, const std::string& name) {
    auto n = int_field(x);
    if (!n) {
        throw std::invalid_argument(at + "." + name + ": must be an integer");
    }
    return *n;
}

// ---- clock --------------------------------------------------------------------------------

void clock_state(response& res, shared_state& st) {
    res.json(200);
    json_writer(res.body)
        .raw("{")
        .key("now_ms")
        .num(st.clock->wall_ms())
        .raw(",")
        .key("manual")
        .boolean(st.clock->scheduler() != nullptr)
        .raw("}");
}

void post_clock(const request& req, response& res, shared_state& st) {
    manual_clock* manual = st.clock->scheduler();
    if (manual == nullptr) {
        return fail(res, 409,
                    "the clock is the system clock; start the mock with --clock manual:START_MS "
                    "to set or advance it");
    }
    auto body = object_body(req, res, false);
    if (!body) {
        return;
    }
    const auto* set = body->if_contains("set");
    const auto* advance = body->if_contains("advance");
    if (body->size() != 1 || (set == nullptr && advance == nullptr)) {
        return fail(res, 400, R"(body must be exactly {"set":EPOCH_MS} or {"advance":MS})");
    }
    const auto ms = int_field(set != nullptr ? *set : *advance);
    if (!ms || *ms < 0) {
        return fail(res, 400, "the value must be a non-negative integer (milliseconds)");
    }
    if (*ms > max_clock_ms || (set == nullptr && *ms > max_clock_ms - st.clock->wall_ms())) {
        return fail(res, 400,
                    "the clock cannot move past 2200-01-01T00:00:00Z (" +
                        std::to_string(max_clock_ms) + " ms)");
    }
    if (set != nullptr) {
        // The manual clock's wall time may be skewed from its schedule (a wrapping clock):
        // move the schedule by the difference so wall time lands on the requested value.
        const auto delta = *ms - st.clock->wall_ms();
        if (delta >= 0) {
            manual->advance(std::chrono::milliseconds(delta));
        } else {
            manual->set(manual->wall_now() + std::chrono::milliseconds(delta));
        }
    } else {
        manual->advance(std::chrono::milliseconds(*ms));
    }
    clock_state(res, st);
}

// ---- faults -------------------------------------------------------------------------------

fault parse_fault(const json::value& v, const std::string& at) {
    if (!v.is_object()) {
        throw std::invalid_argument(at + ": a fault must be a JSON object");
    }
    fault f;
    for (const auto& kv : v.get_object()) {
        const std::string name(kv.key());
        const auto& x = kv.value();
        auto str = [&] { return string_member(x, at, name); };
        auto num = [&] { return integer_member(x, at, name); };
        if (name == "exchange") {
            f.exchange = str();
        } else if (name == "method") {
            f.method = str();
        } else if (name == "path") {
            f.path = str();
        } else if (name == "action") {
            const auto a = str();
            if (a == "respond") {
                f.act = fault::action::respond;
            } else if (a == "delay") {
                f.act = fault::action::delay;
            } else if (a == "drop") {
                f.act = fault::action::drop;
            } else {
                throw std::invalid_argument(at + ".action: must be \"respond\", \"delay\" or "
                                                 "\"drop\"");
            }
        } else if (name == "status") {
            f.status = static_cast<int>(std::clamp<std::int64_t>(
                num(), std::numeric_limits<int>::min(), std::numeric_limits<int>::max()));
        } else if (name == "body") {
            // A string is sent as is; any other JSON value is sent serialised.
            f.body = x.is_string() ? std::string(x.get_string()) : json::serialize(x);
        } else if (name == "delay_ms") {
            f.delay = std::chrono::milliseconds(num());
        } else if (name == "count") {
            const auto n = num();
            if (n < 1) {
                throw std::invalid_argument(at + ".count: must be at least 1");
            }
            f.count = static_cast<std::size_t>(n);
        } else {
            throw std::invalid_argument(at + "." + name +
                                        ": unknown field (expected exchange, method, path, "
                                        "action, status, body, delay_ms, count)");
        }
    }
    try {
        validate_fault(f);
    } catch (const std::invalid_argument& e) {
        throw std::invalid_argument(at + ": " + e.what());
    }
    return f;
}

void write_fault(json_writer& w, const fault& f) {
    w.raw("{").key("exchange").str(f.exchange).raw(",").key("method").str(f.method);
    w.raw(",").key("path").str(f.path).raw(",").key("action").str(to_string(f.act));
    w.raw(",").key("status").num(f.status).raw(",").key("body").str(f.body);
    w.raw(",").key("delay_ms").num(f.delay.count()).raw(",").key("count");
    w.num(static_cast<std::int64_t>(f.count)).raw("}");
}

void list_faults(response& res, shared_state& st) {
    res.json(200);
    json_writer w(res.body);
    w.raw(R"({"faults":[)");
    std::lock_guard lock(st.mutex);
    bool first = true;
    for (const auto& f : st.faults) {
        w.raw(first ? "" : ",");
        first = false;
        write_fault(w, f);
    }
    w.raw("]}");
}

void post_faults(const request& req, response& res, shared_state& st) {
    boost::system::error_code ec;
    auto v = json::parse(req.body, ec);
    if (ec) {
        return fail(res, 400, "body is not valid JSON: " + ec.message());
    }
    std::vector<fault> added;
    try {
        if (v.is_array()) {
            const auto& arr = v.get_array();
            for (std::size_t i = 0; i < arr.size(); ++i) {
                added.push_back(parse_fault(arr[i], "faults[" + std::to_string(i) + "]"));
            }
        } else {
            added.push_back(parse_fault(v, "fault"));
        }
    } catch (const std::invalid_argument& e) {
        return fail(res, 400, e.what());
    }
    std::size_t pending = 0;
    {
        std::lock_guard lock(st.mutex);
        st.faults.insert(st.faults.end(), added.begin(), added.end());
        pending = st.faults.size();
    }
    res.json(200);
    json_writer(res.body)
        .raw(R"({"added":)")
        .num(static_cast<std::int64_t>(added.size()))
        .raw(R"(,"pending":)")
        .num(static_cast<std::int64_t>(pending))
        .raw("}");
}

// ---- journal ------------------------------------------------------------------------------

void write_entry(json_writer& w, const journal_entry& e) {
    w.raw("{").key("time_ms").num(e.time_ms).raw(",").key("exchange").str(e.exchange);
    w.raw(",").key("kind").str(e.kind).raw(",").key("method").str(e.method);
    w.raw(",").key("target").str(e.target).raw(",").key("api_key").str(e.api_key);
    w.raw(",").key("peer").str(e.peer).raw(",").key("http_status").num(e.http_status);
    w.raw(",").key("code").num(e.code).raw(",").key("fault").str(e.fault).raw("}");
}

void get_journal(response& res, shared_state& st) {
    res.json(200);
    json_writer w(res.body);
    w.raw(R"({"entries":[)");
    std::lock_guard lock(st.mutex);
    bool first = true;
    for (const auto& e : st.journal) {
        w.raw(first ? "" : ",");
        first = false;
        write_entry(w, e);
    }
    w.raw("]}");
}

void cleared(response& res, std::size_t n) {
    res.json(200);
    json_writer(res.body).raw(R"({"cleared":)").num(static_cast<std::int64_t>(n)).raw("}");
}

// ---- accounts -----------------------------------------------------------------------------

void get_accounts(response& res, shared_state& st) {
    std::shared_ptr<const account_index> a;
    {
        std::lock_guard lock(st.mutex);
        a = st.accounts;
    }
    reply(res, 200, a->all().to_json(false));
}

void post_accounts(const request& req, response& res, shared_state& st) {
    std::shared_ptr<const account_index> index;
    try {
        index = std::make_shared<const account_index>(accounts::from_json(req.body));
    } catch (const std::invalid_argument& e) {
        return fail(res, 400, e.what());
    }
    {
        std::lock_guard lock(st.mutex);
        st.set_accounts_locked(index);
    }
    reply(res, 200, index->all().to_json(false));
}

void post_reset(const request& req, response& res, shared_state& st) {
    auto body = object_body(req, res, true);
    if (!body) {
        return;
    }
    bool accounts_too = false;
    for (const auto& kv : *body) {
        if (kv.key() != "accounts" || !kv.value().is_bool()) {
            return fail(res, 400, R"(body must be empty, {} or {"accounts":true|false})");
        }
        accounts_too = kv.value().get_bool();
    }
    std::shared_ptr<const account_index> start;
    if (accounts_too) {
        start = std::make_shared<const account_index>(st.cfg.accounts);
    }
    {
        std::lock_guard lock(st.mutex);
        st.reset_locked();
        if (start) {
            st.set_accounts_locked(start);
        }
    }
    res.json(200);
    json_writer(res.body).raw(R"({"reset":true,"accounts":)").boolean(accounts_too).raw("}");
}

void get_listen_keys(response& res, shared_state& st) {
    res.json(200);
    json_writer w(res.body);
    w.raw(R"({"listen_keys":[)");
    std::lock_guard lock(st.mutex);
    bool first = true;
    for (const auto& k : st.listen_keys.live(st.clock->wall_ms())) {
        w.raw(first ? "{" : ",{");
        first = false;
        w.key("exchange").str(to_string(k.venue)).raw(",").key("key").str(k.key);
        w.raw(",").key("api_key").str(k.api_key).raw(",").key("account_id").num(k.account_id);
        w.raw(",").key("created_ms").num(k.created_ms).raw(",").key("expires_ms");
        w.num(k.expires_ms).raw("}");
    }
    w.raw("]}");
}

// ---- streams ------------------------------------------------------------------------------

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

void health(response& res, shared_state& st, std::size_t connections) {
    std::size_t keys = 0;
    {
        std::lock_guard lock(st.mutex);
        keys = st.listen_keys.size();
    }
    res.json(200);
    json_writer(res.body)
        .raw(R"({"status":"ok","time_ms":)")
        .num(st.clock->wall_ms())
        .raw(R"(,"clock":)")
        .str(st.clock->scheduler() != nullptr ? "manual" : "system")
        .raw(R"(,"connections":)")
        .num(static_cast<std::int64_t>(connections))
        .raw(R"(,"listen_keys":)")
        .num(static_cast<std::int64_t>(keys))
        .raw("}");
}

void metrics(response& res, shared_state& st, std::size_t connections) {
    res.status = 200;
    res.content_type = prometheus_content_type;
    res.body = st.metrics.page({st.streams.count(venue::woox), st.streams.count(venue::bingx)},
                               connections);
}

void stats(response& res, shared_state& st) {
    state_stats s;
    {
        std::lock_guard lock(st.mutex);
        s = st.stats_locked();
    }
    res.json(200);
    json_writer w(res.body);
    bool first = true;
    auto field = [&](std::string_view name, std::size_t v) {
        w.raw(first ? "{" : ",").key(name).num(static_cast<std::int64_t>(v));
        first = false;
    };
    field("woox_listen_keys", s.woox_listen_keys);
    field("bingx_listen_keys", s.bingx_listen_keys);
    field("bingx_listen_keys_max_per_uid", s.bingx_listen_keys_max_per_uid);
    field("listen_key_watches", s.listen_key_watches);
    field("woox_rate_windows", s.woox_rate_windows);
    field("bingx_uid_rate_windows", s.bingx_uid_rate_windows);
    field("bingx_ip_rate_windows", s.bingx_ip_rate_windows);
    field("rate_window_starts", s.rate_window_starts);
    field("bingx_disabled_periods", s.bingx_disabled_periods);
    field("bingx_error_counters", s.bingx_error_counters);
    field("bingx_error_entries", s.bingx_error_entries);
    field("journal_entries", s.journal_entries);
    field("journal_bytes", s.journal_bytes);
    field("streams", s.streams);
    field("stream_ips", s.stream_ips);
    field("faults", s.faults);
    w.raw("}");
}

} // namespace

void handle_admin(const request& req, response& res, shared_state& st, std::size_t connections) {
    const auto path = req.path;
    const auto m = req.method;
    if (path == "/__admin/health") {
        return m == "GET" ? health(res, st, connections) : method_not_allowed(res, "GET");
    }
    if (path == "/__admin/stats") {
        return m == "GET" ? stats(res, st) : method_not_allowed(res, "GET");
    }
    if (path == "/__admin/metrics") {
        return m == "GET" ? metrics(res, st, connections) : method_not_allowed(res, "GET");
    }
    if (path == "/__admin/clock") {
        return m == "GET"    ? clock_state(res, st)
               : m == "POST" ? post_clock(req, res, st)
                             : method_not_allowed(res, "GET, POST");
    }
    if (path == "/__admin/accounts") {
        return m == "GET"    ? get_accounts(res, st)
               : m == "POST" ? post_accounts(req, res, st)
                             : method_not_allowed(res, "GET, POST");
    }
    if (path == "/__admin/faults") {
        if (m == "GET") {
            return list_faults(res, st);
        }
        if (m == "POST") {
            return post_faults(req, res, st);
        }
        if (m == "DELETE") {
            std::size_t n = 0;
            {
                std::lock_guard lock(st.mutex);
                n = st.faults.size();
                st.faults.clear();
            }
            return cleared(res, n);
        }
        return method_not_allowed(res, "GET, POST, DELETE");
    }
    if (path == "/__admin/journal") {
        if (m == "GET") {
            return get_journal(res, st);
        }
        if (m == "DELETE") {
            std::size_t n = 0;
            {
                std::lock_guard lock(st.mutex);
                n = st.journal.size();
                st.journal.clear();
            }
            return cleared(res, n);
        }
        return method_not_allowed(res, "GET, DELETE");
    }
    if (path == "/__admin/listen_keys") {
        return m == "GET" ? get_listen_keys(res, st) : method_not_allowed(res, "GET");
    }
    if (path == "/__admin/reset") {
        return m == "POST" ? post_reset(req, res, st) : method_not_allowed(res, "POST");
    }
    if (path == "/__admin/events") {
        return m == "POST" ? post_events(req, res, st) : method_not_allowed(res, "POST");
    }
    if (path == "/__admin/streams") {
        return m == "GET" ? get_streams(res, st) : method_not_allowed(res, "GET");
    }
    if (path == "/__admin/streams/drop") {
        return m == "POST" ? post_drop(req, res, st) : method_not_allowed(res, "POST");
    }
    fail(res, 404,
         "unknown admin endpoint; see /__admin/health, stats, metrics, clock, accounts, faults, "
         "journal, listen_keys, reset, events, streams, streams/drop");
}

} // namespace exsdk::mock::detail

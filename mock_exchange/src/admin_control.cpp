// The admin API's control endpoints (admin_api.hpp): the clock (GET/POST /__admin/clock),
// scripted faults (GET/POST/DELETE /__admin/faults) and the journal (GET/DELETE
// /__admin/journal).
#include "admin_api.hpp"

#include <exsdk/manual_clock.hpp>

#include <boost/json/serialize.hpp>

#include <algorithm>
#include <limits>
#include <mutex>

namespace exsdk::mock::detail::admin {

namespace {

// ---- faults and journal entries as JSON -----------------------------------------------

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

void write_entry(json_writer& w, const journal_entry& e) {
    w.raw("{").key("time_ms").num(e.time_ms).raw(",").key("exchange").str(e.exchange);
    w.raw(",").key("kind").str(e.kind).raw(",").key("method").str(e.method);
    w.raw(",").key("target").str(e.target).raw(",").key("api_key").str(e.api_key);
    w.raw(",").key("peer").str(e.peer).raw(",").key("http_status").num(e.http_status);
    w.raw(",").key("code").num(e.code).raw(",").key("fault").str(e.fault).raw("}");
}

// GET: {"<name>":[...]}, every item of `items` (faults or journal) written under the state lock.
template <class Items, class Write>
void list_locked(response& res, shared_state& st, std::string_view name, const Items& items,
                 Write write) {
    res.json(200);
    json_writer w(res.body);
    w.raw("{").key(name).raw("[");
    std::lock_guard lock(st.mutex);
    bool first = true;
    for (const auto& item : items) {
        w.raw(first ? "" : ",");
        first = false;
        write(w, item);
    }
    w.raw("]}");
}

// DELETE: empties `items` (faults or journal) under the state lock; {"cleared":N}.
template <class Items>
void clear_locked(response& res, shared_state& st, Items& items) {
    std::size_t n = 0;
    {
        std::lock_guard lock(st.mutex);
        n = items.size();
        items.clear();
    }
    res.json(200);
    json_writer(res.body).raw(R"({"cleared":)").num(static_cast<std::int64_t>(n)).raw("}");
}

} // namespace

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

void list_faults(response& res, shared_state& st) {
    list_locked(res, st, "faults", st.faults, write_fault);
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

void clear_faults(response& res, shared_state& st) {
    clear_locked(res, st, st.faults);
}

// ---- journal ------------------------------------------------------------------------------

void get_journal(response& res, shared_state& st) {
    list_locked(res, st, "entries", st.journal, write_entry);
}

void clear_journal(response& res, shared_state& st) {
    clear_locked(res, st, st.journal);
}

} // namespace exsdk::mock::detail::admin

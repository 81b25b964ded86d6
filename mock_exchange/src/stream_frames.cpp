// The frames of the account streams, sans-io: the client frames each exchange accepts
// (WOO X SUBSCRIBE / UN_SUBSCRIBE / PING, BingX sub / unsub requests and pongs) with the answers
// they get, and the frames the server writes (pushes, heartbeats, listenKeyExpired). Every
// envelope field name comes from the exchange's protocol.hpp (field::...).
#include "json_writer.hpp"
#include "raw_json.hpp"
#include "streams.hpp"

#include <exsdk/bingx/protocol.hpp>
#include <exsdk/woox/protocol.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <algorithm>
#include <cstdio>
#include <ctime>

namespace exsdk::mock::detail {

namespace json = boost::json;
namespace wf = woox::protocol::field;
namespace bf = bingx::protocol::field;

// ---- client frames ---------------------------------------------------------------------------

namespace {

/// The id to echo: the received JSON value as it was (string or number), "" when absent.
std::string echo_id(const json::object& o) {
    static_assert(wf::id == bf::id);
    if (const auto* id = o.if_contains(wf::id)) {
        return json::serialize(*id);
    }
    return R"("")";
}

/// A WOO X answer up to its time: {"id":<id>,"cmd":"<cmd>","success":<ok>,"time":<ms> (no "id"
/// when `id` is empty: the PONG). The caller writes the rest.
json_writer woox_answer(std::string& out, std::string_view id, std::string_view cmd, bool ok,
                        std::int64_t now_ms) {
    json_writer w(out);
    w.raw("{");
    if (!id.empty()) {
        w.key(wf::id).raw(id).raw(",");
    }
    w.key(wf::cmd).str(cmd).next(wf::success).boolean(ok).next(wf::time).num(now_ms);
    return w;
}

void join_topic(std::string& list, std::string_view t) {
    if (!list.empty()) {
        list.push_back(',');
    }
    list.append(t);
}

} // namespace

client_frame_result woox_client_frame(stream_hub& hub, stream_record& r, std::string_view text,
                                      std::int64_t now_ms) {
    namespace proto = woox::protocol;
    client_frame_result out;
    std::string id = R"("")";
    auto error_reply = [&] {
        woox_answer(out.reply, id, proto::cmd_error, false, now_ms)
            .next(wf::data)
            .str(proto::invalid_request_message)
            .raw("}");
    };
    boost::system::error_code ec;
    auto v = json::parse(text, ec);
    if (ec || !v.is_object()) {
        error_reply();
        return out;
    }
    const auto& o = v.get_object();
    id = echo_id(o);
    const auto* cmd_value = o.if_contains(wf::cmd);
    if (cmd_value == nullptr || !cmd_value->is_string()) {
        error_reply();
        return out;
    }
    const std::string_view cmd = cmd_value->get_string();
    if (cmd == proto::cmd_ping) {
        woox_answer(out.reply, {}, proto::cmd_pong, true, now_ms).raw("}");
        return out;
    }
    const bool sub = cmd == proto::cmd_subscribe;
    if (!sub && cmd != proto::cmd_unsubscribe) {
        error_reply();
        return out;
    }
    out.journal_kind = sub ? "stream_subscribe" : "stream_unsubscribe";
    out.journal_method = cmd;
    const auto* params = o.if_contains(wf::params);
    std::vector<std::string> accepted;
    if (params != nullptr && params->is_array()) {
        for (const auto& p : params->get_array()) {
            if (!p.is_string()) {
                join_topic(out.journal_target, json::serialize(p));
                continue; // not a topic: left out like an unknown one
            }
            const std::string_view t = p.get_string();
            join_topic(out.journal_target, t);
            if (std::find(proto::topics.begin(), proto::topics.end(), t) != proto::topics.end() &&
                std::find(accepted.begin(), accepted.end(), t) == accepted.end()) {
                accepted.emplace_back(t);
            }
        }
    }
    if (params == nullptr || !params->is_array() ||
        params->get_array().size() > proto::max_topics_per_command) {
        out.journal_code = static_cast<std::int64_t>(proto::code::invalid_parameter);
        woox_answer(out.reply, id, cmd, false, now_ms)
            .next(wf::data)
            .str(proto::invalid_command_message)
            .raw("}");
        return out;
    }
    if (sub) {
        hub.subscribe(r, accepted, SIZE_MAX);
    } else {
        hub.unsubscribe(r, accepted);
    }
    auto w = woox_answer(out.reply, id, cmd, true, now_ms);
    w.next(wf::data).raw("[");
    for (std::size_t i = 0; i < accepted.size(); ++i) {
        w.raw(i == 0 ? "" : ",").str(accepted[i]);
    }
    w.raw("]}");
    return out;
}

bool ping_tracker::answer(std::string_view id, std::string_view time) {
    for (std::size_t i = 0; i < outstanding.size(); ++i) {
        if (outstanding[i].first == id && outstanding[i].second == time) {
            outstanding.erase(outstanding.begin(),
                              outstanding.begin() + static_cast<std::ptrdiff_t>(i) + 1);
            return true;
        }
    }
    return false;
}

client_frame_result bingx_client_frame(stream_hub& hub, stream_record& r, ping_tracker& pings,
                                       std::string_view text) {
    namespace proto = bingx::protocol;
    client_frame_result out;
    if (r.kind == stream_kind::bingx_swap) {
        out.pong = text == proto::swap_pong;
        return out; // swap clients send nothing else; anything else is ignored
    }
    boost::system::error_code ec;
    auto v = json::parse(text, ec);
    if (ec || !v.is_object()) {
        return out; // ignored
    }
    const auto& o = v.get_object();
    if (const auto* p = o.if_contains(bf::pong)) {
        const auto* t = o.if_contains(bf::time);
        out.pong = p->is_string() && t != nullptr && t->is_string() &&
                   pings.answer(p->get_string(), t->get_string());
        return out;
    }
    const auto* req_type = o.if_contains(bf::req_type);
    if (req_type == nullptr && !o.contains(bf::data_type)) {
        return out; // neither a request nor a pong: ignored
    }
    const std::string id = echo_id(o);
    // BingX's spot docs also show subscriptions without reqType: they mean "sub".
    const std::string_view rt =
        req_type == nullptr ? proto::req_sub
                            : (req_type->is_string() ? std::string_view(req_type->get_string())
                                                     : std::string_view("?"));
    std::int64_t code = 0;
    std::string msg;
    const bool sub = rt == proto::req_sub;
    if (!sub && rt != proto::req_unsub) {
        code = proto::stream_illegal_argument;
        msg = "ILLEGAL_ARGUMENT: unknown reqType";
    } else {
        out.journal_kind = sub ? "stream_subscribe" : "stream_unsubscribe";
        out.journal_method = rt;
        const auto* dt = o.if_contains(bf::data_type);
        if (dt == nullptr || !dt->is_string() || dt->get_string().empty()) {
            code = proto::stream_illegal_argument;
            msg = "ILLEGAL_ARGUMENT: dataType is required";
            if (dt != nullptr) {
                out.journal_target = json::serialize(*dt);
            }
        } else {
            const std::string topic(dt->get_string());
            out.journal_target = topic;
            if (!sub) {
                hub.unsubscribe(r, std::span(&topic, 1));
            } else if (!hub.subscribe(r, std::span(&topic, 1), proto::max_topics_per_socket)) {
                code = proto::stream_frequency_limit;
                msg = "FREQUENCY_LIMIT: at most 200 topics per connection";
            }
        }
        out.journal_code = code;
    }
    json_writer(out.reply)
        .raw("{")
        .key(bf::id)
        .raw(id)
        .next(bf::code)
        .num(code)
        .next(bf::msg)
        .str(msg)
        .raw("}");
    return out;
}

// ---- server frames ---------------------------------------------------------------------------

std::string iso8601_ms(std::int64_t epoch_ms) {
    const std::int64_t ms = ((epoch_ms % 1000) + 1000) % 1000;
    const std::time_t secs = static_cast<std::time_t>((epoch_ms - ms) / 1000);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[40];
    const auto n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
    std::string out(buf, n);
    char frac[16];
    std::snprintf(frac, sizeof frac, ".%03d+0000", static_cast<int>(ms));
    out += frac;
    return out;
}

std::string spot_ping_frame(std::string_view id, std::string_view time) {
    std::string out;
    json_writer(out).raw("{").key(bf::ping).str(id).next(bf::time).str(time).raw("}");
    return out;
}

std::string listen_key_expired_frame(std::string_view key, std::int64_t now_ms) {
    std::string out;
    json_writer(out)
        .raw("{")
        .key(bf::event_type)
        .str(bingx::protocol::event_listen_key_expired)
        .next(bf::event_time)
        .num(now_ms)
        .next(bf::listen_key)
        .str(key)
        .raw("}");
    return out;
}

// ---- push frames -----------------------------------------------------------------------------

namespace {

/// `raw_key` (a member key with its quotes, as written) is "`name`" spelled without escapes.
bool is_plain_key(std::string_view raw_key, std::string_view name) noexcept {
    return raw_key.size() == name.size() + 2 && raw_key.front() == '"' && raw_key.back() == '"' &&
           raw_key.substr(1, name.size()) == name;
}

bool is_event_key(std::string_view raw_key) {
    if (is_plain_key(raw_key, bf::event_type) || is_plain_key(raw_key, bf::event_time)) {
        return true;
    }
    if (raw_key.find('\\') == std::string_view::npos) {
        return false;
    }
    boost::system::error_code ec;
    auto k = json::parse(raw_key, ec); // an escaped spelling of "e" or "E"
    return !ec && k.is_string() &&
           (k.get_string() == bf::event_type || k.get_string() == bf::event_time);
}

/// `data` with "e":type,"E":now first (replacing any "e"/"E" it had).
void with_event_fields(json_writer& w, std::string_view data, std::string_view type,
                       std::int64_t now) {
    w.raw("{").key(bf::event_type).str(type).next(bf::event_time).num(now);
    for (const auto& [k, v] : raw_members(data)) {
        if (!is_event_key(k)) {
            w.raw(",").raw(k).raw(":").raw(v);
        }
    }
    w.raw("}");
}

} // namespace

push_frames::push_frames(std::string_view topic, std::string_view data, std::int64_t now_ms)
    : topic_(topic), data_(data.empty() ? std::string_view("{}") : data), now_ms_(now_ms) {}

const std::string& push_frames::woox() {
    if (woox_.empty()) {
        json_writer(woox_)
            .raw("{")
            .key(wf::topic)
            .str(topic_)
            .next(wf::ts)
            .num(now_ms_)
            .next(wf::data)
            .raw(data_)
            .raw("}");
    }
    return woox_;
}

const std::string& push_frames::bingx_bare() {
    if (bare_.empty()) {
        json_writer w(bare_);
        with_event_fields(w, data_, topic_, now_ms_);
    }
    return bare_;
}

const std::string& push_frames::bingx_spot() {
    if (topic_ == bingx::protocol::account_update_topic) {
        return bingx_bare(); // pushed bare, exactly like swap (spec 2.4)
    }
    if (spot_.empty()) {
        json_writer w(spot_);
        w.raw("{").key(bf::code).raw("0").next(bf::data_type).str(topic_).next(bf::data);
        if (topic_ == bingx::protocol::spot_execution_report_topic) {
            with_event_fields(w, data_, bingx::protocol::event_execution_report, now_ms_);
        } else {
            w.raw(data_);
        }
        w.raw("}");
    }
    return spot_;
}

} // namespace exsdk::mock::detail

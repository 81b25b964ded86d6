#include "detail/json.hpp"

#include <exsdk/utf8.hpp>
#include <exsdk/woox/protocol.hpp>
#include <exsdk/woox/stream_protocol.hpp>

#include <boost/json/serialize.hpp>

namespace exsdk::woox::stream_protocol {

namespace {

using detail::bool_or_false;
using detail::decimal_text;
using detail::int_or_zero;
using detail::string_or_empty;

execution_report decode_execution_report(const boost::json::object& d) {
    execution_report r;
    r.msg_type = decimal_text(d, "mt");
    r.symbol = string_or_empty(d, "s");
    r.client_order_id = decimal_text(d, "cid");
    r.order_id = int_or_zero(d, "oid");
    r.type = string_or_empty(d, "t");
    r.side = string_or_empty(d, "sd");
    r.position_side = string_or_empty(d, "ps");
    r.quantity = decimal_text(d, "sx");
    r.price = decimal_text(d, "px");
    r.trade_id = int_or_zero(d, "tid");
    r.executed_quantity = decimal_text(d, "esx");
    r.executed_price = decimal_text(d, "epx");
    r.fee = decimal_text(d, "f");
    r.fee_asset = string_or_empty(d, "fa");
    r.total_executed_quantity = decimal_text(d, "tesx");
    r.average_executed_price = decimal_text(d, "aepx");
    r.status = string_or_empty(d, "ss");
    r.reason = string_or_empty(d, "rs");
    r.timestamp = int_or_zero(d, "ts");
    r.reduce_only = bool_or_false(d, "ro");
    r.maker = bool_or_false(d, "mk");
    r.leverage = decimal_text(d, "lv");
    r.margin_mode = string_or_empty(d, "m");
    return r;
}

template <class Row, class Decode>
std::vector<Row> decode_rows(const boost::json::object& d, std::string_view key, Decode decode) {
    std::vector<Row> out;
    if (const auto* a = d.if_contains(key); a != nullptr && a->is_array()) {
        for (const auto& v : a->get_array()) {
            if (const auto* o = v.if_object()) {
                out.push_back(decode(*o));
            }
        }
    }
    return out;
}

std::vector<std::string> string_list(const boost::json::value* v) {
    std::vector<std::string> out;
    if (v != nullptr && v->is_array()) {
        for (const auto& s : v->get_array()) {
            if (s.is_string()) {
                out.emplace_back(s.get_string());
            }
        }
    }
    return out;
}

stream_event decode_event(const boost::json::object& o, boost::json::value raw) {
    stream_event ev;
    ev.topic = string_or_empty(o, protocol::field::topic);
    ev.ts = int_or_zero(o, protocol::field::ts);
    if (const auto* data = o.if_contains(protocol::field::data);
        data != nullptr && data->is_object()) {
        const auto& d = data->get_object();
        if (ev.topic == protocol::topics[0]) { // executionreport
            ev.data = decode_execution_report(d);
        } else if (ev.topic == protocol::topics[1]) { // balance
            ev.data = balance_update{decode_rows<balance>(d, "balances", [](const auto& b) {
                return balance{string_or_empty(b, "t"), decimal_text(b, "h"), decimal_text(b, "f"),
                               int_or_zero(b, "ts")};
            })};
        } else if (ev.topic == protocol::topics[2]) { // position
            ev.data = position_update{decode_rows<position>(d, "positions", [](const auto& p) {
                return position{string_or_empty(p, "s"),  decimal_text(p, "h"),
                                string_or_empty(p, "ps"), decimal_text(p, "aop"),
                                decimal_text(p, "mp"),    decimal_text(p, "pnl"),
                                decimal_text(p, "lv"),    int_or_zero(p, "ts")};
            })};
        } else if (ev.topic == protocol::topics[3]) { // account
            ev.data = account_update{d};
        }
    }
    ev.raw = std::move(raw);
    return ev;
}

std::string command(std::string_view id, std::string_view cmd,
                    std::span<const std::string> topics) {
    boost::json::object o;
    o[protocol::field::id] = id;
    o[protocol::field::cmd] = cmd;
    boost::json::array params;
    for (const auto& t : topics) {
        params.emplace_back(t);
    }
    o[protocol::field::params] = std::move(params);
    return boost::json::serialize(o);
}

} // namespace

result<frame> parse_frame(std::string_view text) {
    auto parsed = detail::parse_json(text, 0);
    if (!parsed) {
        return parsed.error();
    }
    const auto* o = parsed->if_object();
    if (o == nullptr) {
        return stream_event{{}, 0, {}, std::move(*parsed)};
    }
    if (const auto cmd = detail::string_member(*o, protocol::field::cmd)) {
        if (*cmd == protocol::cmd_pong) {
            return pong{int_or_zero(*o, protocol::field::time)};
        }
        if (*cmd == protocol::cmd_error) {
            return error_frame{decimal_text(*o, protocol::field::id),
                               string_or_empty(*o, protocol::field::data)};
        }
        if (*cmd == protocol::cmd_subscribe || *cmd == protocol::cmd_unsubscribe) {
            ack a;
            a.id = decimal_text(*o, protocol::field::id);
            a.cmd = std::string(*cmd);
            a.success = bool_or_false(*o, protocol::field::success);
            const auto* data = o->if_contains(protocol::field::data);
            if (a.success) {
                a.topics = string_list(data);
            } else if (data != nullptr && data->is_string()) {
                a.message = std::string(data->get_string());
            }
            return a;
        }
    }
    const auto& obj = *o;
    return decode_event(obj, std::move(*parsed));
}

result<void> check_topics(std::span<const std::string> topics) {
    if (topics.empty() || topics.size() > protocol::max_topics_per_command) {
        return error(errc::invalid_argument, "subscribe takes 1 to 10 topics per command");
    }
    for (const auto& t : topics) {
        if (t.empty() || !is_utf8(t)) {
            return error(errc::invalid_argument, "a topic must be non-empty UTF-8 text");
        }
    }
    return {};
}

std::string subscribe_command(std::string_view id, std::span<const std::string> topics) {
    return command(id, protocol::cmd_subscribe, topics);
}

std::string unsubscribe_command(std::string_view id, std::span<const std::string> topics) {
    return command(id, protocol::cmd_unsubscribe, topics);
}

std::string ping_command(std::int64_t ts_ms) {
    std::string f;
    f.append(R"({")")
        .append(protocol::field::cmd)
        .append(R"(":")")
        .append(protocol::cmd_ping)
        .append(R"(",")")
        .append(protocol::field::ts)
        .append(R"(":)")
        .append(std::to_string(ts_ms))
        .append("}");
    return f;
}

} // namespace exsdk::woox::stream_protocol

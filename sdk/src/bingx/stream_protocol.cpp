#include "detail/json.hpp"

#include <exsdk/bingx/protocol.hpp>
#include <exsdk/bingx/stream_protocol.hpp>
#include <exsdk/utf8.hpp>

#include <boost/json/serialize.hpp>

namespace exsdk::bingx::stream_protocol {

namespace {

using detail::decimal_text;
using detail::int_or_zero;
using detail::string_or_empty;

const boost::json::object* member_object(const boost::json::object& o, std::string_view key) {
    const auto* v = o.if_contains(key);
    return v != nullptr ? v->if_object() : nullptr;
}

account_update decode_account_update(const boost::json::object& o) {
    account_update u;
    u.event_time = int_or_zero(o, protocol::field::event_time);
    u.transaction_time = int_or_zero(o, "T");
    if (const auto* a = member_object(o, "a")) {
        u.reason = string_or_empty(*a, "m");
        if (const auto* b = a->if_contains("B"); b != nullptr && b->is_array()) {
            for (const auto& v : b->get_array()) {
                if (const auto* x = v.if_object()) {
                    u.balances.push_back({string_or_empty(*x, "a"), decimal_text(*x, "wb"),
                                          decimal_text(*x, "cw"), decimal_text(*x, "bc")});
                }
            }
        }
        if (const auto* p = a->if_contains("P"); p != nullptr && p->is_array()) {
            for (const auto& v : p->get_array()) {
                if (const auto* x = v.if_object()) {
                    u.positions.push_back({string_or_empty(*x, "s"), decimal_text(*x, "pa"),
                                           decimal_text(*x, "ep"), decimal_text(*x, "up"),
                                           string_or_empty(*x, "mt"), string_or_empty(*x, "ps")});
                }
            }
        }
    }
    return u;
}

order_trade_update decode_order_trade_update(const boost::json::object& o) {
    order_trade_update u;
    u.event_time = int_or_zero(o, protocol::field::event_time);
    if (const auto* x = member_object(o, "o")) {
        u.symbol = string_or_empty(*x, "s");
        u.client_order_id = decimal_text(*x, "c");
        u.order_id = int_or_zero(*x, "i");
        u.side = string_or_empty(*x, "S");
        u.order_type = string_or_empty(*x, "o");
        u.quantity = decimal_text(*x, "q");
        u.price = decimal_text(*x, "p");
        u.average_price = decimal_text(*x, "ap");
        u.execution_type = string_or_empty(*x, "x");
        u.status = string_or_empty(*x, "X");
        u.fee_asset = string_or_empty(*x, "N");
        u.fee = decimal_text(*x, "n");
        u.trade_time = int_or_zero(*x, "T");
        u.working_type = string_or_empty(*x, "wt");
        u.position_side = string_or_empty(*x, "ps");
        u.realized_profit = decimal_text(*x, "rp");
    }
    return u;
}

account_config_update decode_account_config_update(const boost::json::object& o) {
    account_config_update u;
    u.event_time = int_or_zero(o, protocol::field::event_time);
    if (const auto* x = member_object(o, "ac")) {
        u.symbol = string_or_empty(*x, "s");
        u.long_leverage = decimal_text(*x, "l");
        u.short_leverage = decimal_text(*x, "S");
        u.margin_type = string_or_empty(*x, "mt");
    }
    return u;
}

execution_report decode_execution_report(const boost::json::object& x) {
    execution_report r;
    r.event_time = int_or_zero(x, protocol::field::event_time);
    r.symbol = string_or_empty(x, "s");
    r.side = string_or_empty(x, "S");
    r.order_type = string_or_empty(x, "o");
    r.quantity = decimal_text(x, "q");
    r.price = decimal_text(x, "p");
    r.execution_type = string_or_empty(x, "x");
    r.status = string_or_empty(x, "X");
    r.order_id = int_or_zero(x, "i");
    r.last_quantity = decimal_text(x, "l");
    r.cumulative_quantity = decimal_text(x, "z");
    r.last_price = decimal_text(x, "L");
    r.fee = decimal_text(x, "n");
    r.fee_asset = string_or_empty(x, "N");
    r.trade_time = int_or_zero(x, "T");
    r.client_order_id = decimal_text(x, "c");
    return r;
}

} // namespace

result<frame> parse_frame(std::string_view text) {
    if (text == protocol::swap_ping) {
        return ping{false, {}, {}};
    }
    auto parsed = detail::parse_json(text, 0);
    if (!parsed) {
        return parsed.error();
    }
    const auto* o = parsed->if_object();
    if (o == nullptr) {
        return stream_event{{}, {}, std::move(*parsed)};
    }
    if (o->contains(protocol::field::ping)) {
        return ping{true, decimal_text(*o, protocol::field::ping),
                    decimal_text(*o, protocol::field::time)};
    }
    stream_event ev;
    if (const auto e = detail::string_member(*o, protocol::field::event_type)) {
        ev.type = std::string(*e);
        if (ev.type == protocol::event_account_update) {
            ev.data = decode_account_update(*o);
        } else if (ev.type == protocol::event_order_trade_update) {
            ev.data = decode_order_trade_update(*o);
        } else if (ev.type == protocol::event_account_config_update) {
            ev.data = decode_account_config_update(*o);
        } else if (ev.type == protocol::event_listen_key_expired) {
            ev.data = listen_key_expired{int_or_zero(*o, protocol::field::event_time),
                                         string_or_empty(*o, protocol::field::listen_key)};
        }
    } else if (const auto* data = member_object(*o, protocol::field::data)) {
        // spot: {"code":0,"dataType":"spot.executionReport","data":{"e":"executionReport",...}}
        // (spot ACCOUNT_UPDATE comes bare, like swap, and is decoded above; a wrapped one is
        // decoded too)
        ev.type = string_or_empty(*data, protocol::field::event_type);
        if (ev.type.empty()) {
            ev.type = string_or_empty(*o, protocol::field::data_type);
        }
        if (ev.type == protocol::event_execution_report) {
            ev.data = decode_execution_report(*data);
        } else if (ev.type == protocol::event_account_update) {
            ev.data = decode_account_update(*data);
        } else if (ev.type == protocol::event_listen_key_expired) {
            ev.data = listen_key_expired{int_or_zero(*data, protocol::field::event_time),
                                         string_or_empty(*data, protocol::field::listen_key)};
        }
    } else if (o->contains(protocol::field::id) && o->contains(protocol::field::code)) {
        return ack{decimal_text(*o, protocol::field::id), int_or_zero(*o, protocol::field::code),
                   string_or_empty(*o, protocol::field::msg)};
    }
    ev.raw = std::move(*parsed);
    return ev;
}

std::string pong_for(const ping& p) {
    if (!p.spot) {
        return std::string(protocol::swap_pong);
    }
    boost::json::object o;
    o[protocol::field::pong] = p.id;
    o[protocol::field::time] = p.time;
    return boost::json::serialize(o);
}

result<void> check_data_type(std::string_view data_type) {
    if (data_type.empty() || !is_utf8(data_type)) {
        return error(errc::invalid_argument, "a dataType must be non-empty UTF-8 text");
    }
    return {};
}

std::string subscribe_command(std::string_view id, std::string_view data_type) {
    boost::json::object o;
    o[protocol::field::id] = id;
    o[protocol::field::req_type] = protocol::req_sub;
    o[protocol::field::data_type] = data_type;
    return boost::json::serialize(o);
}

} // namespace exsdk::bingx::stream_protocol

// Typed events of the BingX account streams (spec 2.4). Every event keeps its raw JSON; event
// types the SDK does not know are passed on with only the raw JSON, never dropped. Decimal
// fields are kept as the exchange's text.
#pragma once

#include <boost/json/value.hpp>

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace exsdk::bingx {

enum class market { spot, swap };

struct balance_change {
    std::string asset;          ///< a
    std::string wallet_balance; ///< wb
    std::string cross_wallet;   ///< cw
    std::string balance_change; ///< bc
};
struct position_change {
    std::string symbol;          ///< s
    std::string position_amount; ///< pa
    std::string entry_price;     ///< ep
    std::string unrealized_pnl;  ///< up
    std::string margin_type;     ///< mt
    std::string position_side;   ///< ps
};
/// "ACCOUNT_UPDATE": swap and spot alike (bare on both; a wrapped spot one is read too)
struct account_update {
    std::int64_t event_time = 0;       ///< E
    std::int64_t transaction_time = 0; ///< T
    std::string reason;                ///< a.m
    std::vector<balance_change> balances;
    std::vector<position_change> positions;
};

/// "ORDER_TRADE_UPDATE"
struct order_trade_update {
    std::int64_t event_time = 0; ///< E
    std::string symbol;          ///< o.s
    std::string client_order_id; ///< o.c
    std::int64_t order_id = 0;   ///< o.i
    std::string side;            ///< o.S
    std::string order_type;      ///< o.o
    std::string quantity;        ///< o.q
    std::string price;           ///< o.p
    std::string average_price;   ///< o.ap
    std::string execution_type;  ///< o.x
    std::string status;          ///< o.X
    std::string fee_asset;       ///< o.N
    std::string fee;             ///< o.n
    std::int64_t trade_time = 0; ///< o.T
    std::string working_type;    ///< o.wt
    std::string position_side;   ///< o.ps
    std::string realized_profit; ///< o.rp
};

/// "ACCOUNT_CONFIG_UPDATE"
struct account_config_update {
    std::int64_t event_time = 0; ///< E
    std::string symbol;          ///< ac.s
    std::string long_leverage;   ///< ac.l
    std::string short_leverage;  ///< ac.S
    std::string margin_type;     ///< ac.mt
};

/// spot "executionReport" (inside {"dataType":"spot.executionReport","data":{...}})
struct execution_report {
    std::int64_t event_time = 0;     ///< E
    std::string symbol;              ///< s
    std::string side;                ///< S
    std::string order_type;          ///< o
    std::string quantity;            ///< q
    std::string price;               ///< p
    std::string execution_type;      ///< x
    std::string status;              ///< X
    std::int64_t order_id = 0;       ///< i
    std::string last_quantity;       ///< l
    std::string cumulative_quantity; ///< z
    std::string last_price;          ///< L
    std::string fee;                 ///< n
    std::string fee_asset;           ///< N
    std::int64_t trade_time = 0;     ///< T
    std::string client_order_id;     ///< c
};

/// "listenKeyExpired": nothing more flows on this socket.
struct listen_key_expired {
    std::int64_t event_time = 0; ///< E
    std::string listen_key;
};

struct stream_event {
    std::string type; ///< "ACCOUNT_UPDATE", "executionReport", "listenKeyExpired", ...
    std::variant<std::monostate, account_update, order_trade_update, account_config_update,
                 execution_report, listen_key_expired>
        data;
    boost::json::value raw; ///< the whole (decompressed) frame
};

} // namespace exsdk::bingx

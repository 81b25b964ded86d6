// Typed events of the WOO X private stream (spec 1.4). Every event keeps its raw JSON; topics
// the SDK does not know are passed on with only the raw JSON, never dropped. Decimal fields are
// kept as the exchange's text (no binary floating point).
#pragma once

#include <boost/json/value.hpp>

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace exsdk::woox {

/// topic "executionreport" (short keys of the official example).
struct execution_report {
    std::string msg_type;                ///< mt
    std::string symbol;                  ///< s
    std::string client_order_id;         ///< cid
    std::int64_t order_id = 0;           ///< oid
    std::string type;                    ///< t
    std::string side;                    ///< sd
    std::string position_side;           ///< ps
    std::string quantity;                ///< sx
    std::string price;                   ///< px
    std::int64_t trade_id = 0;           ///< tid
    std::string executed_quantity;       ///< esx
    std::string executed_price;          ///< epx
    std::string fee;                     ///< f
    std::string fee_asset;               ///< fa
    std::string total_executed_quantity; ///< tesx
    std::string average_executed_price;  ///< aepx
    std::string status;                  ///< ss
    std::string reason;                  ///< rs
    std::int64_t timestamp = 0;          ///< ts
    bool reduce_only = false;            ///< ro
    bool maker = false;                  ///< mk
    std::string leverage;                ///< lv
    std::string margin_mode;             ///< m
};

struct balance {
    std::string token;   ///< t
    std::string holding; ///< h
    std::string frozen;  ///< f
    std::int64_t timestamp = 0;
};
/// topic "balance"
struct balance_update {
    std::vector<balance> balances;
};

struct position {
    std::string symbol;             ///< s
    std::string holding;            ///< h
    std::string position_side;      ///< ps
    std::string average_open_price; ///< aop
    std::string mark_price;         ///< mp
    std::string pnl;                ///< pnl
    std::string leverage;           ///< lv
    std::int64_t timestamp = 0;     ///< ts
};
/// topic "position"
struct position_update {
    std::vector<position> positions;
};

/// topic "account": the data object as sent (its fields are not documented in the spec).
struct account_update {
    boost::json::object data;
};

struct stream_event {
    std::string topic;   ///< as sent: "executionreport", "balance", ...
    std::int64_t ts = 0; ///< the push's "ts"
    /// The decoded data; std::monostate for topics the SDK does not know.
    std::variant<std::monostate, execution_report, balance_update, position_update, account_update>
        data;
    boost::json::value raw; ///< the whole frame
};

} // namespace exsdk::woox

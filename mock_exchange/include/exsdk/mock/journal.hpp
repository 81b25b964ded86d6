// exsdk::mock::journal_entry: one request the mock exchange received, or one stream event
// (connect, (un)subscribe, close) (GET /__admin/journal, server::journal()). Admin requests and
// pushes are not journaled. Never contains secrets.
#pragma once

#include <cstdint>
#include <string>

namespace exsdk::mock {

struct journal_entry {
    std::int64_t time_ms = 0; ///< the mock's clock (epoch ms) when the answer was decided
    std::string exchange;     ///< "woox", "bingx", or "" for a path under neither prefix
    /// "rest", or for the websocket streams "stream_connect", "stream_subscribe",
    /// "stream_unsubscribe", "stream_close" (docs/mock-exchange.md, "Streams": for those,
    /// `method` is the command or who closed, `target` the topics, `code` the close code).
    std::string kind;
    std::string method;    ///< as received ("POST")
    std::string target;    ///< path and query exactly as received
    std::string api_key;   ///< the API key header as received ("" when absent)
    std::string peer;      ///< the client's IP address
    int http_status = 0;   ///< status answered; 0 when the connection was dropped
    std::int64_t code = 0; ///< exchange code answered; 0 for success and for empty bodies
    std::string fault;     ///< "respond", "delay" or "drop" when a fault applied, else ""
};

} // namespace exsdk::mock

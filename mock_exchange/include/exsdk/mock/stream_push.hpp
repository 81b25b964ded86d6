// exsdk::mock::stream_push: one account event pushed to the websocket account streams
// (server::push_event(), POST /__admin/events). The mock wraps `data` in each exchange's frame:
// WOO X {"topic":T,"ts":NOW,"data":DATA} to sockets subscribed to T; BingX swap sockets get DATA
// with "e":T,"E":NOW added (T not starting with "spot."), spot sockets subscribed to T get
// {"code":0,"dataType":T,"data":DATA'}. See docs/mock-exchange.md, "Streams".
#pragma once

#include <cstdint>
#include <string>

namespace exsdk::mock {

struct stream_push {
    std::string exchange;        ///< "woox" or "bingx"
    std::string api_key;         ///< selects the account owning this API key, or ...
    std::int64_t account_id = 0; ///< ... the account itself (WOO X userId / BingX uid)
    std::string topic;           ///< WOO X topic / BingX event type or spot dataType
    std::string data;            ///< a JSON object, as text ("" means {}); sent verbatim

    friend bool operator==(const stream_push&, const stream_push&) = default;
};

} // namespace exsdk::mock

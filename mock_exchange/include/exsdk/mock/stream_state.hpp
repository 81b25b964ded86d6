// exsdk::mock::stream_state: an open websocket account stream as the mock exchange sees it
// (server::streams(), GET /__admin/streams).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace exsdk::mock {

struct stream_state {
    std::uint64_t id = 0;            ///< in connection order
    std::string exchange;            ///< "woox" or "bingx"
    std::string path;                ///< "/v3/private", "/market" or "/swap-market"
    std::string listen_key;          ///< the key it was opened with
    std::string api_key;             ///< the API key that created that listen key
    std::int64_t account_id = 0;     ///< WOO X userId / BingX uid
    std::string peer;                ///< the client's IP address
    std::vector<std::string> topics; ///< subscribed (WOO X, BingX spot); swap: always empty
    std::int64_t connected_ms = 0;   ///< the mock's clock when the upgrade was accepted
    std::int64_t last_frame_ms = 0;  ///< ... when the client last sent a frame (0: never)
    std::int64_t last_pong_ms = 0;   ///< BingX: ... when it last sent a valid pong (0: never)

    friend bool operator==(const stream_state&, const stream_state&) = default;
};

} // namespace exsdk::mock

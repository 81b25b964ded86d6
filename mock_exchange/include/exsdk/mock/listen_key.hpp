// exsdk::mock::listen_key_state: a live listen key as the mock exchange sees it
// (server::listen_keys(), GET /__admin/listen_keys), so tests can check rotation and expiry.
#pragma once

#include <cstdint>
#include <string>

namespace exsdk::mock {

struct listen_key_state {
    std::string exchange;        ///< "woox" or "bingx"
    std::string key;             ///< WOO X authKey / BingX listenKey
    std::string api_key;         ///< the API key that created it
    std::int64_t account_id = 0; ///< WOO X userId / BingX uid
    std::int64_t created_ms = 0; ///< epoch ms on the mock's clock
    std::int64_t expires_ms = 0; ///< valid while the mock's clock is before this

    friend bool operator==(const listen_key_state&, const listen_key_state&) = default;
};

} // namespace exsdk::mock

// Typed results of the WOO X account endpoints.
#pragma once

#include <exsdk/clock.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace exsdk::woox {

/// POST /v3/account/listenKey: a key for the private stream, valid 24 h. Creating another key
/// for the same API key expires this one at once.
struct listen_key {
    std::string auth_key;
    std::int64_t expired_time_ms = 0; ///< epoch ms, as the exchange sent it
    clock::wall_time expired_time() const { return from_epoch_ms(expired_time_ms); }
};

/// One row of GET /v3/account/credentials.
struct api_key_permission {
    std::string account_name;
    std::int64_t user_id = 0;
    std::string api_key;
    std::vector<std::string> permissions; ///< subset of READ, TRADE, WITHDRAWAL
    /// The whitelist; std::nullopt when the key has no IP restriction (the field is omitted).
    std::optional<std::vector<std::string>> allowed_ips;
};

struct page_meta {
    std::int64_t total = 0;
    std::int64_t records_per_page = 0;
    std::int64_t current_page = 0;
};

struct api_key_page {
    std::vector<api_key_permission> rows;
    page_meta meta;
};

} // namespace exsdk::woox

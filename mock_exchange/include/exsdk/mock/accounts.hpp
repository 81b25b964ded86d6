// exsdk::mock::accounts: the WOO X and BingX accounts (and their API keys) the mock exchange
// knows. Loaded from JSON (`--accounts FILE`, POST /__admin/accounts) or the built-in demo set.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace exsdk::mock {

/// One API key. `permissions` are the exchange's names ("READ", "TRADE", "WITHDRAWAL"; the
/// mock checks only READ, case-insensitively). An empty `allowed_ips` means no IP restriction.
struct api_key_entry {
    std::string api_key;
    std::string secret;
    std::vector<std::string> permissions;
    std::vector<std::string> allowed_ips;

    friend bool operator==(const api_key_entry&, const api_key_entry&) = default;
};

struct woox_account {
    std::int64_t user_id = 0;
    std::string account_name;
    std::vector<api_key_entry> api_keys;

    friend bool operator==(const woox_account&, const woox_account&) = default;
};

struct bingx_account {
    std::int64_t uid = 0;
    std::vector<api_key_entry> api_keys;

    friend bool operator==(const bingx_account&, const bingx_account&) = default;
};

struct accounts {
    std::vector<woox_account> woox;
    std::vector<bingx_account> bingx;

    /// The built-in demo accounts (public demo values, see docs/mock-exchange.md):
    /// WOO X userId 12523 "Main" with a READ,TRADE key (the spec's signing test-vector key) and
    /// a TRADE-only key restricted to 127.0.0.1; BingX uids 1001 and 1002 with READ keys.
    static accounts demo();

    /// Parses the documented JSON shape:
    /// {"woox":[{"userId":1,"accountName":"Main","apiKeys":[{"apiKey":"..","secret":"..",
    ///   "permissions":["READ"],"allowedIPs":["127.0.0.1"]}]}],
    ///  "bingx":[{"uid":1001,"apiKeys":[...]}]}
    /// Throws std::invalid_argument naming the offending field ("woox[0].apiKeys[1].secret: ...").
    static accounts from_json(std::string_view json);

    /// The same shape. Secrets are written only when `include_secrets` is true.
    std::string to_json(bool include_secrets) const;

    /// Checks the rules from_json() enforces on a value built in C++ (non-empty unique API
    /// keys, non-empty secrets, unique account ids, IP addresses that parse, WOO X permissions
    /// among READ/TRADE/WITHDRAWAL). Throws std::invalid_argument.
    void validate() const;

    friend bool operator==(const accounts&, const accounts&) = default;
};

} // namespace exsdk::mock

// WOO X request signing (spec 1.1): x-api-signature = lowercase hex HMAC-SHA256(secret,
// timestamp + METHOD + path_with_query + body), with x-api-key and x-api-timestamp.
#pragma once

#include <exsdk/credentials.hpp>
#include <exsdk/hmac_sha256.hpp>
#include <exsdk/http_message.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace exsdk::woox {

class signer {
public:
    /// Keys the HMAC once. Throws exsdk::exception (invalid_argument) for an API key that cannot
    /// be sent as a header (control characters).
    explicit signer(const credentials& c);

    bool has_credentials() const noexcept { return !api_key_.empty() && has_secret_; }
    const std::string& api_key() const noexcept { return api_key_; }

    /// Lowercase hex signature of timestamp + method + target + body.
    std::string signature(std::int64_t timestamp_ms, std::string_view method,
                          std::string_view target, std::string_view body) const;

    /// Signs `req` as it stands (method, target, body) and adds the three auth headers.
    void sign(http_request& req, std::int64_t timestamp_ms) const;

private:
    std::string api_key_;
    bool has_secret_;
    hmac_sha256 mac_;
};

} // namespace exsdk::woox

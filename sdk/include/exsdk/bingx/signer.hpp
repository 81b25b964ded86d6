// BingX request signing (spec 2.1): &signature=<lowercase hex HMAC-SHA256(secret, query)> last
// in the query string for every method, where the query (parameters, timestamp, recvWindow in
// ASCII key order) was built by bingx::requests; the API key goes in X-BX-APIKEY.
#pragma once

#include <exsdk/credentials.hpp>
#include <exsdk/hmac_sha256.hpp>
#include <exsdk/http_message.hpp>

#include <string>
#include <string_view>

namespace exsdk::bingx {

class signer {
public:
    /// Keys the HMAC once. Throws exsdk::exception (invalid_argument) for an API key that cannot
    /// be sent as a header (control characters).
    explicit signer(const credentials& c);

    bool has_credentials() const noexcept { return !api_key_.empty() && has_secret_; }
    const std::string& api_key() const noexcept { return api_key_; }

    /// Lowercase hex signature of `query`.
    std::string signature(std::string_view query) const;

    /// Signs a request built by bingx::requests: appends "&signature=<hex HMAC of the query>"
    /// to `req.target` (the query is everything after its '?') and adds X-BX-APIKEY.
    void sign(http_request& req) const;

private:
    std::string api_key_;
    bool has_secret_;
    hmac_sha256 mac_;
};

} // namespace exsdk::bingx

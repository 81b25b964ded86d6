// BingX request signing (spec 2.1): the parameters plus timestamp (and recvWindow) joined as
// k=v&k=v in ASCII key order, values not URL-encoded, then &signature=<lowercase hex
// HMAC-SHA256(secret, that string)> last, in the query string for every method; the API key
// goes in X-BX-APIKEY.
#pragma once

#include <exsdk/credentials.hpp>
#include <exsdk/detail/http_message.hpp>
#include <exsdk/hmac_sha256.hpp>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>

namespace exsdk::bingx {

using param = std::pair<std::string_view, std::string_view>;

class signer {
public:
    /// Keys the HMAC once. Throws exsdk::exception (invalid_argument) for an API key that cannot
    /// be sent as a header (control characters).
    explicit signer(const credentials& c);

    bool has_credentials() const noexcept { return !api_key_.empty() && has_secret_; }
    const std::string& api_key() const noexcept { return api_key_; }

    /// Lowercase hex signature of `query`.
    std::string signature(std::string_view query) const;

    /// "a=1&b=2&timestamp=..." sorted by key, then "&signature=...".
    std::string signed_query(std::span<const param> params, std::int64_t timestamp_ms,
                             std::optional<std::int64_t> recv_window_ms = std::nullopt) const;

    /// Sets `req.target` to `path` + "?" + signed_query(...) and adds X-BX-APIKEY.
    void sign(detail::http_request& req, std::string_view path, std::span<const param> params,
              std::int64_t timestamp_ms,
              std::optional<std::int64_t> recv_window_ms = std::nullopt) const;

private:
    // Appends the signed query to `out`, signing it in place (no intermediate string).
    void append_signed_query(std::string& out, std::span<const param> params,
                             std::int64_t timestamp_ms,
                             std::optional<std::int64_t> recv_window_ms) const;

    std::string api_key_;
    bool has_secret_;
    hmac_sha256 mac_;
};

} // namespace exsdk::bingx

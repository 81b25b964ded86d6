#include <exsdk/error.hpp>
#include <exsdk/woox/protocol.hpp>
#include <exsdk/woox/signer.hpp>

#include <array>
#include <charconv>

namespace exsdk::woox {

signer::signer(const credentials& c)
    : api_key_(c.api_key), has_secret_(!c.secret.empty()), mac_(c.secret.reveal()) {
    if (!is_header_safe(api_key_)) {
        throw exception(error(errc::invalid_argument, "WOO X API key contains control characters"));
    }
}

std::string signer::signature(std::int64_t timestamp_ms, std::string_view method,
                              std::string_view target, std::string_view body) const {
    std::array<char, 24> ts{};
    auto end = std::to_chars(ts.data(), ts.data() + ts.size(), timestamp_ms).ptr;
    return mac_.sign_hex({std::string_view(ts.data(), static_cast<std::size_t>(end - ts.data())),
                          method, target, body});
}

void signer::sign(http_request& req, std::int64_t timestamp_ms) const {
    std::array<char, 24> ts{};
    auto end = std::to_chars(ts.data(), ts.data() + ts.size(), timestamp_ms).ptr;
    const std::string_view ts_text(ts.data(), static_cast<std::size_t>(end - ts.data()));
    std::array<char, hmac_sha256::hex_size> sig{};
    mac_.sign_hex({ts_text, to_string(req.method), req.target, req.body}, sig);
    req.add_header(protocol::api_key_header, api_key_);
    req.add_header(protocol::timestamp_header, ts_text);
    req.add_header(protocol::signature_header, std::string_view(sig.data(), sig.size()));
}

} // namespace exsdk::woox

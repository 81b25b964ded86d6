#include <exsdk/bingx/protocol.hpp>
#include <exsdk/bingx/signer.hpp>
#include <exsdk/error.hpp>

namespace exsdk::bingx {

signer::signer(const credentials& c)
    : api_key_(c.api_key), has_secret_(!c.secret.empty()), mac_(c.secret.reveal()) {
    if (!is_header_safe(api_key_)) {
        throw exception(error(errc::invalid_argument, "BingX API key contains control characters"));
    }
}

std::string signer::signature(std::string_view query) const {
    return mac_.sign_hex({query});
}

void signer::sign(http_request& req) const {
    auto q = req.target.find('?');
    if (q == std::string::npos) {
        q = req.target.size();
        req.target.push_back('?');
    }
    const std::size_t query_at = q + 1;
    const std::size_t query_len = req.target.size() - query_at;
    if (query_len != 0) {
        req.target.push_back('&');
    }
    req.target.append(protocol::signature_param).push_back('=');
    const std::size_t sig_at = req.target.size();
    req.target.resize(sig_at + hmac_sha256::hex_size);
    mac_.sign_hex(
        {std::string_view(req.target.data() + query_at, query_len)},
        std::span<char, hmac_sha256::hex_size>(req.target.data() + sig_at, hmac_sha256::hex_size));
    req.add_header(protocol::api_key_header, api_key_);
}

} // namespace exsdk::bingx

#include <exsdk/bingx/protocol.hpp>
#include <exsdk/bingx/signer.hpp>
#include <exsdk/error.hpp>

#include <algorithm>
#include <array>
#include <charconv>

namespace exsdk::bingx {

signer::signer(const credentials& c)
    : api_key_(c.api_key), has_secret_(!c.secret.empty()), mac_(c.secret.reveal()) {
    if (!detail::is_header_safe(api_key_)) {
        throw exception(error(errc::invalid_argument, "BingX API key contains control characters"));
    }
}

std::string signer::signature(std::string_view query) const {
    return mac_.sign_hex({query});
}

std::string signer::signed_query(std::span<const param> params, std::int64_t timestamp_ms,
                                 std::optional<std::int64_t> recv_window_ms) const {
    std::array<char, 24> ts{}, rw{};
    const auto ts_end = std::to_chars(ts.data(), ts.data() + ts.size(), timestamp_ms).ptr;
    const std::string_view ts_text(ts.data(), static_cast<std::size_t>(ts_end - ts.data()));
    std::string_view rw_text;
    if (recv_window_ms) {
        const auto rw_end = std::to_chars(rw.data(), rw.data() + rw.size(), *recv_window_ms).ptr;
        rw_text = std::string_view(rw.data(), static_cast<std::size_t>(rw_end - rw.data()));
    }
    // Decision (spec 2.1): keys in ASCII order, signature last.
    std::array<param, 16> all{};
    std::size_t n = 0;
    for (const auto& p : params) {
        all.at(n++) = p;
    }
    all.at(n++) = {protocol::timestamp_param, ts_text};
    if (recv_window_ms) {
        all.at(n++) = {protocol::recv_window_param, rw_text};
    }
    std::sort(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(n),
              [](const param& a, const param& b) { return a.first < b.first; });
    std::string query;
    query.reserve(64 + 96 + hmac_sha256::hex_size);
    for (std::size_t i = 0; i < n; ++i) {
        if (i != 0) {
            query.push_back('&');
        }
        query.append(all[i].first).push_back('=');
        query.append(all[i].second);
    }
    const auto signed_len = query.size();
    query.append("&").append(protocol::signature_param).push_back('=');
    const auto sig_at = query.size();
    query.resize(sig_at + hmac_sha256::hex_size);
    mac_.sign_hex(
        {std::string_view(query.data(), signed_len)},
        std::span<char, hmac_sha256::hex_size>(query.data() + sig_at, hmac_sha256::hex_size));
    return query;
}

void signer::sign(detail::http_request& req, std::string_view path, std::span<const param> params,
                  std::int64_t timestamp_ms, std::optional<std::int64_t> recv_window_ms) const {
    std::string query = signed_query(params, timestamp_ms, recv_window_ms);
    req.target.clear();
    req.target.reserve(path.size() + 1 + query.size());
    req.target.append(path).append("?").append(query);
    req.add_header(protocol::api_key_header, api_key_);
}

} // namespace exsdk::bingx

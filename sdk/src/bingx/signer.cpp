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

namespace {

// Appends "k=v&...&timestamp=..[&recvWindow=..]" in ASCII key order (spec 2.1) to `out`.
void append_sorted_query(std::string& out, std::span<const param> params, std::string_view ts,
                         std::optional<std::string_view> recv_window) {
    std::array<param, 16> all{};
    std::size_t n = 0;
    for (const auto& p : params) {
        all.at(n++) = p;
    }
    all.at(n++) = {protocol::timestamp_param, ts};
    if (recv_window) {
        all.at(n++) = {protocol::recv_window_param, *recv_window};
    }
    std::sort(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(n),
              [](const param& a, const param& b) { return a.first < b.first; });
    for (std::size_t i = 0; i < n; ++i) {
        if (i != 0) {
            out.push_back('&');
        }
        out.append(all[i].first).push_back('=');
        out.append(all[i].second);
    }
}

} // namespace

void signer::append_signed_query(std::string& out, std::span<const param> params,
                                 std::int64_t timestamp_ms,
                                 std::optional<std::int64_t> recv_window_ms) const {
    std::array<char, 24> ts{}, rw{};
    const auto ts_end = std::to_chars(ts.data(), ts.data() + ts.size(), timestamp_ms).ptr;
    std::optional<std::string_view> rw_text;
    if (recv_window_ms) {
        const auto rw_end = std::to_chars(rw.data(), rw.data() + rw.size(), *recv_window_ms).ptr;
        rw_text = std::string_view(rw.data(), static_cast<std::size_t>(rw_end - rw.data()));
    }
    const std::size_t query_at = out.size();
    append_sorted_query(out, params,
                        std::string_view(ts.data(), static_cast<std::size_t>(ts_end - ts.data())),
                        rw_text);
    const std::size_t query_len = out.size() - query_at;
    out.append("&").append(protocol::signature_param).push_back('=');
    const std::size_t sig_at = out.size();
    out.resize(sig_at + hmac_sha256::hex_size);
    mac_.sign_hex(
        {std::string_view(out.data() + query_at, query_len)},
        std::span<char, hmac_sha256::hex_size>(out.data() + sig_at, hmac_sha256::hex_size));
}

std::string signer::signed_query(std::span<const param> params, std::int64_t timestamp_ms,
                                 std::optional<std::int64_t> recv_window_ms) const {
    std::string query;
    query.reserve(160);
    append_signed_query(query, params, timestamp_ms, recv_window_ms);
    return query;
}

void signer::sign(detail::http_request& req, std::string_view path, std::span<const param> params,
                  std::int64_t timestamp_ms, std::optional<std::int64_t> recv_window_ms) const {
    req.target.clear();
    req.target.reserve(path.size() + 192);
    req.target.append(path).push_back('?');
    append_signed_query(req.target, params, timestamp_ms, recv_window_ms);
    req.add_header(protocol::api_key_header, api_key_);
}

} // namespace exsdk::bingx

// URL and query parsing on both sides: the SDK's base and websocket endpoint URLs, and the
// mock's query splitting and percent-decoding (what every BingX parameter and stream key goes
// through), with the input as a URL, as a request target, and as key/value pairs.
//
// Properties: nothing throws; a URL the SDK accepts names a host and a port, has a Host header
// that can be sent, and parses again to the same thing from its own parts; split_query() hands
// out views into the target only; a query encoded from any key/value pairs splits and decodes
// back to exactly those pairs; parse_non_negative() agrees with std::from_chars.
#include "http/base_url.hpp"
#include "query.hpp"
#include "support.hpp"

#include <exsdk/http_message.hpp>

#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

#include <charconv>
#include <fuzzer/FuzzedDataProvider.h>
#include <string>
#include <utility>
#include <vector>

namespace {

using exsdk::fuzz::check;
namespace d = exsdk::mock::detail;

void sdk_urls(std::string_view text) {
    const auto base = exsdk::detail::parse_base_url(text);
    const auto ep = exsdk::detail::parse_endpoint_url(text);
    if (base) {
        check(ep.has_value(), "a base URL that is not an endpoint URL", text);
    }
    if (!ep) {
        return;
    }
    const auto& b = ep->base;
    check(!b.host.empty() && b.port != 0 && !b.host_header.empty(),
          "an accepted URL without a "
          "host or port",
          text);
    check(exsdk::is_header_safe(b.host_header), "a Host header that cannot be sent", text);
    check(!ep->path.empty() && ep->path[0] == '/', "a path that does not start with /", text);
    // Rebuilt from its parts, it parses to the same thing.
    const std::string again = std::string(b.tls ? "https://" : "http://") + b.host_header +
                              (ep->path == "/" ? "" : ep->path);
    const auto ep2 = exsdk::detail::parse_endpoint_url(again);
    check(ep2 && ep2->base.tls == b.tls && ep2->base.host == b.host && ep2->base.port == b.port &&
              ep2->base.host_header == b.host_header && ep2->path == ep->path,
          "a URL rebuilt from its parts parses differently", std::string(text) + " vs " + again);
}

void mock_query(std::string_view target) {
    std::vector<d::query_param> params;
    if (!d::split_query(target, params)) {
        return;
    }
    const auto inside = [&](std::string_view v) {
        return v.empty() ||
               (v.data() >= target.data() && v.data() + v.size() <= target.data() + target.size());
    };
    std::string decoded;
    for (const auto& p : params) {
        check(inside(p.key) && inside(p.value), "a query view outside the target",
              std::string(target));
        decoded.clear();
        d::append_decoded(p.key, decoded);
        d::append_decoded(p.value, decoded);
        check(decoded.size() <= p.key.size() + p.value.size(), "decoding made the text longer");
        const auto n = d::parse_non_negative(p.value);
        std::int64_t ref = -1;
        if (d::all_digits(p.value) && p.value.size() <= 18) {
            std::from_chars(p.value.data(), p.value.data() + p.value.size(), ref);
        }
        check(n == ref, "parse_non_negative() disagrees with from_chars", p.value);
    }
}

void round_trip(FuzzedDataProvider& in) {
    std::vector<std::pair<std::string, std::string>> pairs;
    std::string target = "/openApi/user/auth/userDataStream?";
    while (in.remaining_bytes() > 0 && pairs.size() < 8) {
        auto k = in.ConsumeRandomLengthString(24);
        auto v = in.ConsumeRandomLengthString(48);
        if (k.empty()) {
            continue; // "=v" and "" are not parameters
        }
        target.append(pairs.empty() ? "" : "&")
            .append(boost::urls::encode(k, boost::urls::unreserved_chars))
            .append("=")
            .append(boost::urls::encode(v, boost::urls::unreserved_chars));
        pairs.emplace_back(std::move(k), std::move(v));
    }
    std::vector<d::query_param> params;
    check(d::split_query(target, params), "an encoded query was refused", target);
    check(params.size() == pairs.size(), "an encoded query split into another count", target);
    for (std::size_t i = 0; i < pairs.size(); ++i) {
        std::string k, v;
        d::append_decoded(params[i].key, k);
        d::append_decoded(params[i].value, v);
        check(k == pairs[i].first && v == pairs[i].second && params[i].has_value,
              "an encoded parameter did not decode back", target);
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    sdk_urls(text);
    mock_query(text);
    mock_query("/v3/account/credentials?" + std::string(text));
    FuzzedDataProvider in(data, size);
    round_trip(in);
    return 0;
}

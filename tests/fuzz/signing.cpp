// What the SDK signs, the mock verifies. The SDK's signers sign at the mock's time with a demo
// account's credentials, and the mock's router checks the request it would receive:
//   WOO X: woox::signer over the SDK's own requests (listenKey, credentials with the input's
//          page and size, systemInfo) and over any method, WOO X path, query and body;
//   BingX: bingx::signer's canonical query (the input's parameters, unreserved characters as
//          the SDK sends them, sorted, with timestamp and an optional recvWindow) on
//          POST/PUT/DELETE userDataStream.
//
// Properties: nothing throws; the mock never answers a signature error (WOO X -1001, BingX
// 100001 / 100412) nor, BingX, a timestamp error to a request the SDK signed; the BingX canonical
// string is the parameters sorted by key, joined with '&'.
#include "support.hpp"

#include <exsdk/bingx/protocol.hpp>
#include <exsdk/bingx/requests.hpp>
#include <exsdk/bingx/signer.hpp>
#include <exsdk/woox/protocol.hpp>
#include <exsdk/woox/requests.hpp>
#include <exsdk/woox/signer.hpp>

#include <algorithm>
#include <fuzzer/FuzzedDataProvider.h>
#include <string>
#include <utility>
#include <vector>

namespace {

using exsdk::fuzz::check;
namespace d = exsdk::mock::detail;
namespace demo = exsdk::fuzz::demo;

/// The mock's answer to the SDK's request, as the connection would hand it to the router.
d::response route(exsdk::fuzz::mock_instance& mock, const exsdk::http_request& r) {
    std::vector<d::header_field> headers;
    for (std::size_t i = 0; i < r.header_count; ++i) {
        headers.push_back({r.headers[i].name, r.headers[i].value});
    }
    if (!r.content_type.empty()) {
        headers.push_back({"Content-Type", r.content_type});
    }
    d::request req;
    req.method = exsdk::to_string(r.method);
    req.set_target(r.target);
    req.body = r.body;
    req.peer = "127.0.0.1";
    req.headers = headers;
    d::response res;
    (void)mock.router->route(req, res);
    return res;
}

std::string describe(const exsdk::http_request& r, const d::response& res) {
    return std::string(exsdk::to_string(r.method)) + " " + r.target + " " + r.body + " -> " +
           std::to_string(res.status) + " " + res.body;
}

void woox(FuzzedDataProvider& in, exsdk::fuzz::mock_instance& mock) {
    const bool trade = in.ConsumeBool();
    const exsdk::woox::signer signer(
        {(trade ? demo::woox_trade() : demo::woox()).api_key,
         exsdk::secret((trade ? demo::woox_trade() : demo::woox()).secret)});
    exsdk::http_request r;
    switch (in.ConsumeIntegralInRange<int>(0, 3)) {
    case 0: r = exsdk::woox::requests::create_listen_key(); break;
    case 1:
        r = exsdk::woox::requests::api_key_permissions(in.ConsumeIntegral<std::int64_t>(),
                                                       in.ConsumeIntegral<std::int64_t>());
        break;
    case 2: r = exsdk::woox::requests::system_info(); break;
    default: {
        constexpr exsdk::http_method methods[] = {exsdk::http_method::get, exsdk::http_method::post,
                                                  exsdk::http_method::put, exsdk::http_method::del};
        r.method = methods[in.ConsumeIntegralInRange<int>(0, 3)];
        constexpr std::string_view paths[] = {exsdk::woox::protocol::listen_key_path,
                                              exsdk::woox::protocol::credentials_path,
                                              "/v3/account/other"};
        r.target = paths[in.ConsumeIntegralInRange<int>(0, 2)];
        auto query = in.ConsumeRandomLengthString(128);
        if (!query.empty()) {
            r.target.append("?").append(query);
        }
        r.body = in.ConsumeRemainingBytesAsString();
        break;
    }
    }
    signer.sign(r, exsdk::fuzz::t0_ms);
    const auto res = route(mock, r);
    check(res.code != static_cast<std::int64_t>(exsdk::woox::protocol::code::invalid_signature),
          "the mock refused the SDK's WOO X signature", describe(r, res));
}

std::string unreserved(FuzzedDataProvider& in, std::size_t max) {
    static constexpr std::string_view chars =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";
    std::string s(in.ConsumeIntegralInRange<std::size_t>(0, max), ' ');
    for (auto& c : s) {
        c = chars[in.ConsumeIntegralInRange<std::size_t>(0, chars.size() - 1)];
    }
    return s;
}

void bingx(FuzzedDataProvider& in, exsdk::fuzz::mock_instance& mock) {
    namespace p = exsdk::bingx::protocol;
    const bool second = in.ConsumeBool();
    const exsdk::bingx::signer signer(
        {(second ? demo::bingx2() : demo::bingx()).api_key,
         exsdk::secret((second ? demo::bingx2() : demo::bingx()).secret)});
    constexpr exsdk::http_method methods[] = {exsdk::http_method::post, exsdk::http_method::put,
                                              exsdk::http_method::del};
    const auto method = methods[in.ConsumeIntegralInRange<int>(0, 2)];
    const std::optional<std::int64_t> recv_window =
        in.ConsumeBool() ? std::optional(in.ConsumeIntegralInRange<std::int64_t>(0, 60000))
                         : std::nullopt;
    // Parameters as the SDK sends them: unique names, unreserved characters (the client
    // refuses anything else in a listen key), never the names the signer adds itself.
    std::vector<std::pair<std::string, std::string>> owned;
    const auto count = in.ConsumeIntegralInRange<std::size_t>(0, 13);
    while (owned.size() < count && in.remaining_bytes() > 0) {
        auto k = in.ConsumeBool() ? std::string(p::listen_key_param) : unreserved(in, 12);
        if (k.empty() || k == p::timestamp_param || k == p::recv_window_param ||
            k == p::signature_param || std::any_of(owned.begin(), owned.end(), [&](const auto& kv) {
                return kv.first == k;
            })) {
            continue;
        }
        auto v = unreserved(in, 64);
        owned.emplace_back(std::move(k), std::move(v));
    }
    std::vector<exsdk::bingx::param> params;
    for (const auto& [k, v] : owned) {
        params.emplace_back(k, v);
    }
    auto r = exsdk::bingx::requests::with_query(method, p::user_data_stream_path, params,
                                                exsdk::fuzz::t0_ms, recv_window);
    signer.sign(r);

    // The canonical string: every parameter, timestamp and recvWindow, sorted by key.
    std::vector<std::pair<std::string, std::string>> all = owned;
    all.emplace_back(p::timestamp_param, std::to_string(exsdk::fuzz::t0_ms));
    if (recv_window) {
        all.emplace_back(p::recv_window_param, std::to_string(*recv_window));
    }
    std::sort(all.begin(), all.end());
    std::string canonical;
    for (const auto& [k, v] : all) {
        canonical.append(canonical.empty() ? "" : "&").append(k).append("=").append(v);
    }
    const std::string expected = std::string(p::user_data_stream_path) + "?" + canonical + "&" +
                                 std::string(p::signature_param) + "=" +
                                 signer.signature(canonical);
    check(r.target == expected, "the BingX canonical query is not the sorted parameters",
          r.target + " vs " + expected);

    const auto res = route(mock, r);
    for (auto bad :
         {p::code::signature_failed, p::code::null_signature, p::code::timestamp_mismatch}) {
        check(res.code != static_cast<std::int64_t>(bad),
              "the mock refused the SDK's BingX signature or timestamp", describe(r, res));
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    FuzzedDataProvider in(data, size);
    exsdk::fuzz::mock_instance mock;
    if (in.ConsumeBool()) {
        woox(in, mock);
    } else {
        bingx(in, mock);
    }
    return 0;
}

// The SDK's answer parsers, sans-io, for every answer type of both exchanges (WOO X listenKey,
// credentials page, systemInfo, error envelopes; BingX generate, extend/delete, server time,
// error envelopes and the unblock-time messages of 100410). Input: a 2-byte HTTP status, then
// the body.
//
// Properties: nothing throws (parsers return error values); to_error() always describes an
// error and keeps the HTTP status; a parser succeeds only on HTTP 200; round trips: a listen-key
// answer built from the input's own values parses back to them, and every 100410 message the
// mock writes gives back the unblock time in it (none when a wall time cannot hold it); the
// credentials answer's SAX reader gives the DOM path's page whenever it gives one.
#include "support.hpp"
#include "woox/api_key_page_reader.hpp"

#include <exsdk/bingx/protocol.hpp>
#include <exsdk/bingx/responses.hpp>
#include <exsdk/woox/responses.hpp>

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include <fuzzer/FuzzedDataProvider.h>
#include <string>

namespace {

using exsdk::fuzz::check;
namespace woox = exsdk::woox::responses;
namespace bingx = exsdk::bingx::responses;

void check_error(const exsdk::error& e, unsigned status, std::string_view what) {
    check(static_cast<bool>(e.code), what, "to_error() gave no error code");
    check(e.http_status == static_cast<int>(status), what, "to_error() lost the HTTP status");
}

template <class R>
void check_parsed(const R& r, unsigned status, std::string_view what) {
    if (r) {
        check(status == 200, what, "a parser accepted an answer that is not HTTP 200");
    } else {
        check(static_cast<bool>(r.error().code), what, "an error without a code");
    }
}

bool same_page(const exsdk::woox::api_key_page& a, const exsdk::woox::api_key_page& b) {
    if (a.rows.size() != b.rows.size() || a.meta.total != b.meta.total ||
        a.meta.records_per_page != b.meta.records_per_page ||
        a.meta.current_page != b.meta.current_page) {
        return false;
    }
    for (std::size_t i = 0; i < a.rows.size(); ++i) {
        const auto& x = a.rows[i];
        const auto& y = b.rows[i];
        if (x.account_name != y.account_name || x.user_id != y.user_id || x.api_key != y.api_key ||
            x.permissions != y.permissions || x.allowed_ips != y.allowed_ips) {
            return false;
        }
    }
    return true;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    FuzzedDataProvider in(data, size);
    exsdk::http_response r;
    r.status = in.ConsumeIntegralInRange<unsigned>(0, 999);
    const bool round_trip = in.ConsumeBool();
    if (round_trip) {
        // Round trips: values from the input, answers written the way the exchanges write them.
        const auto key = in.ConsumeRandomLengthString(80);
        const auto ms = in.ConsumeIntegral<std::int64_t>();
        boost::json::object o{{"success", true},
                              {"data", {{"authKey", key}, {"expiredTime", ms}}},
                              {"timestamp", exsdk::fuzz::t0_ms}};
        const exsdk::http_response w{200, boost::json::serialize(o), {}};
        const auto wk = woox::parse_listen_key(w);
        if (exsdk::fuzz::valid_json(w.body) && !key.empty()) {
            check(wk && wk->auth_key == key && wk->expired_time_ms == ms,
                  "WOO X listenKey answer did not round-trip", w.body);
        }
        boost::json::object b{{"listenKey", key}};
        const exsdk::http_response bw{200, boost::json::serialize(b), {}};
        const auto bk = bingx::parse_listen_key(bw);
        if (exsdk::fuzz::valid_json(bw.body) && !key.empty()) {
            check(bk && *bk == key, "BingX listenKey answer did not round-trip", bw.body);
        }
        namespace m = exsdk::bingx::protocol::message;
        if (ms > 0) {
            for (const auto& msg : {std::string(m::disabled_period_prefix) + std::to_string(ms),
                                    std::string(m::error_block_prefix) + "100001" +
                                        std::string(m::error_block_middle) + std::to_string(ms)}) {
                const auto t = bingx::parse_unblock_time(msg);
                if (ms <= exsdk::max_epoch_ms) {
                    check(t && exsdk::to_epoch_ms(*t) == ms, "unblock time did not round-trip",
                          msg);
                } else {
                    check(!t, "an unblock time a wall time cannot hold was accepted", msg);
                }
            }
        }
        return 0;
    }
    r.body = in.ConsumeRemainingBytesAsString();

    check_error(woox::to_error(r), r.status, "woox::to_error");
    check_parsed(woox::parse_listen_key(r), r.status, "woox::parse_listen_key");
    check_parsed(woox::parse_api_key_page(r), r.status, "woox::parse_api_key_page");
    // The credentials answer's fast path gives the DOM path's page, or leaves the answer to it.
    if (const auto fast = exsdk::detail::read_woox_api_key_page(r.body)) {
        const auto dom = exsdk::detail::parse_woox_api_key_page_dom({200, r.body, {}});
        check(static_cast<bool>(dom), "the credentials reader took an answer the DOM path refuses",
              r.body);
        check(same_page(*fast, *dom), "the credentials reader and the DOM path disagree", r.body);
    }
    check_parsed(woox::parse_system_info(r), r.status, "woox::parse_system_info");

    check_error(bingx::to_error(r), r.status, "bingx::to_error");
    check_parsed(bingx::parse_listen_key(r), r.status, "bingx::parse_listen_key");
    check_parsed(bingx::parse_empty_success(r), r.status, "bingx::parse_empty_success");
    check_parsed(bingx::parse_server_time(r), r.status, "bingx::parse_server_time");
    (void)bingx::parse_unblock_time(r.body);
    return 0;
}

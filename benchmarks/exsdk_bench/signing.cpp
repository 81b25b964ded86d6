// 1. Signing: WOO X and BingX requests signed as the clients sign them, against the floor
// measured side by side (interleaved blocks): raw OpenSSL HMAC-SHA256 with one EVP_MAC context
// keyed once and re-initialised per signature (EVP_MAC_init(ctx, NULL, 0, NULL)) over the same
// bytes. Also the sans-io answer parsers (the other end of the SDK's own work per call).
#include "benchmarks.hpp"

#include <exsdk/bingx/requests.hpp>
#include <exsdk/bingx/responses.hpp>
#include <exsdk/bingx/signer.hpp>
#include <exsdk/hmac_sha256.hpp>
#include <exsdk/woox/requests.hpp>
#include <exsdk/woox/responses.hpp>
#include <exsdk/woox/signer.hpp>

#include <benchmark/benchmark.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>

#include <array>
#include <stdexcept>
#include <string>

namespace bench {

namespace {

constexpr std::int64_t ts = 1'700'000'000'000;
// A BingX listen key as the mock issues them (64 hex).
constexpr std::string_view listen_key =
    "6b1d5c0e9f2a4b7d8c3e1f0a2b4c6d8e9f1a3b5c7d9e0f2a4b6c8d0e1f3a5b7c";

std::string woox_string_to_sign() {
    return std::to_string(ts) + "POST/v3/account/listenKey" + R"({"type":"WEBSOCKET"})";
}
std::string bingx_generate_to_sign() {
    return "timestamp=" + std::to_string(ts);
}
std::string bingx_extend_to_sign() {
    return "listenKey=" + std::string(listen_key) + "&timestamp=" + std::to_string(ts);
}

exsdk::credentials woox_creds() {
    return {std::string(woox_key), exsdk::secret(std::string(woox_secret))};
}
exsdk::credentials bingx_creds() {
    return {std::string(bingx_key), exsdk::secret(std::string(bingx_secret))};
}

// The floor: EVP_MAC keyed once; per signature init (no key: reuse), update, final.
class evp_floor {
public:
    explicit evp_floor(std::string_view key) {
        EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
        ctx_ = EVP_MAC_CTX_new(mac);
        EVP_MAC_free(mac);
        char digest[] = "SHA256";
        OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                               OSSL_PARAM_construct_end()};
        if (ctx_ == nullptr ||
            EVP_MAC_init(ctx_, reinterpret_cast<const unsigned char*>(key.data()), key.size(),
                         params) != 1) {
            throw std::runtime_error("EVP_MAC_init failed");
        }
    }
    evp_floor(const evp_floor&) = delete;
    evp_floor& operator=(const evp_floor&) = delete;
    ~evp_floor() { EVP_MAC_CTX_free(ctx_); }

    std::array<unsigned char, 32> sign(std::string_view msg) {
        std::array<unsigned char, 32> out{};
        std::size_t len = 0;
        EVP_MAC_init(ctx_, nullptr, 0, nullptr);
        EVP_MAC_update(ctx_, reinterpret_cast<const unsigned char*>(msg.data()), msg.size());
        EVP_MAC_final(ctx_, out.data(), &len, out.size());
        return out;
    }

private:
    EVP_MAC_CTX* ctx_ = nullptr;
};

// Side by side: blocks of `block` operations of `a` (exsdk) and of `b` (the floor), alternating
// (the order flips every batch), each block timed; the medians per operation of both and their
// ratio. Interleaving keeps a change in machine load from landing on one side only.
template <class A, class B>
void paired(benchmark::State& state, A a, B b) {
    constexpr std::int64_t block = 256;
    std::vector<double> ta, tb;
    bool a_first = true;
    while (state.KeepRunningBatch(2 * block)) {
        for (int pass = 0; pass < 2; ++pass) {
            const bool run_a = (pass == 0) == a_first;
            const auto t0 = now_ns();
            for (std::int64_t i = 0; i < block; ++i) {
                if (run_a) {
                    a();
                } else {
                    b();
                }
            }
            (run_a ? ta : tb).push_back(static_cast<double>(now_ns() - t0) / block);
        }
        a_first = !a_first;
    }
    const double ma = percentile(ta, 0.5), mb = percentile(tb, 0.5);
    state.counters["exsdk_ns"] = ma;
    state.counters["floor_ns"] = mb;
    state.counters["ratio"] = ma / mb;
}

// WOO X, as the client signs a call (build the request, sign it, add the three headers), against
// the floor over the same string to sign.
void BM_woox_request(benchmark::State& state) {
    exsdk::woox::signer s(woox_creds());
    evp_floor f(woox_secret);
    const std::string msg = woox_string_to_sign();
    paired(
        state,
        [&] {
            auto req = exsdk::woox::requests::create_listen_key();
            s.sign(req, ts);
            benchmark::DoNotOptimize(req);
        },
        [&] { benchmark::DoNotOptimize(f.sign(msg)); });
}

// WOO X: the hex signature only (signer::signature).
void BM_woox_signature(benchmark::State& state) {
    exsdk::woox::signer s(woox_creds());
    evp_floor f(woox_secret);
    const std::string msg = woox_string_to_sign();
    paired(
        state,
        [&] {
            benchmark::DoNotOptimize(
                s.signature(ts, "POST", "/v3/account/listenKey", R"({"type":"WEBSOCKET"})"));
        },
        [&] { benchmark::DoNotOptimize(f.sign(msg)); });
}

// exsdk::hmac_sha256 alone (digest, no hex), same bytes.
void BM_hmac(benchmark::State& state) {
    exsdk::hmac_sha256 mac(woox_secret);
    evp_floor f(woox_secret);
    const std::string msg = woox_string_to_sign();
    paired(
        state, [&] { benchmark::DoNotOptimize(mac.sign({msg})); },
        [&] { benchmark::DoNotOptimize(f.sign(msg)); });
}

void BM_bingx_generate(benchmark::State& state) {
    exsdk::bingx::signer s(bingx_creds());
    evp_floor f(bingx_secret);
    const std::string msg = bingx_generate_to_sign();
    paired(
        state,
        [&] {
            auto req = exsdk::bingx::requests::generate_listen_key(ts);
            s.sign(req);
            benchmark::DoNotOptimize(req);
        },
        [&] { benchmark::DoNotOptimize(f.sign(msg)); });
}

void BM_bingx_extend(benchmark::State& state) {
    exsdk::bingx::signer s(bingx_creds());
    evp_floor f(bingx_secret);
    const std::string msg = bingx_extend_to_sign();
    paired(
        state,
        [&] {
            auto req = exsdk::bingx::requests::extend_listen_key(listen_key, ts);
            s.sign(req);
            benchmark::DoNotOptimize(req);
        },
        [&] { benchmark::DoNotOptimize(f.sign(msg)); });
}

// The answer side of the SDK's own work (sans-io, no I/O): the mock's answers parsed into
// typed results, as the clients do after reading them.
void parse_bench(benchmark::State& state, auto parse, std::string body) {
    exsdk::http_response r{200, std::move(body), "application/json"};
    for (auto _ : state) {
        auto v = parse(r);
        if (!v) {
            state.SkipWithError("parse failed");
            break;
        }
        benchmark::DoNotOptimize(v);
    }
}

void BM_parse_woox_listen_key(benchmark::State& s) {
    parse_bench(
        s, exsdk::woox::responses::parse_listen_key,
        R"({"success":true,"data":{"authKey":"pF3Jku6w89rbV80hsh83ucRUSBVeqQw2","expiredTime":)"
        R"(1795339782094},"timestamp":1795253382094})");
}
void BM_parse_woox_credentials(benchmark::State& s) {
    parse_bench(
        s, exsdk::woox::responses::parse_api_key_page,
        R"({"success":true,"data":{"rows":[{"accountName":"Main","userId":12523,"apiKey":)"
        R"("AbmyVJGUpN064ks5ELjLfA==","permissions":["READ","TRADE"]},{"accountName":"Main",)"
        R"("userId":12523,"apiKey":"WooxTradeOnlyDemoKey0001==","permissions":["TRADE"],)"
        R"("allowedIPs":["127.0.0.1"]}],"meta":{"total":2,"recordsPerPage":25,"currentPage":1}},)"
        R"("timestamp":1795253382081})");
}
void BM_parse_bingx_generate(benchmark::State& s) {
    parse_bench(s, exsdk::bingx::responses::parse_listen_key,
                R"({"listenKey":")" + std::string(listen_key) + R"("})");
}

} // namespace

void register_signing(const options& o) {
    const double t = o.smoke ? 0.01 : 0.5;
    for (auto* b : {
             benchmark::RegisterBenchmark("sign/woox_request", BM_woox_request),
             benchmark::RegisterBenchmark("sign/woox_signature", BM_woox_signature),
             benchmark::RegisterBenchmark("sign/exsdk_hmac", BM_hmac),
             benchmark::RegisterBenchmark("sign/bingx_request/generate", BM_bingx_generate),
             benchmark::RegisterBenchmark("sign/bingx_request/extend", BM_bingx_extend),
             benchmark::RegisterBenchmark("parse/woox_listen_key", BM_parse_woox_listen_key),
             benchmark::RegisterBenchmark("parse/woox_credentials", BM_parse_woox_credentials),
             benchmark::RegisterBenchmark("parse/bingx_generate", BM_parse_bingx_generate),
         }) {
        b->MinTime(t)->Repetitions(o.smoke ? 1 : 3)->ReportAggregatesOnly(!o.smoke);
    }
}

} // namespace bench

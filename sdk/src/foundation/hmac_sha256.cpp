// Two implementations behind one interface:
//  - OpenSSL built with its 3.0-deprecated low-level API (Debian's is): the inner and outer
//    SHA-256 states after absorbing the padded key are kept, and each signature copies them
//    (plain structs) and hashes the message. ~170 ns for a typical request on this class of CPU.
//  - OpenSSL built without it (OPENSSL_NO_DEPRECATED_3_0): an EVP_MAC context keyed once and
//    duplicated per signature, which is what OpenSSL 3 offers without deprecated calls.
#define OPENSSL_SUPPRESS_DEPRECATED 1

#include <exsdk/hex.hpp>
#include <exsdk/hmac_sha256.hpp>

#include <openssl/crypto.h>
#include <openssl/opensslconf.h>

#include <algorithm>
#include <stdexcept>

#if !defined(OPENSSL_NO_DEPRECATED_3_0)
#include <openssl/sha.h>
#define EXSDK_HMAC_PRECOMPUTED_SHA256 1
#else
#include <openssl/core_names.h>
#include <openssl/evp.h>
#endif

namespace exsdk {

#if defined(EXSDK_HMAC_PRECOMPUTED_SHA256)

struct hmac_sha256::state {
    SHA256_CTX inner;
    SHA256_CTX outer;
    ~state() { OPENSSL_cleanse(this, sizeof(*this)); }
};

hmac_sha256::hmac_sha256(std::string_view key) : state_(std::make_unique<state>()) {
    constexpr std::size_t block = SHA256_CBLOCK;
    unsigned char k[block] = {};
    if (key.size() > block) {
        SHA256(reinterpret_cast<const unsigned char*>(key.data()), key.size(), k);
    } else {
        std::copy(key.begin(), key.end(), k);
    }
    unsigned char pad[block];
    for (std::size_t i = 0; i < block; ++i) {
        pad[i] = static_cast<unsigned char>(k[i] ^ 0x36U);
    }
    SHA256_Init(&state_->inner);
    SHA256_Update(&state_->inner, pad, block);
    for (std::size_t i = 0; i < block; ++i) {
        pad[i] = static_cast<unsigned char>(k[i] ^ 0x5cU);
    }
    SHA256_Init(&state_->outer);
    SHA256_Update(&state_->outer, pad, block);
    OPENSSL_cleanse(k, sizeof k);
    OPENSSL_cleanse(pad, sizeof pad);
}

hmac_sha256::digest hmac_sha256::sign(std::initializer_list<std::string_view> parts) const {
    SHA256_CTX ctx = state_->inner;
    for (auto p : parts) {
        SHA256_Update(&ctx, p.data(), p.size());
    }
    digest inner{};
    SHA256_Final(inner.data(), &ctx);
    ctx = state_->outer;
    SHA256_Update(&ctx, inner.data(), inner.size());
    digest out{};
    SHA256_Final(out.data(), &ctx);
    OPENSSL_cleanse(&ctx, sizeof ctx);
    return out;
}

hmac_sha256::hmac_sha256(const hmac_sha256& other)
    : state_(std::make_unique<state>(*other.state_)) {}

#else // EVP_MAC fallback

struct hmac_sha256::state {
    EVP_MAC_CTX* ctx = nullptr;
    ~state() { EVP_MAC_CTX_free(ctx); }
};

hmac_sha256::hmac_sha256(std::string_view key) : state_(std::make_unique<state>()) {
    EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    if (mac == nullptr) {
        throw std::runtime_error("OpenSSL: HMAC unavailable");
    }
    state_->ctx = EVP_MAC_CTX_new(mac);
    EVP_MAC_free(mac);
    char digest_name[] = "SHA256";
    OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest_name, 0),
                           OSSL_PARAM_construct_end()};
    if (state_->ctx == nullptr ||
        EVP_MAC_init(state_->ctx, reinterpret_cast<const unsigned char*>(key.data()), key.size(),
                     params) != 1) {
        throw std::runtime_error("OpenSSL: HMAC-SHA256 init failed");
    }
}

hmac_sha256::digest hmac_sha256::sign(std::initializer_list<std::string_view> parts) const {
    EVP_MAC_CTX* ctx = EVP_MAC_CTX_dup(state_->ctx);
    for (auto p : parts) {
        EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(p.data()), p.size());
    }
    digest out{};
    std::size_t len = 0;
    EVP_MAC_final(ctx, out.data(), &len, out.size());
    EVP_MAC_CTX_free(ctx);
    return out;
}

hmac_sha256::hmac_sha256(const hmac_sha256& other) : state_(std::make_unique<state>()) {
    state_->ctx = EVP_MAC_CTX_dup(other.state_->ctx);
}

#endif

hmac_sha256& hmac_sha256::operator=(const hmac_sha256& other) {
    if (this != &other) {
        hmac_sha256 copy(other);
        *this = std::move(copy);
    }
    return *this;
}

hmac_sha256::hmac_sha256(hmac_sha256&&) noexcept = default;
hmac_sha256& hmac_sha256::operator=(hmac_sha256&&) noexcept = default;
hmac_sha256::~hmac_sha256() = default;

void hmac_sha256::sign_hex(std::initializer_list<std::string_view> parts,
                           std::span<char, hex_size> out) const {
    const digest d = sign(parts);
    to_hex(d, out.data());
}

std::string hmac_sha256::sign_hex(std::initializer_list<std::string_view> parts) const {
    std::string out(hex_size, '\0');
    sign_hex(parts, std::span<char, hex_size>(out.data(), hex_size));
    return out;
}

} // namespace exsdk

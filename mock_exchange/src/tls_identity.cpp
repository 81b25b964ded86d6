#include "tls_identity.hpp"

#include <boost/asio/ip/address.hpp>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>
#include <stdexcept>
#include <string>

namespace exsdk::mock::detail {
namespace {

struct free_pkey {
    void operator()(EVP_PKEY* p) const noexcept { EVP_PKEY_free(p); }
};
struct free_x509 {
    void operator()(X509* p) const noexcept { X509_free(p); }
};
struct free_bio {
    void operator()(BIO* p) const noexcept { BIO_free(p); }
};
using pkey_ptr = std::unique_ptr<EVP_PKEY, free_pkey>;
using x509_ptr = std::unique_ptr<X509, free_x509>;
using bio_ptr = std::unique_ptr<BIO, free_bio>;

[[noreturn]] void openssl_fail(const char* what) {
    char buf[256] = "unknown error";
    if (const unsigned long e = ERR_get_error(); e != 0) {
        ERR_error_string_n(e, buf, sizeof buf);
    }
    ERR_clear_error();
    throw std::runtime_error(std::string("TLS set-up: ") + what + ": " + buf);
}

void check(int ok, const char* what) {
    if (ok != 1) {
        openssl_fail(what);
    }
}

pkey_ptr make_key() {
    pkey_ptr key(EVP_EC_gen("P-256"));
    if (!key) {
        openssl_fail("EC P-256 key generation");
    }
    return key;
}

void add_ext(X509* cert, X509* issuer, int nid, const std::string& value) {
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
    if (ext == nullptr) {
        openssl_fail("certificate extension");
    }
    const int ok = X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
    check(ok, "X509_add_ext");
}

x509_ptr make_cert(EVP_PKEY* subject_key, const char* common_name, X509* issuer, long days) {
    x509_ptr cert(X509_new());
    if (!cert) {
        openssl_fail("X509_new");
    }
    check(X509_set_version(cert.get(), 2), "X509_set_version"); // v3
    unsigned char serial[16];
    check(RAND_bytes(serial, sizeof serial), "RAND_bytes");
    serial[0] &= 0x7fU; // positive
    BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
    if (bn == nullptr || BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get())) == nullptr) {
        BN_free(bn);
        openssl_fail("serial number");
    }
    BN_free(bn);
    // Valid from an hour ago, so clients with a slightly slow clock accept it.
    if (X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600) == nullptr ||
        X509_gmtime_adj(X509_getm_notAfter(cert.get()), 60L * 60 * 24 * days) == nullptr) {
        openssl_fail("validity");
    }
    check(X509_set_pubkey(cert.get(), subject_key), "X509_set_pubkey");
    X509_NAME* name = X509_get_subject_name(cert.get());
    check(X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                                     reinterpret_cast<const unsigned char*>("exsdk mock exchange"),
                                     -1, -1, 0),
          "subject O");
    check(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                     reinterpret_cast<const unsigned char*>(common_name), -1, -1,
                                     0),
          "subject CN");
    X509* signer = issuer != nullptr ? issuer : cert.get();
    check(X509_set_issuer_name(cert.get(), X509_get_subject_name(signer)), "issuer name");
    return cert;
}

std::string pem_of(X509* cert) {
    bio_ptr bio(BIO_new(BIO_s_mem()));
    if (!bio || PEM_write_bio_X509(bio.get(), cert) != 1) {
        openssl_fail("PEM_write_bio_X509");
    }
    char* data = nullptr;
    const long n = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(n));
}

std::string pem_of(EVP_PKEY* key) {
    bio_ptr bio(BIO_new(BIO_s_mem()));
    if (!bio ||
        PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
        openssl_fail("PEM_write_bio_PrivateKey");
    }
    char* data = nullptr;
    const long n = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(n));
}

} // namespace

tls_identity make_tls_identity(std::string_view host) {
    // The CA: self-signed, may sign certificates only.
    auto ca_key = make_key();
    auto ca = make_cert(ca_key.get(), "exsdk mock exchange CA", nullptr, 3650);
    add_ext(ca.get(), ca.get(), NID_basic_constraints, "critical,CA:TRUE,pathlen:0");
    add_ext(ca.get(), ca.get(), NID_key_usage, "critical,keyCertSign,cRLSign");
    add_ext(ca.get(), ca.get(), NID_subject_key_identifier, "hash");
    check(X509_sign(ca.get(), ca_key.get(), EVP_sha256()) > 0 ? 1 : 0, "signing the CA");

    // The server certificate, signed by the CA.
    std::string san = "IP:127.0.0.1,DNS:localhost";
    boost::system::error_code ec;
    const auto addr = boost::asio::ip::make_address(std::string(host), ec);
    if (!ec && !addr.is_unspecified() && addr.to_string() != "127.0.0.1") {
        san += ",IP:" + addr.to_string();
    }
    auto key = make_key();
    auto cert = make_cert(key.get(), "localhost", ca.get(), 825);
    add_ext(cert.get(), ca.get(), NID_basic_constraints, "critical,CA:FALSE");
    add_ext(cert.get(), ca.get(), NID_key_usage, "critical,digitalSignature");
    add_ext(cert.get(), ca.get(), NID_ext_key_usage, "serverAuth");
    add_ext(cert.get(), ca.get(), NID_subject_alt_name, san);
    add_ext(cert.get(), ca.get(), NID_subject_key_identifier, "hash");
    add_ext(cert.get(), ca.get(), NID_authority_key_identifier, "keyid:always");
    check(X509_sign(cert.get(), ca_key.get(), EVP_sha256()) > 0 ? 1 : 0, "signing the server cert");

    return tls_identity{pem_of(ca.get()), pem_of(cert.get()), pem_of(key.get())};
}

} // namespace exsdk::mock::detail

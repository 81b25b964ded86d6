// A throw-away certificate authority and server certificate, generated at start-up (OpenSSL 3
// EVP APIs, EC P-256), so `--tls` needs no files and clients can verify against the CA.
#pragma once

#include <string>
#include <string_view>

namespace exsdk::mock::detail {

struct tls_identity {
    std::string ca_cert_pem;     ///< the issuing CA (give this to clients)
    std::string server_cert_pem; ///< signed by the CA; SAN IP:127.0.0.1, DNS:localhost (+ host)
    std::string server_key_pem;  ///< PKCS#8
};

/// `host`: the listen address; added to the SAN when it is another specific IP address.
/// Validity uses the real time (clients check it against theirs), not the mock's clock.
/// Throws std::runtime_error with OpenSSL's reason on failure.
tls_identity make_tls_identity(std::string_view host);

} // namespace exsdk::mock::detail

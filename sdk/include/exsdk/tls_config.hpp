// TLS settings of a client: OpenSSL with SNI and host-name verification.
#pragma once

#include <string>

namespace exsdk {

struct tls_config {
    /// Verify the server's certificate chain and host name. Only ever disable against a mock.
    bool verify_peer = true;
    /// PEM file of trusted CAs (e.g. the mock exchange's --ca-out). Empty: the system store.
    std::string ca_file;
    /// PEM text of trusted CAs, in memory (e.g. exsdk::mock::server::ca_pem()).
    std::string ca_pem;
    /// Name to verify the certificate against and send as SNI. Empty: the base URL's host.
    std::string server_name;
};

} // namespace exsdk

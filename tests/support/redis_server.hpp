// A real redis-server (Debian's, installed by scripts/bootstrap) for one test: started on a free
// 127.0.0.1 port in a temporary directory, without persistence, killed and removed at the end.
// The test may kill it and start it again on the same port (a server restart), and inspect it
// over a plain connection (hiredis's blocking client: test code only, never the SDK's path).
#pragma once

#include "support/process.hpp"

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace exsdk::test {

/// One reply, as the inspection client saw it.
struct redis_value {
    enum class kind { nil, integer, string, status, error, array };
    kind type = kind::nil;
    long long integer = 0;
    std::string text; ///< string, status or error
    std::vector<redis_value> elements;
};

class redis_server {
public:
    struct options {
        /// requirepass: AUTH PASSWORD (the default user's).
        std::string password;
        /// An ACL user besides the default one: AUTH USER PASSWORD.
        std::string user;
        std::string user_password;
        /// Also serve TLS on a second port with this certificate and key (PEM); the plain port
        /// stays for inspection.
        std::string tls_cert_pem;
        std::string tls_key_pem;
    };

    /// Starts the server; throws std::runtime_error when it cannot (not installed, ...).
    explicit redis_server(options o);
    redis_server() : redis_server(options{}) {}
    redis_server(const redis_server&) = delete;
    redis_server& operator=(const redis_server&) = delete;
    ~redis_server();

    std::uint16_t port() const noexcept { return port_; }
    std::uint16_t tls_port() const noexcept { return tls_port_; }
    /// redis://[USERINFO@]127.0.0.1:PORT/DB
    std::string url(std::string_view userinfo = {}, int db = 0) const;
    /// rediss://[USERINFO@]127.0.0.1:TLS_PORT/DB
    std::string tls_url(std::string_view userinfo = {}, int db = 0) const;

    /// SIGKILL, as a crash would: clients see their connections drop.
    void kill();
    /// Starts it again on the same ports (empty: no persistence).
    void start();
    bool running() const noexcept { return child_ != nullptr; }

    /// Runs one command over a fresh plain connection (authenticated, DB 0 unless SELECTed in
    /// `args`' own connection... so use `db`).
    redis_value command(std::initializer_list<std::string_view> args, int db = 0) const;

private:
    void launch();

    options opts_;
    std::string dir_;
    std::uint16_t port_ = 0;
    std::uint16_t tls_port_ = 0;
    std::unique_ptr<child_process> child_;
};

} // namespace exsdk::test

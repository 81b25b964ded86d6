// A small blocking HTTP/1.1 client for the mock exchange tests: plain or TLS, keep-alive, an
// optional local bind address (127.0.0.2 for the IP-whitelist tests), and raw byte access for
// malformed, slow, chunked and pipelined requests. Independent of the SDK on purpose.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mocktest {

struct ci_less {
    bool operator()(const std::string& a, const std::string& b) const;
};

struct http_response {
    unsigned status = 0;
    std::string body;
    std::map<std::string, std::string, ci_less> headers;
    bool keep_alive = true;

    /// "" when absent.
    std::string header(const std::string& name) const;
    bool has_header(const std::string& name) const { return headers.contains(name); }
};

struct client_options {
    std::string local_address; ///< bind the client socket here first ("" = any)
    bool tls = false;
    std::string ca_pem; ///< with tls: verify the server against this CA
    std::string verify_host = "127.0.0.1";
};

using header_list = std::vector<std::pair<std::string, std::string>>;

class http_client {
public:
    http_client(std::string host, std::uint16_t port, client_options opts = {});
    /// "http://127.0.0.1:1234" or "https://..." (then opts.tls is set).
    explicit http_client(const std::string& base_url, client_options opts = {});
    ~http_client();
    http_client(http_client&&) noexcept;

    /// Sends one request on the (re)used connection and reads the answer. Connects first when
    /// needed. Adds Host, and Content-Length when there is a body. Throws on I/O errors.
    http_response request(std::string_view method, std::string_view target,
                          const header_list& headers = {}, std::string_view body = {});

    void connect();
    /// Writes bytes as they are.
    void send_raw(std::string_view bytes);
    /// Reads one answer (`head`: to a HEAD request, no body). Throws std::runtime_error on EOF
    /// or errors.
    http_response read_response(bool head = false);
    /// True when the server closes the connection (EOF or reset) before sending anything more.
    bool wait_closed();
    /// Reads and discards until the server closes; returns how many bytes came first.
    std::size_t drain_until_closed();
    bool is_connected() const;
    void close();

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

} // namespace mocktest

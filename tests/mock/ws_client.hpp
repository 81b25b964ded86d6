// A small blocking websocket client for the mock exchange's stream tests: plain or TLS, an
// optional local bind address, the refused upgrade's status and body, and BingX frames gunzipped
// with exsdk::gzip_decoder. Independent of the SDK's stream classes on purpose. Every blocking
// call gives up after 20 s of real time (a hang guard that fails the test, never a measurement).
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace mocktest {

struct ws_event {
    enum class kind { text, binary, closed, error };
    kind what = kind::error;
    std::string data;       ///< text; binary: gunzipped (when it was gzip)
    std::string raw;        ///< binary: the bytes as received
    bool gzip = false;      ///< binary: decoded as gzip
    std::uint16_t code = 0; ///< closed: the server's close code
    std::string reason;     ///< closed: the server's close reason
    std::string error;      ///< error: what went wrong (eof, reset, timeout...)

    bool is_message() const { return what == kind::text || what == kind::binary; }
};

struct ws_options {
    std::string local_address; ///< bind here first ("" = any)
    bool tls = false;
    std::string ca_pem; ///< with tls: verify the server against this CA
};

class ws_client {
public:
    explicit ws_client(std::uint16_t port, ws_options opts = {});
    ~ws_client();
    ws_client(ws_client&&) noexcept;
    ws_client& operator=(ws_client&&) noexcept;

    /// TCP connect + upgrade of `target` ("/v3/private?key=..."). True on 101; otherwise the
    /// refusal is in status() and body(). Throws on transport errors.
    bool connect(std::string_view target);
    unsigned status() const;
    const std::string& body() const;

    /// Sends one text frame.
    void send(std::string_view text);
    /// The next frame, the server's close (after answering it), or an error.
    ws_event next();
    /// Like next(), but answers and skips BingX heartbeats (swap "Ping", spot {"ping":..}).
    ws_event next_skipping_pings();
    /// Client-initiated close handshake with `code`.
    void close(std::uint16_t code = 1000);
    /// Closes the TCP connection without a close frame.
    void abort();

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

/// The same client as coroutines on the caller's executor, for the embedded server driven in
/// virtual time on one io_context (tests/support/virtual_time.hpp). Plain websocket only.
class async_ws_client {
public:
    async_ws_client(boost::asio::any_io_executor ex, std::uint16_t port);
    ~async_ws_client();

    /// True on 101; otherwise the refusal's status is in status().
    boost::asio::awaitable<bool> connect(std::string target);
    unsigned status() const;
    boost::asio::awaitable<void> send(std::string text);
    boost::asio::awaitable<ws_event> next();

private:
    struct impl;
    std::shared_ptr<impl> impl_;
};

} // namespace mocktest

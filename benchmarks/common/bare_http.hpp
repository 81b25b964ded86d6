// The "bare" client: the floor every SDK figure is compared with. It sends fixed, pre-signed
// request bytes (built once, outside any timing) over one keep-alive connection with Beast and
// parses the answer with Beast's response parser, nothing else: no signing per call, no timers,
// no pool, no JSON. The mock must accept fixed timestamps (a wide timestamp window).
#pragma once

#include "bench_util.hpp"

#include <exsdk/hmac_sha256.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>

#include <cstdint>
#include <exception>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace bench {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace ssl = boost::asio::ssl;
using tcp = boost::asio::ip::tcp;

/// The calls every comparison makes, as the exchanges define them.
enum class call {
    woox_listen_key,
    woox_credentials,
    woox_system_info,
    bingx_generate,
    bingx_extend
};

inline std::string_view call_name(call c) {
    switch (c) {
    case call::woox_listen_key: return "woox_listen_key";
    case call::woox_credentials: return "woox_credentials";
    case call::woox_system_info: return "woox_system_info";
    case call::bingx_generate: return "bingx_generate";
    case call::bingx_extend: return "bingx_extend";
    }
    return "?";
}

struct fixed_request {
    std::string method;
    std::string target;
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers; // besides Host/Content-Length
    std::string bytes;                                        // the whole request on the wire
};

/// A correctly signed request for `c`, timestamp `ts` (ms), for host header `host`.
/// `listen_key` is the BingX key to extend.
inline fixed_request make_request(call c, std::string_view host, std::int64_t ts,
                                  std::string_view listen_key = {}) {
    fixed_request r;
    const std::string tss = std::to_string(ts);
    switch (c) {
    case call::woox_listen_key:
        r.method = "POST";
        r.target = "/v3/account/listenKey";
        r.body = R"({"type":"WEBSOCKET"})";
        r.headers = {{"Content-Type", "application/json"},
                     {"x-api-key", std::string(woox_key)},
                     {"x-api-timestamp", tss},
                     {"x-api-signature",
                      exsdk::hmac_sha256(woox_secret).sign_hex({tss, r.method, r.target, r.body})}};
        break;
    case call::woox_credentials:
        r.method = "GET";
        r.target = "/v3/account/credentials?page=1&size=25";
        r.headers = {{"x-api-key", std::string(woox_key)},
                     {"x-api-timestamp", tss},
                     {"x-api-signature",
                      exsdk::hmac_sha256(woox_secret).sign_hex({tss, r.method, r.target})}};
        break;
    case call::woox_system_info:
        r.method = "GET";
        r.target = "/v3/public/systemInfo";
        break;
    case call::bingx_generate:
    case call::bingx_extend: {
        r.method = c == call::bingx_generate ? "POST" : "PUT";
        std::string q = c == call::bingx_generate
                            ? "timestamp=" + tss
                            : "listenKey=" + std::string(listen_key) + "&timestamp=" + tss;
        r.target = "/openApi/user/auth/userDataStream?" + q +
                   "&signature=" + exsdk::hmac_sha256(bingx_secret).sign_hex({q});
        r.headers = {{"X-BX-APIKEY", std::string(bingx_key)}};
        break;
    }
    }
    r.bytes = r.method + " " + r.target + " HTTP/1.1\r\nHost: " + std::string(host) + "\r\n";
    for (const auto& [k, v] : r.headers) {
        r.bytes += k + ": " + v + "\r\n";
    }
    if (r.method != "GET") {
        r.bytes += "Content-Length: " + std::to_string(r.body.size()) + "\r\n";
    }
    r.bytes += "\r\n" + r.body;
    return r;
}

/// True when `status`/`body` is the exchange's success answer for `c`.
inline bool is_success(call c, unsigned status, std::string_view body) {
    if (status != 200) {
        return false;
    }
    switch (c) {
    case call::woox_listen_key:
    case call::woox_credentials: return body.rfind(R"({"success":true)", 0) == 0;
    case call::woox_system_info: return body.find(R"("success":true)") != std::string_view::npos;
    case call::bingx_generate: return body.find(R"("listenKey":")") != std::string_view::npos;
    case call::bingx_extend: return body.empty();
    }
    return false;
}

/// The listen key in a BingX generate answer.
inline std::string bingx_key_of(std::string_view body) {
    constexpr std::string_view tag = R"("listenKey":")";
    const auto at = body.find(tag);
    if (at == std::string_view::npos) {
        throw std::runtime_error("no listenKey in " + std::string(body));
    }
    const auto from = at + tag.size();
    return std::string(body.substr(from, body.find('"', from) - from));
}

/// "http://127.0.0.1:PORT" -> port (the mock and the bare server bind 127.0.0.1).
inline std::uint16_t port_of(std::string_view url) {
    return static_cast<std::uint16_t>(std::stoi(std::string(url.substr(url.rfind(':') + 1))));
}

/// Runs `body` on `ioc` to completion; returns the exception's text, or "".
template <class Body>
std::string run_on(asio::io_context& ioc, Body body) {
    std::string failure;
    asio::co_spawn(ioc, std::move(body), [&](const std::exception_ptr& e) {
        if (e) {
            try {
                std::rethrow_exception(e);
            } catch (const std::exception& ex) {
                failure = ex.what();
            }
        }
    });
    ioc.restart();
    ioc.run();
    return failure;
}

/// One keep-alive connection, plain or TLS.
class bare_connection {
public:
    bare_connection(const bare_connection&) = delete;
    bare_connection& operator=(const bare_connection&) = delete;
    bare_connection(asio::any_io_executor ex, std::uint16_t port, const std::string& ca_pem)
        : port_(port), plain_(ex) {
        if (!ca_pem.empty()) {
            ctx_.emplace(ssl::context::tls_client);
            ctx_->add_certificate_authority(asio::buffer(ca_pem));
            ctx_->set_verify_mode(ssl::verify_peer);
            tls_.emplace(ex, *ctx_);
        }
    }
    /// A TLS connection with a context shared by several connections.
    bare_connection(asio::any_io_executor ex, std::uint16_t port, ssl::context& shared)
        : port_(port), plain_(ex) {
        tls_.emplace(ex, shared);
    }

    asio::awaitable<void> connect() {
        const tcp::endpoint ep(asio::ip::make_address_v4("127.0.0.1"), port_);
        auto& sock = tls_ ? tls_->next_layer() : plain_;
        co_await sock.async_connect(ep, asio::use_awaitable);
        sock.set_option(tcp::no_delay(true));
        if (tls_) {
            SSL_ctrl(tls_->native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
                     const_cast<char*>("127.0.0.1"));
            tls_->set_verify_callback(ssl::host_name_verification("127.0.0.1"));
            co_await tls_->async_handshake(ssl::stream_base::client, asio::use_awaitable);
        }
    }

    /// Writes `bytes`, reads one answer; returns the status, the body in `body`.
    asio::awaitable<unsigned> round_trip(std::string_view bytes, std::string& body) {
        if (tls_) {
            co_return co_await round_trip_on(*tls_, bytes, body);
        }
        co_return co_await round_trip_on(plain_, bytes, body);
    }

    /// Writes `bytes` (e.g. several pipelined requests) without reading.
    asio::awaitable<void> write(std::string_view bytes) {
        if (tls_) {
            co_await asio::async_write(*tls_, asio::buffer(bytes.data(), bytes.size()),
                                       asio::use_awaitable);
        } else {
            co_await asio::async_write(plain_, asio::buffer(bytes.data(), bytes.size()),
                                       asio::use_awaitable);
        }
    }

    /// Reads the next answer; returns the status, the body in `body`.
    asio::awaitable<unsigned> read_answer(std::string& body) {
        http::response_parser<http::string_body> p;
        if (tls_) {
            co_await http::async_read(*tls_, buffer_, p, asio::use_awaitable);
        } else {
            co_await http::async_read(plain_, buffer_, p, asio::use_awaitable);
        }
        body = std::move(p.get().body());
        co_return p.get().result_int();
    }

    /// The TCP socket (plain connections).
    tcp::socket& socket() { return plain_; }

private:
    template <class Stream>
    asio::awaitable<unsigned> round_trip_on(Stream& s, std::string_view bytes, std::string& body) {
        co_await asio::async_write(s, asio::buffer(bytes.data(), bytes.size()),
                                   asio::use_awaitable);
        http::response_parser<http::string_body> p;
        co_await http::async_read(s, buffer_, p, asio::use_awaitable);
        body = std::move(p.get().body());
        co_return p.get().result_int();
    }

    std::uint16_t port_;
    tcp::socket plain_;
    std::optional<ssl::context> ctx_;
    std::optional<ssl::stream<tcp::socket>> tls_;
    beast::flat_buffer buffer_;
};

} // namespace bench

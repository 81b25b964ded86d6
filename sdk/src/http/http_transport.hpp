// The HTTP/1.1 transport of a client: a keep-alive connection pool to one host, shared by every
// coroutine of the client on any thread (each request runs in its caller's coroutine and owns
// its connection meanwhile; the shared pool state is mutex-guarded), TLS through
// OpenSSL with SNI and host-name verification, connect and request timeouts on the client's clock,
// and Asio per-operation cancellation (a cancelled send returns errc::cancelled at once and gives
// its connection slot back). A request that fails on a reused connection before any byte of the
// answer arrived (the server closed the idle connection) is sent once more on a fresh connection.
#pragma once

#include "http/base_url.hpp"

#include <exsdk/asio_namespace.hpp>
#include <exsdk/clock.hpp>
#include <exsdk/error.hpp>
#include <exsdk/http_message.hpp>
#include <exsdk/tls_config.hpp>
#include <exsdk/transport_config.hpp>

#include <boost/asio/awaitable.hpp>

#include <memory>

namespace exsdk::detail {

class http_transport {
public:
    /// Throws exsdk::exception (errc::invalid_argument) when the TLS settings cannot be loaded.
    http_transport(asio::any_io_executor ex, base_url url, const tls_config& tls,
                   transport_config cfg, std::shared_ptr<clock> clk);
    http_transport(const http_transport&) = delete;
    http_transport& operator=(const http_transport&) = delete;
    ~http_transport();

    /// Decides, once a connection is ready to write, whether the request may start now (a rate
    /// limiter taking its slot at that instant). Called in the sending coroutine.
    struct admission {
        bool (*admit)(void* context) = nullptr;
        void* context = nullptr;
    };

    /// Sends one request and reads its answer. Errors: network, timeout, cancelled, protocol.
    /// `priority`: a rate-limited call: it takes the next free connection before the calls
    /// without a limit, so it starts when its limiter allowed it to (the exchange counts
    /// arrivals, and a long wait for a connection would move this start towards the next
    /// one's). `admit`, when given, is asked right before the request is written; when it says
    /// no, nothing is sent and the answer has status 0.
    asio::awaitable<result<http_response>> send(const http_request& req, bool priority = false,
                                                const admission* admit = nullptr);

    /// Closes the idle pooled connections (requests in flight finish on theirs).
    void close_idle();
    /// Open connections (idle or in use). Thread-safe.
    std::size_t open_connections() const;
    const base_url& url() const;

private:
    struct impl;
    std::shared_ptr<impl> impl_;
};

} // namespace exsdk::detail

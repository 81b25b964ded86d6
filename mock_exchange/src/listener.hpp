// detail::listener (server::impl): the accepting socket and what the mock's HTTP connections share.
// The listener and the public facade (server, threaded_server) are in server.cpp; the connection
// coroutine (HTTP/1.1, TLS, timeouts, the websocket seam) in connection.cpp.
#pragma once

#include "router.hpp"
#include "state.hpp"

#include <exsdk/asio_namespace.hpp>
#include <exsdk/mock/config.hpp>
#include <exsdk/timer.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <unordered_set>

namespace exsdk::mock::detail {

using tcp = asio::ip::tcp;

class connection_base {
public:
    virtual ~connection_base() = default;
    /// Closes the socket and cancels every pending operation and timer. Idempotent.
    virtual void close() = 0;
};

struct listener : std::enable_shared_from_this<listener> {
    listener(asio::any_io_executor executor, config c)
        : ex(std::move(executor)), cfg(std::move(c)), state(check(cfg)),
          router(state, [this] { return connections.load(std::memory_order_relaxed); }) {}

    static const config& check(config& c) {
        if (!c.clock) {
            c.clock = exsdk::system_clock();
        }
        if (c.max_body_bytes == 0 || c.max_header_bytes < 256) {
            throw std::invalid_argument("mock server: max_body_bytes must be > 0 and "
                                        "max_header_bytes >= 256");
        }
        if (c.bingx_max_listen_keys_per_uid == 0 || c.stream_max_queued_frames == 0) {
            throw std::invalid_argument("mock server: bingx_max_listen_keys_per_uid and "
                                        "stream_max_queued_frames must be >= 1");
        }
        c.accounts.validate();
        return c;
    }

    asio::any_io_executor ex;
    config cfg;
    detail::shared_state state;
    detail::router router;

    std::optional<tcp::acceptor> acceptor;
    std::optional<exsdk::timer> accept_retry;
    std::optional<asio::ssl::context> tls;
    std::string ca_pem;
    std::string url;
    std::atomic<std::uint16_t> port{0};
    bool started = false;
    bool stopped = false;
    std::atomic<std::size_t> connections{0};
    std::unordered_set<connection_base*> live;   // touched on the server's thread only
    std::atomic<std::thread::id> owner_thread{}; // set by threaded_server

    void start();
    void stop_here();
    asio::awaitable<void> accept_loop();
    void spawn_connection(tcp::socket sock);
};

} // namespace exsdk::mock::detail

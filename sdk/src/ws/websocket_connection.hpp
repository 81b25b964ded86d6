// One websocket connection (plain or TLS) on the client's clock: connect with a deadline
// (handshake refusals become typed errors: 401 -> unauthorized, 404 -> not_found, ...),
// serialised writes, reads with an idle deadline, Asio per-operation cancellation. Beast lives
// in the .cpp only. Used from one strand.
#pragma once

#include "http/base_url.hpp"

#include <exsdk/asio_namespace.hpp>
#include <exsdk/clock.hpp>
#include <exsdk/error.hpp>
#include <exsdk/tls_config.hpp>

#include <boost/asio/awaitable.hpp>

#include <memory>
#include <string>
#include <string_view>

namespace exsdk::detail {

struct websocket_message {
    bool binary = false;
    std::string data;
};

class websocket_connection {
public:
    /// Throws exsdk::exception (errc::invalid_argument) when the TLS settings cannot be loaded.
    websocket_connection(asio::any_io_executor ex, const tls_config& tls,
                         std::shared_ptr<clock> clk);
    websocket_connection(const websocket_connection&) = delete;
    websocket_connection& operator=(const websocket_connection&) = delete;
    ~websocket_connection();

    /// TCP connect, TLS handshake (SNI + host-name verification) and websocket upgrade of
    /// `target` (path + query), all within `timeout`.
    asio::awaitable<result<void>> connect(const base_url& url, std::string target,
                                          clock::duration timeout);
    /// Sends one text frame. Writes from several coroutines are serialised.
    asio::awaitable<result<void>> write_text(std::string text);
    /// The next message, or errc::timeout when nothing arrived for `idle_timeout`. When the
    /// server closed the socket, the error's exchange_code is its websocket close code.
    asio::awaitable<result<websocket_message>> read(clock::duration idle_timeout);
    /// Sends a close frame (best effort, bounded by `timeout`) and closes the socket.
    asio::awaitable<void> close(clock::duration timeout);
    /// Closes the socket at once; pending reads and writes complete with errors.
    void abort();

    bool is_open() const;

private:
    struct impl;
    std::shared_ptr<impl> impl_;
};

} // namespace exsdk::detail

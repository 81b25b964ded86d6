// One Beast websocket over one transport (plain TCP or TLS) behind a small virtual interface.
// The two Beast instantiations compile in their own translation units (plain_ws_layer.cpp,
// tls_ws_layer.cpp), in parallel; websocket_connection.cpp, which owns write serialisation,
// deadlines and error mapping, includes no Beast websocket stream header. Private to the SDK.
#pragma once

#include "http/base_url.hpp"

#include <exsdk/error.hpp>
#include <exsdk/timer.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/system/error_code.hpp>

#include <memory>
#include <string>

namespace boost::asio::ssl {
class context;
} // namespace boost::asio::ssl

namespace exsdk::detail {

/// How the server closed the websocket (code 0: no close frame was received).
struct ws_close_reason {
    unsigned code = 0;
    std::string reason;
};

class ws_layer {
public:
    ws_layer() = default;
    ws_layer(const ws_layer&) = delete;
    ws_layer& operator=(const ws_layer&) = delete;
    virtual ~ws_layer() = default;

    /// TCP connect, TLS handshake (TLS layer only) and websocket upgrade of `target`, all before
    /// `deadline`; a refused upgrade becomes a typed error carrying the HTTP status and body.
    virtual boost::asio::awaitable<result<void>>
    connect(const base_url& url, const std::string& target, timer& deadline) = 0;
    /// Sends one text frame before `deadline`; asio::error::timed_out when it expired first.
    virtual boost::asio::awaitable<boost::system::error_code> write_text(const std::string& text,
                                                                         timer& deadline) = 0;
    /// Reads one whole message into `buffer` before `deadline`; `binary` says its frame type.
    virtual boost::asio::awaitable<boost::system::error_code>
    read(boost::beast::flat_buffer& buffer, timer& deadline, bool& binary) = 0;
    /// Sends a close frame (normal closure) and waits for the server's, before `deadline`.
    virtual boost::asio::awaitable<void> close(timer& deadline) = 0;
    /// The close frame received from the server, if any.
    virtual ws_close_reason close_reason() const = 0;
    /// Shuts the socket down and closes it; pending operations complete with errors.
    virtual void abort() = 0;
};

/// A websocket over plain TCP.
std::unique_ptr<ws_layer> make_plain_ws_layer(const boost::asio::any_io_executor& ex);
/// A websocket over TLS with `ctx`, verifying the server certificate against `verify_name`.
std::unique_ptr<ws_layer> make_tls_ws_layer(const boost::asio::any_io_executor& ex,
                                            boost::asio::ssl::context& ctx,
                                            std::string verify_name);

} // namespace exsdk::detail

// TCP connect and TLS setup shared by the HTTP transport and the websocket connection
// (private to the SDK): one implementation of resolve, connect, SNI and host-name verification.
#pragma once

#include "http/base_url.hpp"

#include <exsdk/error.hpp>
#include <exsdk/timer.hpp>
#include <exsdk/tls_config.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>

#include <string>

namespace exsdk::detail {

/// A client TLS context trusting `tls.ca_file` / `tls.ca_pem` or the system store.
/// Throws exsdk::exception (errc::invalid_argument) when they cannot be loaded.
boost::asio::ssl::context make_tls_context(const tls_config& tls);

/// The name certificates are verified against: tls.server_name, else the URL's host.
std::string verify_name(const tls_config& tls, const base_url& url);

/// Resolves (unless the host is an address) and connects `socket` before `deadline` expires;
/// sets TCP_NODELAY. Returns asio::error::timed_out on expiry.
boost::asio::awaitable<boost::system::error_code> connect_tcp(boost::asio::ip::tcp::socket& socket,
                                                              const base_url& url, timer& deadline);

/// Client TLS handshake with SNI (host names only, RFC 6066) and host-name verification.
boost::asio::awaitable<boost::system::error_code>
tls_handshake(boost::asio::ssl::stream<boost::asio::ip::tcp::socket>& stream,
              const std::string& name, timer& deadline);

/// Maps a transport-level error: timed_out -> timeout, operation_aborted -> cancelled,
/// anything else -> network; `what` says which step failed.
error transport_error(boost::system::error_code ec, std::string_view what);

} // namespace exsdk::detail

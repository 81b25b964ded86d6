// The websocket session that takes over a connection after an admitted upgrade (see streams.hpp
// for the admission, registry and frame handling). Implemented in basic_stream_session.hpp, which
// stream_session.cpp (plain) and stream_session_tls.cpp instantiate, the only files that include
// Beast's websocket; connection.cpp calls it at its upgrade seam.
#pragma once

#include "state.hpp"
#include "streams.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <memory>

namespace exsdk::mock::detail {

using upgrade_request = boost::beast::http::request<boost::beast::http::string_body>;

/// beast::websocket::is_upgrade(req).
bool is_websocket_upgrade(const upgrade_request& req);

/// Accepts the upgrade and serves the socket until it is closed (by either side, a key event,
/// a timeout, an admin drop, reset() or stop()). Returns once nothing of the session uses
/// `stream` any more; the caller then closes it. `req` must stay alive until then.
asio::awaitable<void> run_stream_session(shared_state& st, std::shared_ptr<stream_record> rec,
                                         asio::ip::tcp::socket& stream, const upgrade_request& req);
asio::awaitable<void> run_stream_session(shared_state& st, std::shared_ptr<stream_record> rec,
                                         asio::ssl::stream<asio::ip::tcp::socket>& stream,
                                         const upgrade_request& req);

} // namespace exsdk::mock::detail

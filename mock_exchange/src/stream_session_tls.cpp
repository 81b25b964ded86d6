#include "basic_stream_session.hpp"

#include <boost/beast/websocket/ssl.hpp>

namespace exsdk::mock::detail {

asio::awaitable<void> run_stream_session(shared_state& st, std::shared_ptr<stream_record> rec,
                                         asio::ssl::stream<asio::ip::tcp::socket>& stream,
                                         const upgrade_request& req) {
    return ws_session::run(st, std::move(rec), stream, req);
}

} // namespace exsdk::mock::detail

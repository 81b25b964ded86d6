#include "basic_stream_session.hpp"

namespace exsdk::mock::detail {

bool is_websocket_upgrade(const upgrade_request& req) {
    return websocket::is_upgrade(req);
}

asio::awaitable<void> run_stream_session(shared_state& st, std::shared_ptr<stream_record> rec,
                                         asio::ip::tcp::socket& stream,
                                         const upgrade_request& req) {
    return ws_session::run(st, std::move(rec), stream, req);
}

} // namespace exsdk::mock::detail

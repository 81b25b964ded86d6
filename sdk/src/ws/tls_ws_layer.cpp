#include "ws/basic_ws_layer.hpp"

#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/websocket/ssl.hpp>

namespace exsdk::detail {

std::unique_ptr<ws_layer> make_tls_ws_layer(const boost::asio::any_io_executor& ex,
                                            boost::asio::ssl::context& ctx,
                                            std::string verify_name) {
    using tls_stream = boost::asio::ssl::stream<boost::asio::ip::tcp::socket>;
    return std::make_unique<basic_ws_layer<tls_stream>>(std::move(verify_name), ex, ctx);
}

} // namespace exsdk::detail

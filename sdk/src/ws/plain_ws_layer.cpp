#include "ws/basic_ws_layer.hpp"

namespace exsdk::detail {

error refused_upgrade(const boost::beast::websocket::response_type& res) {
    const unsigned status = res.result_int();
    errc code = errc::protocol;
    if (status == 401 || status == 403) {
        code = errc::unauthorized;
    } else if (status == 404 || status == 410) {
        code = errc::not_found;
    } else if (status == 429) {
        code = errc::rate_limited;
    } else if (status == 418) {
        code = errc::banned;
    } else if (status >= 500) {
        code = errc::server_error;
    }
    error e(code, "websocket upgrade refused (HTTP " + std::to_string(status) + ")" +
                      (res.body().empty() ? std::string() : ": " + res.body()));
    e.http_status = static_cast<int>(status);
    return e;
}

std::unique_ptr<ws_layer> make_plain_ws_layer(const boost::asio::any_io_executor& ex) {
    return std::make_unique<basic_ws_layer<boost::asio::ip::tcp::socket>>(std::string(), ex);
}

} // namespace exsdk::detail

#include "detail/answer_check.hpp"
#include "detail/json.hpp"
#include "ws/basic_ws_layer.hpp"

namespace exsdk::detail {

error refused_upgrade(const boost::beast::websocket::response_type& res) {
    const unsigned status = res.result_int();
    // A refusal with a page (HTML, or text that is not JSON) is not the exchange's: a proxy or
    // load balancer answered, so its status says nothing about the listen key.
    http_response answer{status, res.body(),
                         std::string(res[boost::beast::http::field::content_type])};
    const bool page = is_page_content_type(answer.content_type) ||
                      (!is_blank(answer.body) && !parse_json(answer.body, status).has_value());
    if (page && status != 418) {
        error e = unexpected_answer(answer);
        e.message = "websocket upgrade refused, " + e.message;
        return e;
    }
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
                      (is_blank(answer.body) ? std::string() : ": " + body_excerpt(answer.body)));
    e.http_status = static_cast<int>(status);
    e.exchange_answer = true;
    return e;
}

std::unique_ptr<ws_layer> make_plain_ws_layer(const boost::asio::any_io_executor& ex) {
    return std::make_unique<basic_ws_layer<boost::asio::ip::tcp::socket>>(std::string(), ex);
}

} // namespace exsdk::detail

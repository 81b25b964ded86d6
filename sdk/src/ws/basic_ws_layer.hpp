// The ws_layer implementation for one Beast websocket stream type. Included only by
// plain_ws_layer.cpp and tls_ws_layer.cpp, each instantiating it once.
#pragma once

#include "detail/net_connect.hpp"
#include "detail/with_deadline.hpp"
#include "ws/ws_layer.hpp"

#include <exsdk/version.hpp>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/stream_traits.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/websocket/stream.hpp>

#include <type_traits>
#include <utility>

namespace exsdk::detail {

/// A refused upgrade, as the server explained it: 401/403 -> unauthorized, 404/410 -> not_found,
/// 429 -> rate_limited, 418 -> banned, 5xx -> server_error, anything else -> protocol; but a
/// refusal with a page (a Content-Type such as text/html, or a body that is not JSON) came from
/// a proxy, not the exchange: unexpected_response, whatever the status.
error refused_upgrade(const boost::beast::websocket::response_type& res);

template <class NextLayer>
class basic_ws_layer final : public ws_layer {
public:
    static constexpr bool is_tls = !std::is_same_v<NextLayer, boost::asio::ip::tcp::socket>;

    template <class... Args>
    explicit basic_ws_layer(std::string verify_name, Args&&... args)
        : verify_name_(std::move(verify_name)), ws_(std::forward<Args>(args)...) {}

    boost::asio::awaitable<result<void>> connect(const base_url& url, const std::string& target,
                                                 timer& deadline) override {
        namespace websocket = boost::beast::websocket;
        if (auto ec = co_await connect_tcp(boost::beast::get_lowest_layer(ws_), url, deadline);
            ec) {
            co_return transport_error(ec, "connect to " + url.host_header);
        }
        if constexpr (is_tls) {
            if (auto ec = co_await tls_handshake(ws_.next_layer(), verify_name_, deadline); ec) {
                co_return transport_error(ec, "TLS handshake with " + url.host_header);
            }
        }
        // Timeouts are ours (on the injected clock); Beast's would run on the real clock.
        ws_.set_option(websocket::stream_base::timeout{websocket::stream_base::none(),
                                                       websocket::stream_base::none(), false});
        ws_.set_option(websocket::stream_base::decorator([](websocket::request_type& req) {
            req.set(boost::beast::http::field::user_agent,
                    std::string("exsdk/") + exsdk::version());
        }));
        ws_.read_message_max(std::size_t{16} << 20);
        websocket::response_type res;
        auto ec = co_await with_deadline(
            deadline, ws_.async_handshake(res, url.host_header, target, boost::asio::deferred));
        if (ec == websocket::error::upgrade_declined) {
            co_return refused_upgrade(res);
        }
        if (ec) {
            co_return transport_error(ec, "websocket handshake with " + url.host_header);
        }
        co_return result<void>{};
    }

    boost::asio::awaitable<boost::system::error_code> write_text(const std::string& text,
                                                                 timer& deadline) override {
        ws_.text(true);
        co_return co_await with_deadline(
            deadline, ws_.async_write(boost::asio::buffer(text), boost::asio::deferred));
    }

    boost::asio::awaitable<boost::system::error_code> read(boost::beast::flat_buffer& buffer,
                                                           timer& deadline, bool& binary) override {
        auto ec = co_await with_deadline(deadline, ws_.async_read(buffer, boost::asio::deferred));
        binary = !ec && ws_.got_binary();
        co_return ec;
    }

    boost::asio::awaitable<void> close(timer& deadline) override {
        (void)co_await with_deadline(
            deadline,
            ws_.async_close(boost::beast::websocket::close_code::normal, boost::asio::deferred));
    }

    ws_close_reason close_reason() const override {
        const auto& r = ws_.reason();
        return {static_cast<unsigned>(r.code), std::string(r.reason.data(), r.reason.size())};
    }

    void abort() override {
        boost::system::error_code ignored;
        auto& socket = boost::beast::get_lowest_layer(ws_);
        socket.shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
        socket.close(ignored);
    }

private:
    std::string verify_name_; // TLS only
    boost::beast::websocket::stream<NextLayer> ws_;
};

} // namespace exsdk::detail

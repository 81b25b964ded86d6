#include "detail/net_connect.hpp"

#include <exsdk/detail/async_semaphore.hpp>
#include <exsdk/detail/websocket_connection.hpp>
#include <exsdk/detail/with_deadline.hpp>
#include <exsdk/version.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include <optional>
#include <variant>

namespace exsdk::detail {

namespace beast = boost::beast;
namespace websocket = boost::beast::websocket;
namespace ssl = boost::asio::ssl;
using tcp = boost::asio::ip::tcp;
using boost::system::error_code;

namespace {

using plain_ws = websocket::stream<tcp::socket>;
using tls_ws = websocket::stream<ssl::stream<tcp::socket>>;

// A refused upgrade, as the server explained it (status and body).
error refused_upgrade(const websocket::response_type& res) {
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

template <class Ws>
void configure(Ws& ws) {
    // Timeouts are ours (on the injected clock); Beast's would run on the real clock.
    ws.set_option(websocket::stream_base::timeout{websocket::stream_base::none(),
                                                  websocket::stream_base::none(), false});
    ws.set_option(websocket::stream_base::decorator([](websocket::request_type& req) {
        req.set(beast::http::field::user_agent, std::string("exsdk/") + exsdk::version());
    }));
    ws.read_message_max(std::size_t{16} << 20);
}

} // namespace

struct websocket_connection::impl {
    asio::any_io_executor ex;
    std::shared_ptr<clock> clk;
    tls_config tls;
    std::optional<ssl::context> tls_ctx;
    std::variant<std::monostate, plain_ws, tls_ws> ws;
    timer read_deadline;
    timer write_deadline;
    async_semaphore write_lock{ex, 1};
    beast::flat_buffer buffer;
    bool open = false;

    impl(asio::any_io_executor e, const tls_config& t, std::shared_ptr<clock> c)
        : ex(std::move(e)), clk(c ? std::move(c) : system_clock()), tls(t), read_deadline(ex, clk),
          write_deadline(ex, clk) {}

    tcp::socket& socket() {
        if (auto* p = std::get_if<plain_ws>(&ws)) {
            return p->next_layer();
        }
        return std::get<tls_ws>(ws).next_layer().next_layer();
    }

    template <class Ws>
    asio::awaitable<result<void>> upgrade(Ws& s, const base_url& url, const std::string& target,
                                          timer& deadline) {
        configure(s);
        websocket::response_type res;
        auto ec = co_await with_deadline(
            deadline, s.async_handshake(res, url.host_header, target, asio::deferred));
        if (ec == websocket::error::upgrade_declined) {
            co_return refused_upgrade(res);
        }
        if (ec) {
            co_return transport_error(ec, "websocket handshake with " + url.host_header);
        }
        co_return result<void>{};
    }

    asio::awaitable<result<void>> connect(const base_url& url, std::string target,
                                          clock::duration timeout) {
        abort();
        timer deadline(ex, clk);
        deadline.expires_after(timeout);
        if (url.tls) {
            if (!tls_ctx) {
                tls_ctx.emplace(make_tls_context(tls));
            }
            auto& s = ws.emplace<tls_ws>(ex, *tls_ctx);
            if (auto ec = co_await connect_tcp(s.next_layer().next_layer(), url, deadline); ec) {
                abort();
                co_return transport_error(ec, "connect to " + url.host_header);
            }
            if (auto ec = co_await tls_handshake(s.next_layer(), verify_name(tls, url), deadline);
                ec) {
                abort();
                co_return transport_error(ec, "TLS handshake with " + url.host_header);
            }
            auto r = co_await upgrade(s, url, target, deadline);
            if (!r) {
                abort();
                co_return r;
            }
        } else {
            auto& s = ws.emplace<plain_ws>(ex);
            if (auto ec = co_await connect_tcp(s.next_layer(), url, deadline); ec) {
                abort();
                co_return transport_error(ec, "connect to " + url.host_header);
            }
            auto r = co_await upgrade(s, url, target, deadline);
            if (!r) {
                abort();
                co_return r;
            }
        }
        buffer.clear();
        open = true;
        co_return result<void>{};
    }

    template <class Ws>
    asio::awaitable<error_code> write_on(Ws& s, const std::string& text) {
        s.text(true);
        co_return co_await with_deadline(write_deadline,
                                         s.async_write(asio::buffer(text), asio::deferred));
    }

    asio::awaitable<result<void>> write_text(std::string text) {
        if (!write_lock.try_acquire()) {
            auto [ec] = co_await write_lock.async_acquire(asio::as_tuple(asio::use_awaitable));
            if (ec) {
                co_return error(errc::cancelled, "websocket write cancelled");
            }
        }
        error_code ec;
        if (!open) {
            ec = asio::error::not_connected;
        } else {
            write_deadline.expires_after(std::chrono::seconds(10));
            if (auto* p = std::get_if<plain_ws>(&ws)) {
                ec = co_await write_on(*p, text);
            } else {
                ec = co_await write_on(std::get<tls_ws>(ws), text);
            }
        }
        write_lock.release();
        if (ec) {
            abort();
            co_return transport_error(ec, "websocket write");
        }
        co_return result<void>{};
    }

    template <class Ws>
    asio::awaitable<error_code> read_on(Ws& s, bool& binary) {
        auto ec = co_await with_deadline(read_deadline, s.async_read(buffer, asio::deferred));
        binary = !ec && s.got_binary();
        co_return ec;
    }

    asio::awaitable<result<websocket_message>> read(clock::duration idle_timeout) {
        if (!open) {
            co_return error(errc::network, "websocket is not open");
        }
        read_deadline.expires_after(idle_timeout);
        websocket_message msg;
        error_code ec;
        if (auto* p = std::get_if<plain_ws>(&ws)) {
            ec = co_await read_on(*p, msg.binary);
        } else {
            ec = co_await read_on(std::get<tls_ws>(ws), msg.binary);
        }
        if (ec) {
            abort();
            if (ec == websocket::error::closed) {
                // The server's close code goes in exchange_code: it says why (1008: policy,
                // e.g. the key was replaced or expired).
                error e(errc::network, "websocket closed by the server" + close_reason_text());
                e.exchange_code = static_cast<std::int64_t>(close_code());
                co_return e;
            }
            co_return transport_error(ec, ec == asio::error::timed_out
                                              ? "websocket idle (no frame received)"
                                              : "websocket read");
        }
        msg.data = beast::buffers_to_string(buffer.data());
        buffer.consume(buffer.size());
        co_return msg;
    }

    const websocket::close_reason* close_reason() const {
        if (const auto* p = std::get_if<plain_ws>(&ws)) {
            return &p->reason();
        }
        if (const auto* t = std::get_if<tls_ws>(&ws)) {
            return &t->reason();
        }
        return nullptr;
    }

    unsigned close_code() const {
        const auto* reason = close_reason();
        return reason != nullptr ? static_cast<unsigned>(reason->code) : 0;
    }

    std::string close_reason_text() const {
        const websocket::close_reason* reason = close_reason();
        if (reason == nullptr || reason->code == websocket::close_code::none) {
            return {};
        }
        return " (close code " + std::to_string(static_cast<unsigned>(reason->code)) +
               (reason->reason.empty()
                    ? std::string()
                    : ": " + std::string(reason->reason.data(), reason->reason.size())) +
               ")";
    }

    template <class Ws>
    asio::awaitable<void> close_on(Ws& s, timer& deadline) {
        (void)co_await with_deadline(deadline,
                                     s.async_close(websocket::close_code::normal, asio::deferred));
    }

    asio::awaitable<void> close(clock::duration timeout) {
        if (open) {
            timer deadline(ex, clk);
            deadline.expires_after(timeout);
            if (auto* p = std::get_if<plain_ws>(&ws)) {
                co_await close_on(*p, deadline);
            } else {
                co_await close_on(std::get<tls_ws>(ws), deadline);
            }
        }
        abort();
    }

    void abort() {
        open = false;
        if (std::holds_alternative<std::monostate>(ws)) {
            return;
        }
        error_code ignored;
        socket().shutdown(tcp::socket::shutdown_both, ignored);
        socket().close(ignored);
    }
};

websocket_connection::websocket_connection(asio::any_io_executor ex, const tls_config& tls,
                                           std::shared_ptr<clock> clk)
    : impl_(std::make_shared<impl>(std::move(ex), tls, std::move(clk))) {}

websocket_connection::~websocket_connection() {
    if (impl_) {
        impl_->abort();
    }
}

asio::awaitable<result<void>> websocket_connection::connect(const base_url& url, std::string target,
                                                            clock::duration timeout) {
    co_await asio::this_coro::throw_if_cancelled(false);
    auto self = impl_;
    co_return co_await self->connect(url, std::move(target), timeout);
}

asio::awaitable<result<void>> websocket_connection::write_text(std::string text) {
    co_await asio::this_coro::throw_if_cancelled(false);
    auto self = impl_;
    co_return co_await self->write_text(std::move(text));
}

asio::awaitable<result<websocket_message>> websocket_connection::read(clock::duration idle) {
    co_await asio::this_coro::throw_if_cancelled(false);
    auto self = impl_;
    co_return co_await self->read(idle);
}

asio::awaitable<void> websocket_connection::close(clock::duration timeout) {
    co_await asio::this_coro::throw_if_cancelled(false);
    auto self = impl_;
    co_await self->close(timeout);
}

void websocket_connection::abort() {
    impl_->abort();
}
bool websocket_connection::is_open() const {
    return impl_->open;
}

} // namespace exsdk::detail

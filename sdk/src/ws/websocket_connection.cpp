#include "detail/async_semaphore.hpp"
#include "detail/net_connect.hpp"
#include "ws/websocket_connection.hpp"
#include "ws/ws_layer.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/websocket/error.hpp>

#include <optional>

namespace exsdk::detail {

using boost::system::error_code;

struct websocket_connection::impl {
    asio::any_io_executor ex;
    std::shared_ptr<clock> clk;
    tls_config tls;
    std::optional<boost::asio::ssl::context> tls_ctx;
    // The current connection's layer, replaced by each connect; every operation holds its own
    // reference, so a reconnect never destroys a layer under a pending read or write.
    std::shared_ptr<ws_layer> ws;
    timer read_deadline;
    timer write_deadline;
    async_semaphore write_lock{ex, 1};
    boost::beast::flat_buffer buffer;
    bool open = false;

    impl(asio::any_io_executor e, tls_config t, const std::shared_ptr<clock>& c)
        : ex(std::move(e)), clk(c ? c : system_clock()), tls(std::move(t)), read_deadline(ex, clk),
          write_deadline(ex, clk) {}

    asio::awaitable<result<void>> connect(const base_url& url, std::string target,
                                          clock::duration timeout) {
        abort();
        timer deadline(ex, clk);
        deadline.expires_after(timeout);
        if (url.tls) {
            if (!tls_ctx) {
                tls_ctx.emplace(make_tls_context(tls));
            }
            ws = make_tls_ws_layer(ex, *tls_ctx, verify_name(tls, url));
        } else {
            ws = make_plain_ws_layer(ex);
        }
        auto layer = ws;
        auto r = co_await layer->connect(url, target, deadline);
        if (!r) {
            abort();
            co_return r;
        }
        buffer.clear();
        open = true;
        co_return result<void>{};
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
            auto layer = ws;
            ec = co_await layer->write_text(text, write_deadline);
        }
        write_lock.release();
        if (ec) {
            abort();
            co_return transport_error(ec, "websocket write");
        }
        co_return result<void>{};
    }

    asio::awaitable<result<websocket_message>> read(clock::duration idle_timeout) {
        if (!open) {
            co_return error(errc::network, "websocket is not open");
        }
        read_deadline.expires_after(idle_timeout);
        websocket_message msg;
        auto layer = ws;
        if (auto ec = co_await layer->read(buffer, read_deadline, msg.binary); ec) {
            abort();
            if (ec == boost::beast::websocket::error::closed) {
                // The server's close code goes in exchange_code: it says why (1008: policy,
                // e.g. the key was replaced or expired).
                const ws_close_reason reason = layer->close_reason();
                error e(errc::network, "websocket closed by the server" + describe(reason));
                e.exchange_code = static_cast<std::int64_t>(reason.code);
                co_return e;
            }
            co_return transport_error(ec, ec == asio::error::timed_out
                                              ? "websocket idle (no frame received)"
                                              : "websocket read");
        }
        msg.data = boost::beast::buffers_to_string(buffer.data());
        buffer.consume(buffer.size());
        co_return msg;
    }

    static std::string describe(const ws_close_reason& reason) {
        if (reason.code == 0) {
            return {};
        }
        return " (close code " + std::to_string(reason.code) +
               (reason.reason.empty() ? std::string() : ": " + reason.reason) + ")";
    }

    asio::awaitable<void> close(clock::duration timeout) {
        if (open) {
            timer deadline(ex, clk);
            deadline.expires_after(timeout);
            auto layer = ws;
            co_await layer->close(deadline);
        }
        abort();
    }

    void abort() {
        open = false;
        if (ws) {
            ws->abort();
        }
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

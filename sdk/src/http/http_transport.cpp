#include "detail/net_connect.hpp"

#include <exsdk/detail/async_semaphore.hpp>
#include <exsdk/detail/http_transport.hpp>
#include <exsdk/detail/with_deadline.hpp>
#include <exsdk/timer.hpp>
#include <exsdk/version.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include <optional>
#include <variant>

namespace exsdk::detail {

namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace ssl = boost::asio::ssl;
using tcp = boost::asio::ip::tcp;
using boost::system::error_code;

namespace {

http::verb to_verb(http_method m) {
    switch (m) {
    case http_method::get: return http::verb::get;
    case http_method::post: return http::verb::post;
    case http_method::put: return http::verb::put;
    case http_method::del: return http::verb::delete_;
    }
    return http::verb::get;
}

error make_transport_error(error_code ec, std::string_view what) {
    if (ec.category() == make_error_code(http::error::body_limit).category() &&
        ec != http::error::end_of_stream && ec != http::error::partial_message) {
        // Beast's parser rejected what the server sent (not a closed connection).
        return error(errc::protocol, std::string(what) + ": invalid HTTP answer: " + ec.message());
    }
    return transport_error(ec, what);
}

// Errors meaning "the server had closed this (idle) connection before our request arrived".
bool is_stale_connection_error(error_code ec) {
    return ec == http::error::end_of_stream || ec == asio::error::eof ||
           ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
           ec == asio::error::connection_aborted || ec == asio::error::not_connected;
}

const std::string& user_agent() {
    static const std::string ua = std::string("exsdk/") + exsdk::version();
    return ua;
}

} // namespace

struct connection {
    using plain_stream = tcp::socket;
    using tls_stream = ssl::stream<tcp::socket>;

    std::variant<plain_stream, tls_stream> stream;
    timer deadline;
    beast::flat_buffer buffer;
    http::request<http::string_body> request;
    clock::time_point last_used{};

    connection(asio::any_io_executor ex, ssl::context* ctx, std::shared_ptr<clock> clk)
        : stream(make_stream(ex, ctx)), deadline(ex, std::move(clk)) {}

    static std::variant<plain_stream, tls_stream> make_stream(asio::any_io_executor ex,
                                                              ssl::context* ctx) {
        if (ctx != nullptr) {
            return std::variant<plain_stream, tls_stream>(std::in_place_type<tls_stream>, ex, *ctx);
        }
        return std::variant<plain_stream, tls_stream>(std::in_place_type<plain_stream>, ex);
    }

    tcp::socket& socket() {
        if (auto* s = std::get_if<tls_stream>(&stream)) {
            return s->next_layer();
        }
        return std::get<plain_stream>(stream);
    }

    void close() {
        error_code ignored;
        socket().shutdown(tcp::socket::shutdown_both, ignored);
        socket().close(ignored); // no TLS close_notify: the peer tolerates a plain close
    }
};

struct http_transport::impl {
    asio::any_io_executor ex;
    base_url url;
    transport_config cfg;
    std::shared_ptr<clock> clk;
    std::optional<ssl::context> tls_ctx;
    std::string tls_name;
    // Connection permits: max_connections of them. Waiting for one is FIFO and cancellable.
    async_semaphore permits;
    // Idle keep-alive connections, most recently used last (reused first: the warmest).
    std::vector<std::unique_ptr<connection>> idle;
    std::size_t open = 0;

    impl(asio::any_io_executor e, base_url u, const tls_config& tls, transport_config c,
         std::shared_ptr<clock> k)
        : ex(std::move(e)), url(std::move(u)), cfg(c), clk(k ? std::move(k) : system_clock()),
          permits(ex, std::max<std::size_t>(cfg.max_connections, 1)) {
        cfg.max_connections = std::max<std::size_t>(cfg.max_connections, 1);
        if (url.tls) {
            tls_ctx.emplace(make_tls_context(tls));
            tls_name = verify_name(tls, url);
        }
    }

    // Ends a request: a reusable connection goes back to the idle stack, then the permit is
    // returned (waking the first waiter, if any).
    void release(std::unique_ptr<connection> c) {
        if (c) {
            idle.push_back(std::move(c));
        }
        permits.release();
    }

    void discard(std::unique_ptr<connection>& c) {
        if (c) {
            c->close();
            c.reset();
            --open;
        }
    }

    asio::awaitable<error_code> connect(connection& c) {
        c.deadline.expires_after(cfg.connect_timeout);
        if (auto ec = co_await connect_tcp(c.socket(), url, c.deadline); ec) {
            co_return ec;
        }
        if (auto* s = std::get_if<connection::tls_stream>(&c.stream)) {
            co_return co_await tls_handshake(*s, tls_name, c.deadline);
        }
        co_return error_code{};
    }

    struct exchange_outcome {
        error_code ec;
        bool got_answer_bytes = false;
        bool keep_alive = false;
        http_response response;
    };

    template <class Stream>
    asio::awaitable<exchange_outcome> exchange(connection& c, Stream& stream,
                                               const http_request& req) {
        exchange_outcome out;
        auto& r = c.request;
        r = {};
        r.method(to_verb(req.method));
        r.target(req.target);
        r.version(11);
        r.set(http::field::host, url.host_header);
        r.set(http::field::user_agent, user_agent());
        if (!req.content_type.empty()) {
            r.set(http::field::content_type, req.content_type);
        }
        for (std::size_t i = 0; i < req.header_count; ++i) {
            r.set(req.headers[i].name, req.headers[i].value);
        }
        r.body() = req.body;
        if (req.method != http_method::get || !req.body.empty()) {
            r.prepare_payload(); // Content-Length, also 0 for bodiless POST/PUT/DELETE
        }
        c.deadline.expires_after(cfg.request_timeout);
        out.ec = co_await with_deadline(c.deadline, http::async_write(stream, r, asio::deferred));
        if (out.ec) {
            co_return out;
        }
        http::response_parser<http::string_body> parser;
        parser.body_limit(cfg.max_response_bytes);
        out.ec = co_await with_deadline(c.deadline,
                                        http::async_read(stream, c.buffer, parser, asio::deferred));
        out.got_answer_bytes = parser.got_some();
        if (out.ec) {
            co_return out;
        }
        auto& msg = parser.get();
        out.keep_alive = msg.keep_alive();
        out.response.status = msg.result_int();
        out.response.body = std::move(msg.body());
        co_return out;
    }

    asio::awaitable<result<http_response>> send(const http_request& req) {
        for (int attempt = 0;; ++attempt) {
            if (!permits.try_acquire()) {
                auto [ec] = co_await permits.async_acquire(asio::as_tuple(asio::use_awaitable));
                if (ec) {
                    co_return make_transport_error(ec, "waiting for a connection");
                }
            }
            // From here a permit is ours: every path returns it exactly once (release()).
            std::unique_ptr<connection> c;
            while (!idle.empty() && !c) {
                c = std::move(idle.back());
                idle.pop_back();
                if (clk->now() - c->last_used > cfg.idle_timeout) {
                    discard(c); // the server has probably closed it
                }
            }
            const bool reused = c != nullptr;
            if (!c) {
                c = std::make_unique<connection>(ex, tls_ctx ? &*tls_ctx : nullptr, clk);
                ++open;
                if (auto ec = co_await connect(*c); ec) {
                    discard(c);
                    release(nullptr);
                    co_return make_transport_error(ec, "connect to " + url.host_header);
                }
            }
            exchange_outcome out;
            if (auto* s = std::get_if<connection::tls_stream>(&c->stream)) {
                out = co_await exchange(*c, *s, req);
            } else {
                out = co_await exchange(*c, std::get<connection::plain_stream>(c->stream), req);
            }
            if (!out.ec) {
                if (out.keep_alive) {
                    c->last_used = clk->now();
                } else {
                    discard(c);
                }
                release(std::move(c));
                co_return std::move(out.response);
            }
            discard(c);
            release(nullptr);
            if (reused && attempt == 0 && !out.got_answer_bytes &&
                is_stale_connection_error(out.ec)) {
                continue; // the server closed the idle connection: once more on a fresh one
            }
            co_return make_transport_error(out.ec, "request to " + url.host_header);
        }
    }

    void close_idle() {
        for (auto& c : idle) {
            discard(c);
        }
        idle.clear();
    }
};

http_transport::http_transport(asio::any_io_executor ex, base_url url, const tls_config& tls,
                               transport_config cfg, std::shared_ptr<clock> clk)
    : impl_(std::make_shared<impl>(std::move(ex), std::move(url), tls, cfg, std::move(clk))) {}

http_transport::~http_transport() {
    if (impl_) {
        impl_->close_idle();
    }
}

asio::awaitable<result<http_response>> http_transport::send(const http_request& req) {
    co_await asio::this_coro::throw_if_cancelled(false);
    auto self = impl_; // keeps the pool alive while this request is in flight
    co_return co_await self->send(req);
}

void http_transport::close_idle() {
    impl_->close_idle();
}
std::size_t http_transport::open_connections() const {
    return impl_->open;
}
const base_url& http_transport::url() const {
    return impl_->url;
}

} // namespace exsdk::detail

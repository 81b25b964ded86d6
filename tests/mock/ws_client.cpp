#include "ws_client.hpp"

#include <exsdk/gzip.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <chrono>
#include <optional>
#include <stdexcept>
#include <variant>

namespace mocktest {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using boost::system::error_code;

namespace {
using plain_ws = websocket::stream<tcp::socket>;
using tls_ws = websocket::stream<asio::ssl::stream<tcp::socket>>;
constexpr auto guard = std::chrono::seconds(20); // real time: a hang guard only
} // namespace

struct ws_client::impl {
    std::uint16_t port = 0;
    ws_options opts;
    asio::io_context ioc;
    std::optional<asio::ssl::context> ctx;
    std::variant<std::monostate, plain_ws, tls_ws> ws;
    beast::flat_buffer buffer;
    exsdk::gzip_decoder gunzip;
    unsigned status = 0;
    std::string body;

    template <class F>
    decltype(auto) visit(F&& f) {
        if (auto* p = std::get_if<plain_ws>(&ws)) {
            return f(*p);
        }
        return f(std::get<tls_ws>(ws));
    }

    tcp::socket& lowest() {
        return visit([](auto& s) -> tcp::socket& { return beast::get_lowest_layer(s); });
    }

    /// Runs the io_context until `done` or the hang guard; false on the guard.
    bool run(const bool& done) {
        ioc.restart();
        ioc.run_for(guard); // returns as soon as the operation completed (no work left)
        if (!done) {
            error_code ignored;
            lowest().close(ignored);
            ioc.restart();
            ioc.run(); // let the aborted operation complete
            return false;
        }
        return true;
    }
};

ws_client::ws_client(std::uint16_t port, ws_options opts) : impl_(std::make_unique<impl>()) {
    impl_->port = port;
    impl_->opts = std::move(opts);
}

ws_client::~ws_client() = default;
ws_client::ws_client(ws_client&&) noexcept = default;
ws_client& ws_client::operator=(ws_client&&) noexcept = default;

unsigned ws_client::status() const {
    return impl_->status;
}

const std::string& ws_client::body() const {
    return impl_->body;
}

bool ws_client::connect(std::string_view target) {
    auto& d = *impl_;
    d.status = 0;
    d.body.clear();
    d.buffer.clear();
    tcp::socket s(d.ioc);
    const tcp::endpoint remote(asio::ip::make_address("127.0.0.1"), d.port);
    s.open(remote.protocol());
    if (!d.opts.local_address.empty()) {
        s.bind(tcp::endpoint(asio::ip::make_address(d.opts.local_address), 0));
    }
    s.connect(remote);
    s.set_option(tcp::no_delay(true));
    if (d.opts.tls) {
        if (!d.ctx) {
            d.ctx.emplace(asio::ssl::context::tls_client);
            d.ctx->add_certificate_authority(asio::buffer(d.opts.ca_pem));
            d.ctx->set_verify_mode(asio::ssl::verify_peer);
        }
        auto& w = d.ws.emplace<tls_ws>(std::move(s), *d.ctx);
        w.next_layer().set_verify_callback(asio::ssl::host_name_verification("127.0.0.1"));
        w.next_layer().handshake(asio::ssl::stream_base::client);
    } else {
        d.ws.emplace<plain_ws>(std::move(s));
    }
    websocket::response_type res;
    error_code ec;
    bool done = false;
    d.visit([&](auto& w) {
        w.set_option(websocket::stream_base::timeout{websocket::stream_base::none(),
                                                     websocket::stream_base::none(), false});
        w.async_handshake(res, "127.0.0.1:" + std::to_string(d.port), std::string(target),
                          [&](error_code e) {
                              ec = e;
                              done = true;
                          });
    });
    if (!d.run(done)) {
        throw std::runtime_error("websocket handshake: no answer within 20 s");
    }
    d.status = res.result_int();
    d.body = res.body();
    if (ec == websocket::error::upgrade_declined) {
        return false;
    }
    if (ec) {
        throw std::runtime_error("websocket handshake: " + ec.message());
    }
    return true;
}

void ws_client::send(std::string_view text) {
    auto& d = *impl_;
    error_code ec;
    bool done = false;
    d.visit([&](auto& w) {
        w.text(true);
        w.async_write(asio::buffer(text.data(), text.size()), [&](error_code e, std::size_t) {
            ec = e;
            done = true;
        });
    });
    if (!d.run(done) || ec) {
        throw std::runtime_error("websocket write: " + (ec ? ec.message() : "timeout"));
    }
}

ws_event ws_client::next() {
    auto& d = *impl_;
    ws_event ev;
    error_code ec;
    bool done = false;
    d.buffer.clear();
    d.visit([&](auto& w) {
        w.async_read(d.buffer, [&](error_code e, std::size_t) {
            ec = e;
            done = true;
        });
    });
    if (!d.run(done)) {
        ev.what = ws_event::kind::error;
        ev.error = "timeout: nothing within 20 s";
        return ev;
    }
    if (ec == websocket::error::closed) {
        ev.what = ws_event::kind::closed;
        d.visit([&](auto& w) {
            ev.code = static_cast<std::uint16_t>(w.reason().code);
            ev.reason = std::string(w.reason().reason.data(), w.reason().reason.size());
        });
        return ev;
    }
    if (ec) {
        ev.what = ws_event::kind::error;
        ev.error = ec.message();
        return ev;
    }
    const auto b = d.buffer.cdata();
    std::string payload(static_cast<const char*>(b.data()), b.size());
    const bool binary = d.visit([](auto& w) { return w.got_binary(); });
    if (!binary) {
        ev.what = ws_event::kind::text;
        ev.data = std::move(payload);
        return ev;
    }
    ev.what = ws_event::kind::binary;
    ev.gzip = !d.gunzip.decode(payload, ev.data);
    if (!ev.gzip) {
        ev.data = payload;
    }
    ev.raw = std::move(payload);
    return ev;
}

ws_event ws_client::next_skipping_pings() {
    for (;;) {
        auto ev = next();
        if (!ev.is_message()) {
            return ev;
        }
        if (ev.data == "Ping") {
            send("Pong");
            continue;
        }
        error_code ec;
        auto v = boost::json::parse(ev.data, ec);
        if (!ec && v.is_object() && v.as_object().contains("ping")) {
            boost::json::object pong;
            pong["pong"] = v.at("ping");
            pong["time"] = v.as_object().contains("time") ? v.at("time") : boost::json::value();
            send(boost::json::serialize(pong));
            continue;
        }
        return ev;
    }
}

void ws_client::close(std::uint16_t code) {
    auto& d = *impl_;
    bool done = false;
    d.visit([&](auto& w) {
        w.async_close(static_cast<websocket::close_code>(code), [&](error_code) { done = true; });
    });
    d.run(done);
}

void ws_client::abort() {
    error_code ignored;
    impl_->lowest().close(ignored);
}

// ---- async_ws_client ----------------------------------------------------------------------

struct async_ws_client::impl {
    impl(asio::any_io_executor ex, std::uint16_t p) : ws(std::move(ex)), port(p) {}
    plain_ws ws;
    std::uint16_t port;
    beast::flat_buffer buffer;
    exsdk::gzip_decoder gunzip;
    unsigned status = 0;
};

async_ws_client::async_ws_client(asio::any_io_executor ex, std::uint16_t port)
    : impl_(std::make_shared<impl>(std::move(ex), port)) {}

async_ws_client::~async_ws_client() {
    error_code ignored;
    beast::get_lowest_layer(impl_->ws).close(ignored);
}

unsigned async_ws_client::status() const {
    return impl_->status;
}

asio::awaitable<bool> async_ws_client::connect(std::string target) {
    auto d = impl_;
    auto& sock = beast::get_lowest_layer(d->ws);
    co_await sock.async_connect({asio::ip::make_address("127.0.0.1"), d->port},
                                asio::use_awaitable);
    // Without it, Nagle holds a small frame (a close reply after a PING) until a real-time
    // delayed ACK, and a virtual-time driver jumps past every deadline meanwhile.
    sock.set_option(tcp::no_delay(true));
    d->ws.set_option(websocket::stream_base::timeout{websocket::stream_base::none(),
                                                     websocket::stream_base::none(), false});
    websocket::response_type res;
    auto [ec] = co_await d->ws.async_handshake(res, "127.0.0.1", target,
                                               asio::as_tuple(asio::use_awaitable));
    d->status = res.result_int();
    co_return !ec;
}

asio::awaitable<void> async_ws_client::send(std::string text) {
    auto d = impl_;
    d->ws.text(true);
    auto [ec, n] =
        co_await d->ws.async_write(asio::buffer(text), asio::as_tuple(asio::use_awaitable));
    (void)ec;
    (void)n;
}

asio::awaitable<ws_event> async_ws_client::next() {
    auto d = impl_;
    ws_event ev;
    d->buffer.clear();
    auto [ec, n] = co_await d->ws.async_read(d->buffer, asio::as_tuple(asio::use_awaitable));
    (void)n;
    if (ec == websocket::error::closed) {
        ev.what = ws_event::kind::closed;
        ev.code = static_cast<std::uint16_t>(d->ws.reason().code);
        ev.reason = std::string(d->ws.reason().reason.data(), d->ws.reason().reason.size());
        co_return ev;
    }
    if (ec) {
        ev.what = ws_event::kind::error;
        ev.error = ec.message();
        co_return ev;
    }
    const auto b = d->buffer.cdata();
    std::string payload(static_cast<const char*>(b.data()), b.size());
    if (!d->ws.got_binary()) {
        ev.what = ws_event::kind::text;
        ev.data = std::move(payload);
        co_return ev;
    }
    ev.what = ws_event::kind::binary;
    ev.gzip = !d->gunzip.decode(payload, ev.data);
    ev.raw = std::move(payload);
    co_return ev;
}

} // namespace mocktest

#include "http_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>

#include <optional>
#include <stdexcept>
#include <strings.h>

namespace mocktest {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

bool ci_less::operator()(const std::string& a, const std::string& b) const {
    return ::strcasecmp(a.c_str(), b.c_str()) < 0;
}

std::string http_response::header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
}

struct http_client::impl {
    std::string host;
    std::uint16_t port;
    client_options opts;
    asio::io_context ioc;
    std::optional<asio::ssl::context> ctx;
    std::optional<tcp::socket> sock;                   // plain
    std::optional<asio::ssl::stream<tcp::socket>> tls; // or TLS
    beast::flat_buffer buffer;

    tcp::socket* lowest() {
        if (tls) {
            return &tls->next_layer();
        }
        return sock ? &*sock : nullptr;
    }

    template <class F>
    auto with_stream(F&& f) {
        if (tls) {
            return f(*tls);
        }
        return f(*sock);
    }
};

http_client::http_client(std::string host, std::uint16_t port, client_options opts)
    : impl_(std::make_unique<impl>()) {
    impl_->host = std::move(host);
    impl_->port = port;
    impl_->opts = std::move(opts);
}

namespace {
std::pair<std::string, std::uint16_t> split_url(const std::string& url, bool& tls) {
    std::string rest = url;
    tls = false;
    if (rest.starts_with("https://")) {
        tls = true;
        rest = rest.substr(8);
    } else if (rest.starts_with("http://")) {
        rest = rest.substr(7);
    }
    const auto colon = rest.rfind(':');
    return {rest.substr(0, colon), static_cast<std::uint16_t>(std::stoi(rest.substr(colon + 1)))};
}
} // namespace

http_client::http_client(const std::string& base_url, client_options opts)
    : impl_(std::make_unique<impl>()) {
    bool tls = false;
    auto [h, p] = split_url(base_url, tls);
    impl_->host = h;
    impl_->port = p;
    impl_->opts = std::move(opts);
    impl_->opts.tls = impl_->opts.tls || tls;
}

http_client::~http_client() = default;
http_client::http_client(http_client&&) noexcept = default;

bool http_client::is_connected() const {
    auto* s = impl_->lowest();
    return s != nullptr && s->is_open();
}

void http_client::connect() {
    auto& d = *impl_;
    d.tls.reset();
    d.sock.reset();
    d.buffer.clear();
    tcp::socket s(d.ioc);
    const tcp::endpoint remote(asio::ip::make_address(d.host), d.port);
    s.open(remote.protocol());
    if (!d.opts.local_address.empty()) {
        s.bind(tcp::endpoint(asio::ip::make_address(d.opts.local_address), 0));
    }
    s.connect(remote);
    s.set_option(tcp::no_delay(true));
    if (!d.opts.tls) {
        d.sock.emplace(std::move(s));
    } else {
        if (!d.ctx) {
            d.ctx.emplace(asio::ssl::context::tls_client);
            if (!d.opts.ca_pem.empty()) {
                d.ctx->add_certificate_authority(asio::buffer(d.opts.ca_pem));
            }
            d.ctx->set_verify_mode(asio::ssl::verify_peer);
        }
        d.tls.emplace(std::move(s), *d.ctx);
        d.tls->set_verify_callback(asio::ssl::host_name_verification(d.opts.verify_host));
        d.tls->handshake(asio::ssl::stream_base::client);
    }
}

void http_client::close() {
    if (auto* s = impl_->lowest()) {
        boost::system::error_code ec;
        s->close(ec);
    }
    impl_->tls.reset();
    impl_->sock.reset();
}

void http_client::send_raw(std::string_view bytes) {
    if (!is_connected()) {
        connect();
    }
    impl_->with_stream([&](auto& s) { asio::write(s, asio::buffer(bytes)); });
}

http_response http_client::read_response(bool head) {
    http::response_parser<http::string_body> parser;
    parser.skip(head);
    parser.body_limit(64 * 1024 * 1024);
    boost::system::error_code ec;
    impl_->with_stream([&](auto& s) { http::read(s, impl_->buffer, parser, ec); });
    if (ec) {
        throw std::runtime_error("read_response: " + ec.message());
    }
    auto& msg = parser.get();
    http_response r;
    r.status = msg.result_int();
    r.body = msg.body();
    r.keep_alive = msg.keep_alive();
    for (const auto& f : msg) {
        r.headers[std::string(f.name_string())] = std::string(f.value());
    }
    if (!r.keep_alive) {
        close();
    }
    return r;
}

bool http_client::wait_closed() {
    if (!is_connected()) {
        return true;
    }
    if (impl_->buffer.size() > 0) {
        return false;
    }
    char c;
    boost::system::error_code ec;
    const std::size_t n =
        impl_->with_stream([&](auto& s) { return s.read_some(asio::buffer(&c, 1), ec); });
    if (n > 0) {
        return false;
    }
    close();
    return true;
}

std::size_t http_client::drain_until_closed() {
    std::size_t total = impl_->buffer.size();
    impl_->buffer.clear();
    while (is_connected()) {
        char buf[4096];
        boost::system::error_code ec;
        const std::size_t n =
            impl_->with_stream([&](auto& s) { return s.read_some(asio::buffer(buf), ec); });
        total += n;
        if (ec) {
            close();
        }
    }
    return total;
}

http_response http_client::request(std::string_view method, std::string_view target,
                                   const header_list& headers, std::string_view body) {
    if (!is_connected()) {
        connect();
    }
    std::string req;
    req.append(method).append(" ").append(target).append(" HTTP/1.1\r\n");
    req.append("Host: ").append(impl_->host).append(":").append(std::to_string(impl_->port));
    req.append("\r\n");
    for (const auto& [k, v] : headers) {
        req.append(k).append(": ").append(v).append("\r\n");
    }
    if (!body.empty() || method == "POST" || method == "PUT") {
        req.append("Content-Length: ").append(std::to_string(body.size())).append("\r\n");
    }
    req.append("\r\n").append(body);
    send_raw(req);
    return read_response(method == "HEAD");
}

} // namespace mocktest

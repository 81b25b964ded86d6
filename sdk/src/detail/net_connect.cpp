#include "detail/net_connect.hpp"
#include "detail/with_deadline.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>

#include <openssl/ssl.h>

namespace exsdk::detail {

namespace ssl = boost::asio::ssl;
using tcp = boost::asio::ip::tcp;
using boost::system::error_code;

ssl::context make_tls_context(const tls_config& tls) {
    ssl::context ctx(ssl::context::tls_client);
    ctx.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                    ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
    error_code ec;
    if (!tls.ca_file.empty()) {
        ctx.load_verify_file(tls.ca_file, ec);
        if (ec) {
            throw exception(error(errc::invalid_argument,
                                  "cannot load CA file '" + tls.ca_file + "': " + ec.message()));
        }
    }
    if (!tls.ca_pem.empty()) {
        ctx.add_certificate_authority(boost::asio::buffer(tls.ca_pem), ec);
        if (ec) {
            throw exception(
                error(errc::invalid_argument, "cannot load the given CA PEM: " + ec.message()));
        }
    }
    if (tls.ca_file.empty() && tls.ca_pem.empty()) {
        ctx.set_default_verify_paths(ec);
        if (ec) {
            throw exception(error(errc::invalid_argument,
                                  "cannot load the system trust store: " + ec.message()));
        }
    }
    ctx.set_verify_mode(tls.verify_peer ? ssl::verify_peer : ssl::verify_none);
    return ctx;
}

std::string verify_name(const tls_config& tls, const base_url& url) {
    return tls.server_name.empty() ? url.host : tls.server_name;
}

boost::asio::awaitable<error_code> connect_tcp(tcp::socket& socket, const base_url& url,
                                               timer& deadline) {
    tcp::resolver::results_type endpoints;
    if (url.host_is_address) {
        endpoints = tcp::resolver::results_type::create(
            tcp::endpoint(boost::asio::ip::make_address(url.host), url.port), url.host,
            std::to_string(url.port));
    } else {
        tcp::resolver resolver(socket.get_executor());
        auto r = co_await race_deadline(
            deadline,
            resolver.async_resolve(url.host, std::to_string(url.port), boost::asio::deferred));
        if (auto ec = deadline_error(r); ec) {
            co_return ec;
        }
        endpoints = std::get<2>(r);
    }
    if (auto ec = co_await with_deadline(
            deadline, boost::asio::async_connect(socket, endpoints, boost::asio::deferred));
        ec) {
        co_return ec;
    }
    error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    co_return error_code{};
}

boost::asio::awaitable<error_code> tls_handshake(ssl::stream<tcp::socket>& stream,
                                                 const std::string& name, timer& deadline) {
    error_code not_address;
    (void)boost::asio::ip::make_address(name, not_address);
    if (not_address) {
        // SSL_set_tlsext_host_name() is a macro with a C cast; this is its expansion.
        SSL_ctrl(stream.native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
                 const_cast<char*>(name.c_str()));
    }
    stream.set_verify_callback(ssl::host_name_verification(name));
    co_return co_await with_deadline(
        deadline, stream.async_handshake(ssl::stream_base::client, boost::asio::deferred));
}

error transport_error(error_code ec, std::string_view what) {
    if (ec == boost::asio::error::timed_out) {
        return error(errc::timeout, std::string(what) + " timed out");
    }
    if (ec == boost::asio::error::operation_aborted) {
        return error(errc::cancelled, std::string(what) + " cancelled");
    }
    return error(errc::network, std::string(what) + ": " + ec.message());
}

} // namespace exsdk::detail

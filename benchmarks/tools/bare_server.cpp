// bench_bare_server: the floor for the mock under wrk. Same shape as the mock's listener (one
// thread, one coroutine per connection, TCP_NODELAY, Beast's request parser, one write per
// answer, keep-alive) but no routing, no signature check, no state: every request gets the same
// bytes (an answer of the mock, captured by bench_bare_client --capture).
//
//   bench_bare_server --response FILE [--port N]
//   prints "listening on http://127.0.0.1:PORT", serves until SIGINT/SIGTERM
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>

#include <csignal>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

asio::awaitable<void> serve(tcp::socket s, const std::string& answer) {
    boost::system::error_code ignored;
    s.set_option(tcp::no_delay(true), ignored);
    beast::flat_buffer buffer;
    for (;;) {
        http::request_parser<http::string_body> parser;
        auto [ec, n] =
            co_await http::async_read(s, buffer, parser, asio::as_tuple(asio::use_awaitable));
        if (ec) {
            break;
        }
        auto [wec, wn] = co_await asio::async_write(s, asio::buffer(answer),
                                                    asio::as_tuple(asio::use_awaitable));
        (void)n;
        (void)wn;
        if (wec || !parser.get().keep_alive()) {
            break;
        }
    }
    s.shutdown(tcp::socket::shutdown_both, ignored);
}

asio::awaitable<void> accept_loop(tcp::acceptor& acceptor, const std::string& answer) {
    for (;;) {
        auto [ec, s] = co_await acceptor.async_accept(asio::as_tuple(asio::use_awaitable));
        if (ec) {
            if (!acceptor.is_open()) {
                co_return;
            }
            continue;
        }
        asio::co_spawn(acceptor.get_executor(), serve(std::move(s), answer), asio::detached);
    }
}

} // namespace

int main(int argc, char** argv) {
    std::signal(SIGPIPE, SIG_IGN);
    std::string response_file;
    unsigned short port = 0;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string k = argv[i];
        if (k == "--response") {
            response_file = argv[i + 1];
        } else if (k == "--port") {
            port = static_cast<unsigned short>(std::stoi(argv[i + 1]));
        } else {
            std::cerr << "bench_bare_server: unknown flag " << k << '\n';
            return 2;
        }
    }
    std::ifstream in(response_file, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    const std::string answer = ss.str();
    if (!in || answer.empty()) {
        std::cerr << "bench_bare_server: --response FILE (an HTTP answer) is required\n";
        return 2;
    }
    try {
        asio::io_context ioc(1);
        tcp::acceptor acceptor(ioc, tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
        std::cout << "listening on http://127.0.0.1:" << acceptor.local_endpoint().port()
                  << std::endl;
        asio::signal_set signals(ioc, SIGINT, SIGTERM);
        signals.async_wait([&](const boost::system::error_code&, int) { ioc.stop(); });
        asio::co_spawn(ioc, accept_loop(acceptor, answer), asio::detached);
        ioc.run();
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "bench_bare_server: " << e.what() << '\n';
        return 1;
    }
}

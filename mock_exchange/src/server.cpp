// The mock exchange's listener and public facade: listener's start (TLS identity, bind,
// listen), accept loop and stop, the server's calls (journal, faults, accounts, listen keys,
// streams, pushes: each forwarded to the shared state), and threaded_server. The connections
// are in connection.cpp.
#include "listener.hpp"
#include "tls_identity.hpp"

#include <exsdk/mock/server.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <atomic>
#include <fstream>
#include <future>
#include <optional>
#include <stdexcept>
#include <system_error>
#include <thread>

namespace exsdk::mock {

namespace ssl = asio::ssl;
using boost::system::error_code;
using detail::tcp;

namespace {

std::system_error to_std(const error_code& ec, const std::string& what) {
    return std::system_error(std::error_code(ec.value(), std::system_category()), what);
}

} // namespace

struct server::impl : detail::listener {
    using listener::listener;
};

void detail::listener::start() {
    if (started) {
        throw std::logic_error("mock server: start() called twice");
    }
    started = true;
    std::string host = cfg.host == "localhost" ? "127.0.0.1" : cfg.host;
    error_code ec;
    const auto addr = asio::ip::make_address(host, ec);
    if (ec) {
        throw std::system_error(std::make_error_code(std::errc::invalid_argument),
                                "mock server: listen host \"" + cfg.host +
                                    "\" is not an IP address (or localhost)");
    }
    if (cfg.tls) {
        try {
            const auto id = detail::make_tls_identity(host);
            tls.emplace(ssl::context::tls_server);
            tls->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                             ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                             ssl::context::no_tlsv1_1 | ssl::context::single_dh_use);
            tls->use_certificate_chain(asio::buffer(id.server_cert_pem + id.ca_cert_pem));
            tls->use_private_key(asio::buffer(id.server_key_pem), ssl::context::pem);
            ca_pem = id.ca_cert_pem;
        } catch (const boost::system::system_error& e) {
            throw to_std(e.code(), "mock server: TLS set-up"); // (what() adds the code's text)
        } catch (const std::runtime_error& e) {
            throw std::system_error(std::make_error_code(std::errc::protocol_error),
                                    std::string("mock server: ") + e.what());
        }
        if (!cfg.ca_out.empty()) {
            std::ofstream f(cfg.ca_out, std::ios::binary | std::ios::trunc);
            f << ca_pem;
            if (!f.flush()) {
                throw std::system_error(std::make_error_code(std::errc::io_error),
                                        "mock server: cannot write the CA to " + cfg.ca_out);
            }
        }
    }
    const tcp::endpoint endpoint(addr, cfg.port);
    acceptor.emplace(ex);
    auto fail = [&](const char* what) {
        acceptor.reset();
        // std::system_error appends ": " and the error's own text ("Address already in use").
        throw to_std(ec, std::string("mock server: cannot listen on ") + host + ":" +
                             std::to_string(cfg.port) + " (" + what + ")");
    };
    if (acceptor->open(endpoint.protocol(), ec)) {
        fail("open");
    }
    acceptor->set_option(asio::socket_base::reuse_address(true), ec);
    if (acceptor->bind(endpoint, ec)) {
        fail("bind");
    }
    if (acceptor->listen(asio::socket_base::max_listen_connections, ec)) {
        fail("listen");
    }
    port = acceptor->local_endpoint().port();
    std::string url_host = host;
    if (addr.is_unspecified()) {
        url_host = addr.is_v4() ? "127.0.0.1" : "::1";
    }
    if (addr.is_v6()) {
        url_host = "[" + url_host + "]";
    }
    url = std::string(cfg.tls ? "https://" : "http://") + url_host + ":" + std::to_string(port);
    asio::co_spawn(ex, accept_loop(), asio::detached);
}

asio::awaitable<void> detail::listener::accept_loop() {
    auto self = shared_from_this();
    while (!stopped) {
        auto [ec, sock] = co_await acceptor->async_accept(asio::as_tuple(asio::use_awaitable));
        if (stopped || ec == asio::error::operation_aborted) {
            break;
        }
        if (ec) {
            if (ec == asio::error::no_descriptors || ec == asio::error::no_buffer_space ||
                ec == asio::error::no_memory || ec.value() == ENFILE) {
                // Out of file descriptors: back off briefly (real time: this is the machine's
                // resource, not the exchange's) instead of spinning.
                accept_retry.emplace(ex, exsdk::system_clock());
                accept_retry->expires_after(std::chrono::milliseconds(20));
                auto [wec] = co_await accept_retry->async_wait(asio::as_tuple(asio::use_awaitable));
                (void)wec;
            }
            continue;
        }
        if (connections.load(std::memory_order_relaxed) >= cfg.max_connections) {
            error_code ignored;
            sock.close(ignored);
            continue;
        }
        spawn_connection(std::move(sock));
    }
}

void detail::listener::stop_here() {
    if (stopped) {
        return;
    }
    stopped = true;
    state.streams.stop(); // sockets that end from now on are not journaled
    error_code ec;
    if (acceptor) {
        acceptor->close(ec);
    }
    if (accept_retry) {
        accept_retry->cancel();
    }
    for (auto* c : live) {
        c->close();
    }
}

// ---------------------------------------------------------------------------------------------
// server
// ---------------------------------------------------------------------------------------------

server::server(asio::any_io_executor ex, config cfg)
    : impl_(std::make_shared<impl>(std::move(ex), std::move(cfg))) {}

server::~server() {
    stop();
}

void server::start() {
    impl_->start();
}

void server::stop() {
    const auto owner = impl_->owner_thread.load();
    if (owner != std::thread::id{} && owner != std::this_thread::get_id()) {
        // Owned by a threaded_server: stop on its thread and wait.
        std::promise<void> done;
        auto fut = done.get_future();
        asio::post(impl_->ex, [i = impl_, &done] {
            i->stop_here();
            done.set_value();
        });
        fut.wait();
        return;
    }
    impl_->stop_here();
}

std::uint16_t server::port() const {
    return impl_->port.load();
}

std::string server::base_url() const {
    return impl_->url;
}

std::string server::ca_pem() const {
    return impl_->ca_pem;
}

std::vector<journal_entry> server::journal() const {
    std::lock_guard lock(impl_->state.mutex);
    return {impl_->state.journal.begin(), impl_->state.journal.end()};
}

state_stats server::stats() const {
    std::lock_guard lock(impl_->state.mutex);
    return impl_->state.stats_locked();
}

void server::clear_journal() {
    std::lock_guard lock(impl_->state.mutex);
    impl_->state.journal.clear();
}

void server::add_fault(fault f) {
    try {
        detail::validate_fault(f);
    } catch (const std::invalid_argument& e) {
        throw std::invalid_argument(std::string("fault: ") + e.what());
    }
    std::lock_guard lock(impl_->state.mutex);
    impl_->state.faults.push_back(std::move(f));
}

void server::clear_faults() {
    std::lock_guard lock(impl_->state.mutex);
    impl_->state.faults.clear();
}

std::vector<fault> server::faults() const {
    std::lock_guard lock(impl_->state.mutex);
    return {impl_->state.faults.begin(), impl_->state.faults.end()};
}

void server::set_accounts(accounts a) {
    auto index = std::make_shared<const detail::account_index>(std::move(a)); // validates
    std::lock_guard lock(impl_->state.mutex);
    impl_->state.set_accounts_locked(std::move(index));
}

accounts server::get_accounts() const {
    std::lock_guard lock(impl_->state.mutex);
    return impl_->state.accounts->all();
}

void server::reset() {
    std::lock_guard lock(impl_->state.mutex);
    impl_->state.reset_locked();
}

namespace {
listen_key_state to_state(const detail::listen_key_info& i) {
    return {std::string(detail::to_string(i.venue)),
            i.key,
            i.api_key,
            i.account_id,
            i.created_ms,
            i.expires_ms};
}
} // namespace

std::vector<listen_key_state> server::listen_keys() const {
    std::vector<listen_key_state> out;
    std::lock_guard lock(impl_->state.mutex);
    for (const auto& i : impl_->state.listen_keys.live(impl_->state.clock->wall_ms())) {
        out.push_back(to_state(i));
    }
    return out;
}

std::optional<listen_key_state> server::find_listen_key(std::string_view key) const {
    for (auto v : {detail::venue::woox, detail::venue::bingx}) {
        if (auto i = impl_->state.lookup_listen_key(v, key)) {
            return to_state(*i);
        }
    }
    return std::nullopt;
}

const std::shared_ptr<exsdk::clock>& server::clock() const {
    return impl_->cfg.clock;
}

std::size_t server::connection_count() const {
    return impl_->connections.load(std::memory_order_relaxed);
}

namespace {
std::optional<detail::venue> exchange_filter(std::string_view exchange) {
    if (exchange.empty()) {
        return std::nullopt;
    }
    if (auto v = detail::parse_venue(exchange)) {
        return v;
    }
    throw std::invalid_argument(R"(exchange must be "woox", "bingx" or empty)");
}
} // namespace

std::size_t server::push_event(const stream_push& p) {
    const auto r = detail::resolve_push(impl_->state, p);
    const auto n = impl_->state.streams.push(r.v, r.account_id, p.topic,
                                             p.data.empty() ? std::string_view("{}") : p.data);
    impl_->state.metrics.count_pushed(r.v, n);
    return n;
}

std::size_t server::drop_streams(std::string_view exchange, std::string_view api_key) {
    return impl_->state.streams.drop(exchange_filter(exchange), api_key);
}

std::size_t server::stream_count(std::string_view exchange) const {
    return impl_->state.streams.count(exchange_filter(exchange));
}

std::vector<stream_state> server::streams() const {
    return impl_->state.streams.list();
}

// ---------------------------------------------------------------------------------------------
// threaded_server
// ---------------------------------------------------------------------------------------------

struct threaded_server::impl {
    explicit impl(config cfg) : srv(ioc.get_executor(), std::move(cfg)) {
        srv.start();
        thread = std::thread([this] { ioc.run(); });
        srv.impl_->owner_thread = thread.get_id();
    }

    void stop() {
        std::lock_guard lock(mutex);
        if (!thread.joinable()) {
            return;
        }
        if (thread.get_id() == std::this_thread::get_id()) {
            throw std::logic_error("threaded_server::stop() called from the server's thread");
        }
        asio::post(ioc, [this] { srv.impl_->stop_here(); });
        thread.join();
        srv.impl_->owner_thread = std::thread::id{};
    }

    asio::io_context ioc{1};
    server srv;
    std::thread thread;
    std::mutex mutex;
};

threaded_server::threaded_server(config cfg) : impl_(std::make_unique<impl>(std::move(cfg))) {}

threaded_server::~threaded_server() {
    impl_->stop();
}

server& threaded_server::get() {
    return impl_->srv;
}

const server& threaded_server::get() const {
    return impl_->srv;
}

std::string threaded_server::base_url() const {
    return impl_->srv.base_url();
}

void threaded_server::stop() {
    impl_->stop();
}

} // namespace exsdk::mock

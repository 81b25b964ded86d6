// The mock exchange's I/O: the listener, the connection coroutine (HTTP/1.1 keep-alive, TLS,
// timeouts on the injected clock, faults) and threaded_server. Everything the exchanges answer
// is decided by the sans-io router (router.hpp); this file only moves bytes.
//
// Connection coroutine, per request:
//   idle read (first byte, idle_timeout) -> header (header_timeout) -> body (body_timeout) ->
//   router.route() -> [fault delay on the clock] -> write (write_timeout) -> keep-alive or close.
// Timeouts: one watchdog exsdk::timer per connection on the mock's clock; when the current
// phase's deadline passes it emits terminal cancellation on the pending operation only
// (per-operation cancellation; the socket is closed too if that operation is still pending once
// the queue has run), so a manual clock closes slow clients exactly when advanced.
//
// Websocket seam: after a request is read, an upgrade request (beast::websocket::is_upgrade)
// for a stream path (/v3/private, /market, /swap-market) is admitted or refused by the stream
// hub (streams.hpp); an admitted one is handed to the websocket session (stream_session.hpp),
// which takes the connection over. Every other request goes to the router.
#include "router.hpp"
#include "state.hpp"
#include "stream_session.hpp"
#include "tls_identity.hpp"

#include <exsdk/mock/server.hpp>
#include <exsdk/timer.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/http/string_body.hpp>

#include <atomic>
#include <charconv>
#include <fstream>
#include <future>
#include <optional>
#include <stdexcept>
#include <system_error>
#include <thread>
#include <unordered_set>

namespace exsdk::mock {

namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using boost::system::error_code;

namespace {

/// How much a 413 connection reads and discards before closing, so the client sees the answer
/// instead of a reset while it is still sending.
constexpr std::size_t linger_limit = 8 * 1024 * 1024;
constexpr std::size_t read_chunk = 4096;

class connection_base {
public:
    virtual ~connection_base() = default;
    /// Closes the socket and cancels every pending operation and timer. Idempotent.
    virtual void close() = 0;
};

std::string peer_text(const tcp::endpoint& ep) {
    auto addr = ep.address();
    if (addr.is_v6() && addr.to_v6().is_v4_mapped()) {
        addr = asio::ip::make_address_v4(asio::ip::v4_mapped, addr.to_v6());
    }
    return addr.to_string();
}

std::system_error to_std(const error_code& ec, const std::string& what) {
    return std::system_error(std::error_code(ec.value(), std::system_category()), what);
}

} // namespace

// ---------------------------------------------------------------------------------------------
// server_core (server::impl): the listener and everything the connections share
// ---------------------------------------------------------------------------------------------

namespace detail {

struct server_core : std::enable_shared_from_this<server_core> {
    server_core(asio::any_io_executor executor, config c)
        : ex(std::move(executor)), cfg(std::move(c)), state(check(cfg)),
          router(state, [this] { return connections.load(std::memory_order_relaxed); }) {}

    static const config& check(config& c) {
        if (!c.clock) {
            c.clock = exsdk::system_clock();
        }
        if (c.max_body_bytes == 0 || c.max_header_bytes < 256) {
            throw std::invalid_argument("mock server: max_body_bytes must be > 0 and "
                                        "max_header_bytes >= 256");
        }
        if (c.bingx_max_listen_keys_per_uid == 0 || c.stream_max_queued_frames == 0) {
            throw std::invalid_argument("mock server: bingx_max_listen_keys_per_uid and "
                                        "stream_max_queued_frames must be >= 1");
        }
        c.accounts.validate();
        return c;
    }

    asio::any_io_executor ex;
    config cfg;
    detail::shared_state state;
    detail::router router;

    std::optional<tcp::acceptor> acceptor;
    std::optional<exsdk::timer> accept_retry;
    std::optional<ssl::context> tls;
    std::string ca_pem;
    std::string url;
    std::atomic<std::uint16_t> port{0};
    bool started = false;
    bool stopped = false;
    std::atomic<std::size_t> connections{0};
    std::unordered_set<connection_base*> live;   // touched on the server's thread only
    std::atomic<std::thread::id> owner_thread{}; // set by threaded_server

    void start();
    void stop_here();
    asio::awaitable<void> accept_loop();
    void spawn_connection(tcp::socket sock);
};

} // namespace detail

struct server::impl : detail::server_core {
    using server_core::server_core;
};

namespace {

template <class Stream>
class connection final : public connection_base,
                         public std::enable_shared_from_this<connection<Stream>> {
public:
    static constexpr bool is_tls = !std::is_same_v<Stream, tcp::socket>;

    connection(std::shared_ptr<detail::server_core> srv, Stream stream, std::string peer)
        : srv_(std::move(srv)), cfg_(srv_->cfg), stream_(std::move(stream)), peer_(std::move(peer)),
          watchdog_(srv_->ex, cfg_.clock), delay_(srv_->ex, cfg_.clock),
          idle_since_(cfg_.clock->now()) {}

    asio::awaitable<void> run();

    void close() override {
        if (closed_) {
            return;
        }
        closed_ = true;
        error_code ec;
        socket().close(ec);
        watchdog_.cancel();
        delay_.cancel();
    }

private:
    tcp::socket& socket() {
        if constexpr (is_tls) {
            return stream_.next_layer();
        } else {
            return stream_;
        }
    }

    auto token() {
        return asio::bind_cancellation_slot(signal_.slot(), asio::as_tuple(asio::use_awaitable));
    }

    // ---- watchdog: the current phase's deadline on the mock's clock ----------------------
    // One timer wait is kept outstanding; it is restarted only when a phase needs an earlier
    // deadline or when it fires before the current deadline, so keep-alive traffic costs no
    // timer operations per request.
    void arm(std::chrono::milliseconds d) { arm_at(cfg_.clock->now() + d); }
    void arm_at(clock::time_point deadline) {
        deadline_ = deadline;
        armed_ = true;
        if (!waiting_ || wait_expiry_ > deadline_) {
            start_wait();
        }
    }
    /// Called as soon as a guarded operation completes.
    void disarm() noexcept {
        armed_ = false;
        ++op_seq_;
    }
    void start_wait() {
        waiting_ = true;
        wait_expiry_ = deadline_;
        const std::uint64_t gen = ++wait_gen_;
        watchdog_.expires_at(deadline_); // a superseded wait completes with a stale generation
        watchdog_.async_wait(
            [self = this->shared_from_this(), gen](error_code ec) { self->on_watchdog(ec, gen); });
    }
    void on_watchdog(error_code ec, std::uint64_t gen) {
        if (gen != wait_gen_) {
            return;
        }
        waiting_ = false;
        if (ec || closed_ || !armed_) {
            return;
        }
        if (cfg_.clock->now() >= deadline_) {
            // Too slow: cancel the pending operation (only it); the coroutine then closes.
            signal_.emit(asio::cancellation_type::terminal);
            // An emitted cancellation can be lost: a composed Beast read with buffered bytes
            // passes through a posted step with no socket operation on the slot. So check
            // again once everything already queued has run: if the same operation is still
            // pending, close the socket, which ends it for sure. (Closing at once would be
            // wrong: the operation may have completed with its completion still queued, e.g.
            // an answer the client already has.)
            asio::post(watchdog_.get_executor(), [self = this->shared_from_this(), op = op_seq_] {
                if (self->armed_ && self->op_seq_ == op) {
                    self->close();
                }
            });
            return;
        }
        start_wait();
    }

    void fill_request();
    void serialize(const detail::response& res, bool keep_alive, unsigned version, bool head);
    asio::awaitable<bool> write_out();
    asio::awaitable<void> answer_and_close(detail::response& res, bool linger);
    asio::awaitable<void> finish(bool graceful);

    std::shared_ptr<detail::server_core> srv_;
    const config& cfg_;
    Stream stream_;
    std::string peer_;
    exsdk::timer watchdog_;
    exsdk::timer delay_;
    asio::cancellation_signal signal_;
    clock::time_point deadline_{};
    clock::time_point wait_expiry_{};
    std::uint64_t wait_gen_ = 0;
    std::uint64_t op_seq_ = 0; ///< guarded operations completed so far
    bool armed_ = false;
    bool waiting_ = false;
    bool closed_ = false;
    // Idle time counts from the accept or from when the previous answer was ready (not from
    // when its write completed), so a manual clock advanced right after a client read the
    // answer closes the connection deterministically.
    clock::time_point idle_since_;

    // Reused for every request on this connection.
    beast::flat_buffer buffer_;
    std::optional<http::request_parser<http::string_body>> parser_;
    std::vector<detail::header_field> headers_;
    detail::request req_;
    detail::response res_;
    std::string out_;
};

template <class Stream>
void connection<Stream>::fill_request() {
    const auto& msg = parser_->get();
    headers_.clear();
    for (const auto& f : msg) {
        headers_.push_back({f.name_string(), f.value()});
    }
    req_ = {};
    req_.method = msg.method_string();
    req_.set_target(msg.target());
    req_.body = msg.body();
    req_.peer = peer_;
    req_.headers = headers_;
}

template <class Stream>
void connection<Stream>::serialize(const detail::response& res, bool keep_alive, unsigned version,
                                   bool head) {
    out_.clear();
    char num[24];
    auto append_num = [&](std::uint64_t v) {
        auto r = std::to_chars(num, num + sizeof num, v);
        out_.append(num, r.ptr);
    };
    out_.append("HTTP/1.1 ");
    append_num(res.status);
    out_.push_back(' ');
    auto reason = http::obsolete_reason(http::int_to_status(res.status));
    out_.append(reason == "<unknown-status>" ? std::string_view("Status")
                                             : std::string_view(reason.data(), reason.size()));
    out_.append("\r\n");
    if (!res.content_type.empty()) {
        out_.append("Content-Type: ").append(res.content_type).append("\r\n");
    }
    for (const auto& [name, value] : res.headers) {
        out_.append(name).append(": ").append(value).append("\r\n");
    }
    if (res.status >= 200 && res.status != 204 && res.status != 304) {
        out_.append("Content-Length: ");
        append_num(res.body.size());
        out_.append("\r\n");
    }
    if (!keep_alive) {
        out_.append("Connection: close\r\n");
    } else if (version == 10) {
        out_.append("Connection: keep-alive\r\n");
    }
    out_.append("\r\n");
    if (!head && res.status != 204 && res.status != 304) {
        out_.append(res.body);
    }
}

template <class Stream>
asio::awaitable<bool> connection<Stream>::write_out() {
    arm(cfg_.write_timeout);
    auto [ec, n] = co_await asio::async_write(stream_, asio::buffer(out_), token());
    disarm();
    (void)n;
    co_return !ec;
}

template <class Stream>
asio::awaitable<void> connection<Stream>::answer_and_close(detail::response& res, bool linger) {
    serialize(res, false, 11, false);
    if (!co_await write_out() || !linger) {
        co_return;
    }
    // Lingering close: stop sending, then read and discard what the client is still sending
    // (bounded), so it reads our answer instead of a connection reset.
    if constexpr (!is_tls) {
        error_code ec;
        socket().shutdown(tcp::socket::shutdown_send, ec);
    }
    static thread_local char discard[16 * 1024];
    std::size_t total = 0;
    arm(cfg_.body_timeout);
    while (total < linger_limit && !closed_) {
        auto [ec, n] = co_await stream_.async_read_some(asio::buffer(discard), token());
        if (ec) {
            break;
        }
        total += n;
    }
    disarm();
}

template <class Stream>
asio::awaitable<void> connection<Stream>::finish(bool graceful) {
    if (graceful && !closed_) {
        if constexpr (is_tls) {
            arm(cfg_.write_timeout);
            auto [ec] = co_await stream_.async_shutdown(token());
            disarm();
            (void)ec;
        } else {
            error_code ec;
            socket().shutdown(tcp::socket::shutdown_send, ec);
        }
    }
    close();
}

template <class Stream>
asio::awaitable<void> connection<Stream>::run() {
    auto self = this->shared_from_this(); // alive until the coroutine ends
    bool graceful = false;
    try {
        if constexpr (is_tls) {
            arm(cfg_.header_timeout);
            auto [ec] = co_await stream_.async_handshake(ssl::stream_base::server, token());
            disarm();
            if (ec) {
                close();
            }
        }
        while (!closed_) {
            parser_.emplace();
            parser_->header_limit(static_cast<std::uint32_t>(cfg_.max_header_bytes));
            parser_->body_limit(cfg_.max_body_bytes);

            // Idle: wait for the first byte of the next request.
            if (buffer_.size() == 0) {
                arm_at(idle_since_ + cfg_.idle_timeout);
                auto [ec, n] =
                    co_await stream_.async_read_some(buffer_.prepare(read_chunk), token());
                disarm();
                if (ec) {
                    break;
                }
                buffer_.commit(n);
            }
            // Headers.
            {
                arm(cfg_.header_timeout);
                auto [ec, n] =
                    co_await http::async_read_header(stream_, buffer_, *parser_, token());
                disarm();
                (void)n;
                if (ec == http::error::body_limit) {
                    fill_request();
                    res_.clear();
                    srv_->router.body_too_large(req_, res_);
                    co_await answer_and_close(res_, true);
                    break;
                }
                if (ec) {
                    if (ec.category() ==
                            http::make_error_code(http::error::bad_target).category() &&
                        ec != http::error::end_of_stream && ec != http::error::partial_message) {
                        res_.clear();
                        res_.json(ec == http::error::header_limit ? 431 : 400);
                        res_.body = ec == http::error::header_limit
                                        ? R"({"code":431,"message":"request headers too large"})"
                                        : R"({"code":400,"message":"malformed HTTP request"})";
                        co_await answer_and_close(res_, false);
                    }
                    break;
                }
            }
            // Body (Content-Length or chunked).
            if (!parser_->is_done()) {
                const auto expect = parser_->get()[http::field::expect];
                if (detail::iequals(expect, "100-continue")) {
                    static constexpr std::string_view cont = "HTTP/1.1 100 Continue\r\n\r\n";
                    out_.assign(cont);
                    if (!co_await write_out()) {
                        break;
                    }
                }
                arm(cfg_.body_timeout);
                auto [ec, n] = co_await http::async_read(stream_, buffer_, *parser_, token());
                disarm();
                (void)n;
                if (ec == http::error::body_limit) {
                    fill_request();
                    req_.body = {};
                    res_.clear();
                    srv_->router.body_too_large(req_, res_);
                    co_await answer_and_close(res_, true);
                    break;
                }
                if (ec) {
                    if (ec.category() ==
                            http::make_error_code(http::error::bad_target).category() &&
                        ec != http::error::partial_message) {
                        res_.clear();
                        res_.json(400);
                        res_.body = R"({"code":400,"message":"malformed HTTP request body"})";
                        co_await answer_and_close(res_, false);
                    }
                    break;
                }
            }

            fill_request();
            res_.clear();
            // Websocket seam: an upgrade to a stream path is admitted (the session takes the
            // connection over) or refused (401/404/429, then close). A plain GET to a stream
            // path is routed like any other request (404).
            if (const auto kind = detail::stream_route(req_.path);
                kind && !srv_->stopped && detail::is_websocket_upgrade(parser_->get())) {
                auto rec = srv_->state.streams.admit(srv_->state, *kind, req_, res_);
                if (!rec) {
                    serialize(res_, false, 11, false);
                    graceful = co_await write_out();
                    break;
                }
                co_await detail::run_stream_session(srv_->state, std::move(rec), stream_,
                                                    parser_->get());
                break;
            }
            const auto d = srv_->router.route(req_, res_);
            if (d.what == detail::decision::kind::drop) {
                break; // no answer, no graceful close
            }
            if (d.what == detail::decision::kind::delay) {
                delay_.expires_after(d.delay);
                auto [ec] = co_await delay_.async_wait(asio::as_tuple(asio::use_awaitable));
                if (ec || closed_) {
                    break;
                }
                srv_->router.handle(req_, res_, "delay");
            }
            const auto& msg = parser_->get();
            const bool keep_alive = msg.keep_alive() && !res_.close && !srv_->stopped;
            idle_since_ = cfg_.clock->now();
            serialize(res_, keep_alive, msg.version(), msg.method() == http::verb::head);
            if (!co_await write_out()) {
                break;
            }
            if (!keep_alive) {
                graceful = true;
                break;
            }
        }
        co_await finish(graceful);
    } catch (...) {
        close(); // never let a connection take the server down
    }
    srv_->live.erase(this);
    srv_->connections.fetch_sub(1, std::memory_order_relaxed);
}

} // namespace

void detail::server_core::start() {
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

asio::awaitable<void> detail::server_core::accept_loop() {
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

void detail::server_core::spawn_connection(tcp::socket sock) {
    error_code ec;
    sock.set_option(tcp::no_delay(true), ec);
    const auto remote = sock.remote_endpoint(ec);
    if (ec) {
        return; // already gone
    }
    std::string peer = peer_text(remote);
    connections.fetch_add(1, std::memory_order_relaxed);
    if (tls) {
        using stream = ssl::stream<tcp::socket>;
        auto c = std::make_shared<connection<stream>>(
            shared_from_this(), stream(std::move(sock), *tls), std::move(peer));
        live.insert(c.get());
        asio::co_spawn(ex, c->run(), asio::detached);
    } else {
        auto c = std::make_shared<connection<tcp::socket>>(shared_from_this(), std::move(sock),
                                                           std::move(peer));
        live.insert(c.get());
        asio::co_spawn(ex, c->run(), asio::detached);
    }
}

void detail::server_core::stop_here() {
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

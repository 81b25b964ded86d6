// The mock exchange's HTTP connection coroutine (HTTP/1.1 keep-alive, TLS, timeouts on the
// injected clock, faults) and listener::spawn_connection(). Everything the exchanges answer is
// decided by the sans-io router (router.hpp); this file only moves bytes.
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
#include "listener.hpp"
#include "stream_session.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/http/string_body.hpp>

#include <charconv>
#include <optional>
#include <stdexcept>

namespace exsdk::mock {

namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using boost::system::error_code;
using detail::connection_base;
using detail::tcp;

namespace {

/// How much a 413 connection reads and discards before closing, so the client sees the answer
/// instead of a reset while it is still sending.
constexpr std::size_t linger_limit = 8 * 1024 * 1024;
constexpr std::size_t read_chunk = 4096;

/// Which read of a request failed: the answer names the part that was bad.
enum class read_stage { header, body };

std::string peer_text(const tcp::endpoint& ep) {
    auto addr = ep.address();
    if (addr.is_v6() && addr.to_v6().is_v4_mapped()) {
        addr = asio::ip::make_address_v4(asio::ip::v4_mapped, addr.to_v6());
    }
    return addr.to_string();
}

template <class Stream>
class connection final : public connection_base,
                         public std::enable_shared_from_this<connection<Stream>> {
public:
    static constexpr bool is_tls = !std::is_same_v<Stream, tcp::socket>;

    connection(std::shared_ptr<detail::listener> srv, Stream stream, std::string peer)
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
    asio::awaitable<void> answer_read_error(error_code ec, read_stage stage);
    asio::awaitable<void> finish(bool graceful);

    std::shared_ptr<detail::listener> srv_;
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

// A failed header or body read; the connection closes after it. A body over max_body_bytes
// (announced by Content-Length in the headers, or found while reading the body) gets the 413 of
// the request's exchange, journalled by the router, and a lingering close; a malformed request
// gets 431 (headers too large) or 400; a peer that left between requests (end_of_stream) or in
// the middle of one (partial_message), or a socket error, gets no answer.
template <class Stream>
asio::awaitable<void> connection<Stream>::answer_read_error(error_code ec, read_stage stage) {
    if (ec == http::error::body_limit) {
        fill_request();
        req_.body = {}; // the part read so far (none when the headers announced the size)
        res_.clear();
        srv_->router.body_too_large(req_, res_);
        co_await answer_and_close(res_, true);
        co_return;
    }
    const bool header = stage == read_stage::header;
    if (ec.category() != http::make_error_code(http::error::bad_target).category() ||
        ec == http::error::partial_message || (header && ec == http::error::end_of_stream)) {
        co_return;
    }
    res_.clear();
    if (header && ec == http::error::header_limit) {
        res_.json(431);
        res_.body = R"({"code":431,"message":"request headers too large"})";
    } else {
        res_.json(400);
        res_.body = header ? R"({"code":400,"message":"malformed HTTP request"})"
                           : R"({"code":400,"message":"malformed HTTP request body"})";
    }
    co_await answer_and_close(res_, false);
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
                if (ec) {
                    co_await answer_read_error(ec, read_stage::header);
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
                if (ec) {
                    co_await answer_read_error(ec, read_stage::body);
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

void detail::listener::spawn_connection(tcp::socket sock) {
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

} // namespace exsdk::mock

#include "detail/async_semaphore.hpp"
#include "detail/net_connect.hpp"
#include "http/answer_parser.hpp"
#include "http/http_transport.hpp"

#include <exsdk/timer.hpp>
#include <exsdk/version.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include <array>
#include <atomic>
#include <charconv>
#include <cstring>
#include <mutex>
#include <optional>
#include <sys/socket.h>
#include <variant>

namespace exsdk::detail {

namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace ssl = boost::asio::ssl;
using tcp = boost::asio::ip::tcp;
using boost::system::error_code;

namespace {

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

// One keep-alive connection.
struct connection {
    using plain_stream = tcp::socket;
    using tls_stream = ssl::stream<tcp::socket>;

    std::variant<plain_stream, tls_stream> stream;
    timer connect_deadline;
    // Of the request in flight, shared with the sweeper (under impl::mutex): its deadline, the
    // socket's descriptor, and whether the sweeper interrupted it.
    clock::time_point deadline{};
    tcp::socket::native_handle_type fd = -1;
    bool expired = false;
    beast::flat_buffer buffer;
    std::string request_bytes;           // reused for every request
    std::optional<answer_parser> parser; // rebuilt in place for every answer
    clock::time_point last_used{};

    connection(asio::any_io_executor ex, ssl::context* ctx, std::shared_ptr<clock> clk)
        : stream(make_stream(ex, ctx)), connect_deadline(ex, std::move(clk)) {}

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

// Fails the read or write in progress on `fd` from another thread than the one running it: a
// shutdown(2) of the descriptor only, which the kernel makes safe, instead of closing the Asio
// socket, whose object belongs to the coroutine using it. The owner closes it afterwards.
void interrupt(tcp::socket::native_handle_type fd) {
    (void)::shutdown(fd, SHUT_RDWR);
}

// Writes `req` as HTTP/1.1 bytes into `out` (reused across requests: no allocation once warm).
// Requests are built by the signers from validated parts, so they contain no CR or LF; this is
// checked anyway, because a header injection must be impossible.
bool serialize(const http_request& req, const base_url& url, std::string& out) {
    // Two vectorised memchr scans; find_first_of("\r\n") runs one memchr per byte of `v`.
    auto safe = [](std::string_view v) {
        return v.find('\r') == std::string_view::npos && v.find('\n') == std::string_view::npos;
    };
    // The pieces are listed, then copied once into a buffer sized for all of them: one
    // string append per piece cost some 60-70 instructions each (capacity check, strlen).
    std::array<std::string_view, 16 + 4 * std::tuple_size_v<decltype(req.headers)>> parts{};
    std::size_t n = 0;
    auto add = [&](std::string_view v) { parts[n++] = v; };
    add(to_string(req.method));
    add(" ");
    add(req.target);
    add(" HTTP/1.1\r\nHost: ");
    add(url.host_header);
    add("\r\nUser-Agent: ");
    add(user_agent());
    add("\r\n");
    if (!req.content_type.empty()) {
        add("Content-Type: ");
        add(req.content_type);
        add("\r\n");
    }
    std::array<char, 24> length{};
    if (req.method != http_method::get || !req.body.empty()) {
        const auto end =
            std::to_chars(length.data(), length.data() + length.size(), req.body.size()).ptr;
        add("Content-Length: ");
        add({length.data(), static_cast<std::size_t>(end - length.data())});
        add("\r\n");
    }
    bool ok = safe(req.target) && safe(req.content_type);
    for (std::size_t i = 0; i < req.header_count; ++i) {
        const auto& h = req.headers[i];
        ok = ok && safe(h.value);
        add(h.name);
        add(": ");
        add(h.value);
        add("\r\n");
    }
    add("\r\n");
    add(req.body);
    std::size_t size = 0;
    for (std::size_t i = 0; i < n; ++i) {
        size += parts[i].size();
    }
    out.resize(size); // (the buffer is reused: its room stays)
    char* p = out.data();
    for (std::size_t i = 0; i < n; ++i) {
        std::memcpy(p, parts[i].data(), parts[i].size());
        p += parts[i].size();
    }
    return ok;
}

struct http_transport::impl {
    // Threads: a request runs in its caller's coroutine, on the caller's executor, and owns its
    // connection while it runs. What requests share (the idle stack, the in-flight list, the
    // sweeper) is guarded by `mutex`, held for a few instructions; the permits guard themselves.
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
    // Request deadlines: one sweeper timer for the whole transport, armed only while requests
    // are in flight (or until a posted check finds the transport idle: end_request()). Under
    // load, and for a caller that sends its next request at once, it stays armed and costs
    // nothing per request: it fires once per request_timeout and re-arms for the earliest
    // deadline (a timer race per read and write used to cost far more, and an arm per request
    // a timerfd_settime system call). An idle client leaves nothing pending.
    std::mutex mutex;
    timer sweeper;
    bool sweeping = false;
    bool idle_check_posted = false; // cancel_sweeper_if_idle() is queued
    std::vector<connection*> in_flight;
    std::atomic<std::size_t> open{0}; // read by open_connections() from any thread
    std::weak_ptr<impl> weak_self;    // for the sweeper's handler

    impl(asio::any_io_executor e, base_url u, const tls_config& tls, transport_config c,
         std::shared_ptr<clock> k)
        : ex(std::move(e)), url(std::move(u)), cfg(c), clk(k ? std::move(k) : system_clock()),
          permits(ex, std::max<std::size_t>(cfg.max_connections, 1)), sweeper(ex, clk) {
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
            std::lock_guard lock(mutex);
            idle.push_back(std::move(c));
        }
        permits.release();
    }

    // The warmest idle connection still young enough to reuse (older ones are closed).
    std::unique_ptr<connection> take_idle() {
        std::vector<std::unique_ptr<connection>> stale;
        std::unique_ptr<connection> c;
        {
            std::lock_guard lock(mutex);
            while (!idle.empty() && !c) {
                c = std::move(idle.back());
                idle.pop_back();
                if (clk->now() - c->last_used > cfg.idle_timeout) {
                    stale.push_back(std::move(c)); // the server has probably closed it
                }
            }
        }
        for (auto& old : stale) {
            discard(old);
        }
        return c;
    }

    void discard(std::unique_ptr<connection>& c) {
        if (c) {
            c->close();
            c.reset();
            --open;
        }
    }

    asio::awaitable<error_code> connect(connection& c) {
        // Once per connection: a plain timer race.
        c.connect_deadline.expires_after(cfg.connect_timeout);
        if (auto ec = co_await connect_tcp(c.socket(), url, c.connect_deadline); ec) {
            co_return ec;
        }
        if (auto* s = std::get_if<connection::tls_stream>(&c.stream)) {
            co_return co_await tls_handshake(*s, tls_name, c.connect_deadline);
        }
        co_return error_code{};
    }

    void begin_request(connection& c) {
        std::lock_guard lock(mutex);
        c.deadline = clk->now() + cfg.request_timeout;
        c.fd = c.socket().native_handle();
        c.expired = false;
        in_flight.push_back(&c);
        if (!sweeping) {
            arm_sweeper(c.deadline); // deadlines only grow: an armed sweeper is early enough
        }
    }

    // Returns whether the sweeper interrupted the request.
    bool end_request(connection& c) {
        std::lock_guard lock(mutex);
        std::erase(in_flight, &c);
        if (in_flight.empty() && sweeping && !idle_check_posted) {
            // Not cancelled at once: a caller that sends its next request right away (the usual
            // sequential loop) finds the sweeper still armed and early enough, where arming it
            // again would cost a timerfd_settime system call per request. The posted check
            // cancels it once the transport really is idle: an idle client leaves nothing
            // pending.
            idle_check_posted = true;
            asio::post(ex, [weak = weak_self] {
                if (auto self = weak.lock()) {
                    self->cancel_sweeper_if_idle();
                }
            });
        }
        return c.expired;
    }

    void cancel_sweeper_if_idle() {
        std::lock_guard lock(mutex);
        idle_check_posted = false;
        if (in_flight.empty() && sweeping) {
            sweeping = false;
            sweeper.cancel();
        }
    }

    // Under `mutex`.
    void arm_sweeper(clock::time_point t) {
        sweeping = true;
        sweeper.expires_at(t);
        sweeper.async_wait([weak = weak_self](error_code ec) {
            if (auto self = weak.lock(); self && !ec) {
                self->sweep();
            }
        });
    }

    // Interrupts every request past its deadline; re-arms for the next one.
    void sweep() {
        std::lock_guard lock(mutex);
        sweeping = false;
        const auto now = clk->now();
        auto next = clock::time_point::max();
        for (auto* c : in_flight) {
            if (c->expired) {
                continue;
            }
            if (now >= c->deadline) {
                c->expired = true;
                interrupt(c->fd); // fails the read or write in progress
            } else {
                next = std::min(next, c->deadline);
            }
        }
        if (next != clock::time_point::max()) {
            arm_sweeper(next);
        }
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
        if (!serialize(req, url, c.request_bytes)) {
            out.ec = asio::error::invalid_argument;
            co_return out;
        }
        begin_request(c);
        auto [wec, written] = co_await asio::async_write(stream, asio::buffer(c.request_bytes),
                                                         asio::as_tuple(asio::use_awaitable));
        (void)written;
        out.ec = wec;
        if (!out.ec) {
            auto& parser = c.parser.emplace();
            parser.body_limit(cfg.max_response_bytes);
            auto [rec, n] = co_await http::async_read(stream, c.buffer, parser,
                                                      asio::as_tuple(asio::use_awaitable));
            (void)n;
            out.ec = rec;
            out.got_answer_bytes = parser.got_some();
            if (!out.ec) {
                out.keep_alive = parser.keep_alive();
                out.response.status = parser.status;
                out.response.body = std::move(parser.body);
                out.response.content_type = std::move(parser.content_type);
            }
        }
        if (end_request(c) && out.ec) {
            out.ec = asio::error::timed_out;
        }
        co_return out;
    }

    // The whole request, as a static coroutine holding the pool alive (`self`) while it runs:
    // http_transport::send() returns this coroutine itself, with no frame of its own.
    static asio::awaitable<result<http_response>> send(std::shared_ptr<impl> self,
                                                       const http_request& req, bool priority,
                                                       const admission* admit) {
        co_await asio::this_coro::throw_if_cancelled(false);
        impl& p = *self;
        for (int attempt = 0;; ++attempt) {
            if (!p.permits.try_acquire()) {
                auto [ec] =
                    co_await p.permits.async_acquire(asio::as_tuple(asio::use_awaitable), priority);
                if (ec) {
                    co_return make_transport_error(ec, "waiting for a connection");
                }
            }
            // From here a permit is ours: every path returns it exactly once (release()).
            std::unique_ptr<connection> c = p.take_idle();
            const bool reused = c != nullptr;
            if (!c) {
                c = std::make_unique<connection>(p.ex, p.tls_ctx ? &*p.tls_ctx : nullptr, p.clk);
                ++p.open;
                if (auto ec = co_await p.connect(*c); ec) {
                    p.discard(c);
                    p.release(nullptr);
                    co_return make_transport_error(ec, "connect to " + p.url.host_header);
                }
            }
            if (admit != nullptr && attempt == 0 && !admit->admit(admit->context)) {
                c->last_used = p.clk->now();
                p.release(std::move(c)); // not now: the connection goes back, unused
                co_return http_response{};
            }
            exchange_outcome out;
            if (auto* s = std::get_if<connection::tls_stream>(&c->stream)) {
                out = co_await p.exchange(*c, *s, req);
            } else {
                out = co_await p.exchange(*c, std::get<connection::plain_stream>(c->stream), req);
            }
            if (!out.ec) {
                if (out.keep_alive) {
                    c->last_used = p.clk->now();
                } else {
                    p.discard(c);
                }
                p.release(std::move(c));
                co_return std::move(out.response);
            }
            p.discard(c);
            p.release(nullptr);
            if (reused && attempt == 0 && !out.got_answer_bytes &&
                is_stale_connection_error(out.ec)) {
                continue; // the server closed the idle connection: once more on a fresh one
            }
            co_return make_transport_error(out.ec, "request to " + p.url.host_header);
        }
    }

    void close_idle() {
        std::vector<std::unique_ptr<connection>> closing;
        {
            std::lock_guard lock(mutex);
            closing.swap(idle);
        }
        for (auto& c : closing) {
            discard(c);
        }
    }
};

http_transport::http_transport(asio::any_io_executor ex, base_url url, const tls_config& tls,
                               transport_config cfg, std::shared_ptr<clock> clk)
    : impl_(std::make_shared<impl>(std::move(ex), std::move(url), tls, cfg, std::move(clk))) {
    impl_->weak_self = impl_;
}

http_transport::~http_transport() {
    if (impl_) {
        impl_->close_idle();
    }
}

asio::awaitable<result<http_response>> http_transport::send(const http_request& req, bool priority,
                                                            const admission* admit) {
    return impl::send(impl_, req, priority, admit); // (impl_ copied: alive while in flight)
}

void http_transport::close_idle() {
    impl_->close_idle();
}
std::size_t http_transport::open_connections() const {
    return impl_->open.load(std::memory_order_relaxed);
}
const base_url& http_transport::url() const {
    return impl_->url;
}

} // namespace exsdk::detail

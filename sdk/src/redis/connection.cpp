#include "detail/net_connect.hpp"
#include "detail/with_deadline.hpp"
#include "redis/connection.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <random>
#include <string_view>
#include <variant>

namespace exsdk::detail::redis {

namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using boost::system::error_code;

clock::duration reconnect_delay(const connection_config& cfg, std::size_t failures,
                                double random01) noexcept {
    const double lo = std::chrono::duration<double>(cfg.reconnect_min).count();
    const double hi = std::max(lo, std::chrono::duration<double>(cfg.reconnect_max).count());
    const double exp =
        static_cast<double>(std::min<std::size_t>(failures > 0 ? failures - 1 : 0, 62));
    const double base = std::min(hi, lo * std::pow(2.0, exp));
    const double factor = 0.5 + 0.5 * std::clamp(random01, 0.0, 1.0);
    return std::chrono::duration_cast<clock::duration>(
        std::chrono::duration<double>(base * factor));
}

// One TCP (or TLS) connection, owned by the loop's serve() and by its writes in flight: a new
// connection after a failure is a new link, so nothing of the old one is reused.
struct connection::link {
    using plain_stream = tcp::socket;
    using tls_stream = ssl::stream<tcp::socket>;

    std::variant<plain_stream, tls_stream> stream;
    redis::reader reader;
    std::array<char, 16 * 1024> buffer{};
    std::string writing; // the bytes of the write in flight
    bool write_pending = false;
    bool timed_out = false; // closed by the sweeper
    std::string why;        // why it was closed on purpose

    link(const asio::any_io_executor& ex, ssl::context* ctx) : stream(make_stream(ex, ctx)) {}

    static std::variant<plain_stream, tls_stream> make_stream(const asio::any_io_executor& ex,
                                                              ssl::context* ctx) {
        if (ctx != nullptr) {
            return std::variant<plain_stream, tls_stream>(std::in_place_type<tls_stream>, ex, *ctx);
        }
        return std::variant<plain_stream, tls_stream>(std::in_place_type<plain_stream>, ex);
    }

    tcp::socket& socket() {
        if (auto* t = std::get_if<tls_stream>(&stream)) {
            return t->next_layer();
        }
        return std::get<plain_stream>(stream);
    }

    void close() {
        error_code ignored;
        socket().close(ignored);
    }
};

void connection::canceller::operator()(asio::cancellation_type) const {
    if (auto s = self.lock()) {
        asio::dispatch(s->strand_, [s, i = id] { s->cancel(i); });
    }
}

connection::connection(object_strand strand, connection_config cfg, std::shared_ptr<clock> clk,
                       events ev)
    : strand_(std::move(strand)), cfg_(std::move(cfg)), clk_(std::move(clk)),
      events_(std::move(ev)), sweeper_(strand_, clk_), backoff_(strand_, clk_) {
    if (cfg_.url.server.tls) {
        tls_ctx_ = std::make_unique<ssl::context>(make_tls_context(cfg_.tls));
        tls_name_ = verify_name(cfg_.tls, cfg_.url.server);
    }
    // The handshake: AUTH (when a password is set), SELECT (other than DB 0), then PING, which
    // also proves that the server lets us in without AUTH (NOAUTH otherwise).
    if (!cfg_.url.password.empty()) {
        if (cfg_.url.username.empty()) {
            const std::array<std::string_view, 2> auth{"AUTH", cfg_.url.password};
            append_command(handshake_, auth);
        } else {
            const std::array<std::string_view, 3> auth{"AUTH", cfg_.url.username,
                                                       cfg_.url.password};
            append_command(handshake_, auth);
        }
        ++handshake_replies_;
    }
    if (cfg_.url.database != 0) {
        const std::string db = std::to_string(cfg_.url.database);
        const std::array<std::string_view, 2> select{"SELECT", db};
        append_command(handshake_, select);
        ++handshake_replies_;
    }
    for (const auto& c : cfg_.on_connect) {
        handshake_ += c;
        ++handshake_replies_;
    }
    const std::array<std::string_view, 1> ping{"PING"};
    append_command(handshake_, ping);
    ++handshake_replies_;
}

connection::~connection() = default;

std::string connection::last_error() const {
    std::lock_guard lock(error_mutex_);
    return last_error_;
}

void connection::set_last_error(std::string why) {
    std::lock_guard lock(error_mutex_);
    last_error_ = std::move(why);
}

void connection::set_state(state s) {
    state_ = s;
    up_.store(s == state::up, std::memory_order_relaxed);
    busy_.store(s == state::connecting || !pending_.empty(), std::memory_order_relaxed);
}

void connection::update_counts() {
    pending_count_.store(pending_.size(), std::memory_order_relaxed);
    busy_.store(state_ == state::connecting || !pending_.empty(), std::memory_order_relaxed);
}

void connection::start() {
    if (state_ != state::idle) {
        return;
    }
    set_state(state::connecting);
    asio::co_spawn(strand_, run(shared_from_this()),
                   asio::bind_cancellation_slot(run_signal_.slot(), asio::detached));
}

void connection::stop() {
    if (state_ == state::stopped) {
        return;
    }
    set_state(state::stopped);
    if (link_) {
        link_->close();
    }
    sweeper_.cancel();
    backoff_.cancel();
    run_signal_.emit(asio::cancellation_type::terminal); // a connect in progress
    fail_all(asio::error::operation_aborted);
}

void connection::reset(std::string why) {
    if (link_ && link_->why.empty()) {
        link_->why = std::move(why);
        link_->close();
    }
}

void connection::initiate(std::string command, exec_handler h) {
    if (state_ == state::idle) {
        start();
    }
    // Until the very first connect attempt ends, commands wait for it; afterwards a server that
    // is not up now is unreachable now, and callers hear so at once.
    const bool accept = state_ == state::up || (state_ == state::connecting && !ever_connected_);
    error_code refuse;
    if (!accept) {
        refuse = state_ == state::stopped ? error_code(asio::error::operation_aborted)
                                          : error_code(asio::error::not_connected);
    } else if (pending_.size() >= cfg_.max_pending) {
        refuse = asio::error::no_buffer_space;
    }
    if (refuse) {
        // Never complete inside the initiating function.
        asio::post(strand_, [self = shared_from_this(), h = std::move(h), refuse]() mutable {
            self->complete(std::move(h), refuse, reply());
        });
        return;
    }
    if (auto slot = asio::get_associated_cancellation_slot(h); slot.is_connected()) {
        slot.template emplace<canceller>(weak_from_this(), next_id_);
    }
    enqueue(std::move(command), std::move(h));
}

void connection::send(std::string command) {
    if (state_ == state::idle) {
        start();
    }
    if ((state_ == state::up || (state_ == state::connecting && !ever_connected_)) &&
        pending_.size() < cfg_.max_pending) {
        enqueue(std::move(command), {});
    }
}

void connection::enqueue(std::string command, exec_handler h) {
    const bool up = state_ == state::up;
    const auto deadline = up ? clk_->now() + cfg_.command_timeout : clock::time_point{};
    pending_.push_back(entry{next_id_++, deadline, std::move(h)});
    update_counts();
    out_ += command;
    if (up) {
        start_write();
        // Deadlines only grow: an armed sweeper is early enough unless it waits for a health
        // check further away.
        if (!sweeping_ || sweeper_at_ > deadline) {
            arm_sweeper(deadline);
        }
    }
}

void connection::cancel(std::uint64_t id) {
    for (auto& e : pending_) {
        if (e.id == id) {
            if (e.handler) {
                complete(std::move(e.handler), asio::error::operation_aborted, reply());
                e.handler = {};
            }
            return;
        }
    }
}

void connection::complete(exec_handler h, error_code ec, reply r) {
    asio::get_associated_cancellation_slot(h).clear();
    auto ex = asio::get_associated_executor(h, strand_);
    asio::dispatch(
        ex, [h = std::move(h), ec, r = std::move(r)]() mutable { std::move(h)(ec, std::move(r)); });
}

void connection::fail_all(error_code ec) {
    std::deque<entry> failed;
    failed.swap(pending_);
    out_.clear();
    update_counts();
    for (auto& e : failed) {
        if (e.handler) {
            complete(std::move(e.handler), ec, reply());
        }
    }
}

void connection::start_write() {
    if (!link_ || link_->write_pending || out_.empty()) {
        return;
    }
    auto l = link_;
    l->write_pending = true;
    l->writing.swap(out_); // out_ keeps the capacity of the previous write: no reallocation
    out_.clear();
    auto done =
        asio::bind_executor(strand_, [self = shared_from_this(), l](error_code ec, std::size_t) {
            l->write_pending = false;
            l->writing.clear();
            if (ec) {
                l->close(); // serve() reports it
                return;
            }
            if (self->link_ == l) {
                self->start_write();
            }
        });
    std::visit([&](auto& s) { asio::async_write(s, asio::buffer(l->writing), std::move(done)); },
               l->stream);
}

void connection::arm_sweeper(clock::time_point t) {
    sweeping_ = true;
    sweeper_at_ = t;
    sweeper_.expires_at(t);
    sweeper_.async_wait([weak = weak_from_this()](error_code ec) {
        if (auto self = weak.lock(); self && !ec) {
            self->sweep();
        }
    });
}

void connection::sweep() {
    sweeping_ = false;
    if (state_ != state::up || !link_) {
        return;
    }
    const auto now = clk_->now();
    if (!pending_.empty()) {
        if (pending_.front().deadline <= now) {
            link_->timed_out = true;
            link_->why = "no reply from Redis within " +
                         std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                                            cfg_.command_timeout)
                                            .count()) +
                         " ms (command_timeout)";
            link_->close();
            return;
        }
        arm_sweeper(pending_.front().deadline);
        return;
    }
    if (cfg_.health_check_interval <= clock::duration::zero()) {
        return;
    }
    if (now - last_reply_ >= cfg_.health_check_interval) {
        std::string ping;
        const std::array<std::string_view, 1> args{"PING"};
        append_command(ping, args);
        enqueue(std::move(ping), {}); // arms the sweeper for its deadline
        return;
    }
    arm_sweeper(last_reply_ + cfg_.health_check_interval);
}

asio::awaitable<void> connection::run(std::shared_ptr<connection> self) {
    co_await asio::this_coro::throw_if_cancelled(false);
    std::size_t failures = 0;
    std::minstd_rand rng(std::random_device{}());
    std::uniform_real_distribution<double> uniform(0.0, 1.0);
    while (state_ != state::stopped) {
        set_state(state::connecting);
        auto l = co_await connect_once();
        if (state_ == state::stopped) {
            if (l) {
                l->close();
            }
            break;
        }
        if (l) {
            failures = 0;
            link_ = l;
            ever_connected_ = true;
            connects_.fetch_add(1, std::memory_order_relaxed);
            set_state(state::up);
            const auto now = clk_->now();
            last_reply_ = now;
            for (auto& e : pending_) {
                e.deadline = now + cfg_.command_timeout; // they waited for the connect
            }
            start_write();
            if (!pending_.empty()) {
                arm_sweeper(pending_.front().deadline);
            } else if (cfg_.health_check_interval > clock::duration::zero()) {
                arm_sweeper(now + cfg_.health_check_interval);
            }
            if (events_.on_up) {
                events_.on_up();
            }
            const std::string why = co_await serve(l);
            l->close();
            if (link_ == l) {
                link_.reset();
            }
            if (state_ == state::stopped) {
                break;
            }
            failures_.fetch_add(1, std::memory_order_relaxed);
            set_last_error(why);
            set_state(state::down);
            sweeper_.cancel();
            sweeping_ = false;
            // The owner hears of it before the callers whose commands fail (its failure policy
            // is in force when they resume).
            if (events_.on_down) {
                events_.on_down(why);
            }
            fail_all(l->timed_out ? error_code(asio::error::timed_out)
                                  : error_code(asio::error::connection_reset));
            failures = 1; // a lost connection: the first attempt after reconnect_min
        } else {
            ++failures;
            failures_.fetch_add(1, std::memory_order_relaxed);
            set_state(state::down);
            if (events_.on_down) {
                events_.on_down(last_error());
            }
            fail_all(asio::error::not_connected);
        }
        if (state_ == state::stopped) {
            break;
        }
        backoff_.expires_after(reconnect_delay(cfg_, failures, uniform(rng)));
        (void)co_await backoff_.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    set_state(state::stopped);
    fail_all(asio::error::operation_aborted);
    (void)self;
}

namespace {

// Writes the handshake and reads its replies before the deadline; "" or why it failed.
template <class Stream>
asio::awaitable<std::string> run_handshake(Stream& s, reader& rd, std::span<char> buf,
                                           const std::string& bytes, std::size_t replies,
                                           timer& deadline) {
    if (auto ec = co_await with_deadline(deadline,
                                         asio::async_write(s, asio::buffer(bytes), asio::deferred));
        ec) {
        co_return "sending the handshake: " + ec.message();
    }
    std::size_t got = 0;
    while (got < replies) {
        auto next = rd.next();
        if (!next) {
            co_return next.error().message;
        }
        if (*next) {
            const auto v = (*next)->view();
            if (v.is_error()) {
                // AUTH's and SELECT's refusals name the problem, never the password.
                co_return "Redis refused the connection: " + std::string(v.str());
            }
            ++got;
            continue;
        }
        auto r = co_await race_deadline(
            deadline, s.async_read_some(asio::buffer(buf.data(), buf.size()), asio::deferred));
        if (auto ec = deadline_error(r); ec) {
            co_return "reading the handshake: " + ec.message();
        }
        rd.feed(buf.data(), std::get<2>(r));
    }
    co_return std::string();
}

} // namespace

asio::awaitable<std::shared_ptr<connection::link>> connection::connect_once() {
    timer deadline(strand_, clk_);
    deadline.expires_after(cfg_.connect_timeout);
    auto l = std::make_shared<link>(strand_, tls_ctx_.get());
    const std::string where = printable(cfg_.url);
    if (auto ec = co_await connect_tcp(l->socket(), cfg_.url.server, deadline); ec) {
        set_last_error("connect to " + where + ": " + ec.message());
        co_return nullptr;
    }
    if (auto* t = std::get_if<link::tls_stream>(&l->stream)) {
        if (auto ec = co_await tls_handshake(*t, tls_name_, deadline); ec) {
            set_last_error("TLS handshake with " + where + ": " + ec.message());
            co_return nullptr;
        }
    }
    std::string why = co_await std::visit(
        [&](auto& s) {
            return run_handshake(s, l->reader, l->buffer, handshake_, handshake_replies_, deadline);
        },
        l->stream);
    if (!why.empty()) {
        set_last_error(where + ": " + why);
        co_return nullptr;
    }
    co_return l;
}

asio::awaitable<std::string> connection::serve(std::shared_ptr<link> l) {
    for (;;) {
        auto [ec, n] = co_await std::visit(
            [&](auto& s) {
                return s.async_read_some(asio::buffer(l->buffer),
                                         asio::as_tuple(asio::use_awaitable));
            },
            l->stream);
        if (!l->why.empty()) {
            co_return l->why;
        }
        if (ec) {
            co_return "connection to " + printable(cfg_.url) + " lost: " + ec.message();
        }
        l->reader.feed(l->buffer.data(), n);
        for (;;) {
            auto next = l->reader.next();
            if (!next) {
                co_return next.error().message;
            }
            if (!*next) {
                break;
            }
            if (pending_.empty()) {
                co_return "a Redis reply nobody asked for";
            }
            last_reply_ = clk_->now();
            auto h = std::move(pending_.front().handler);
            pending_.pop_front();
            update_counts();
            if (h) {
                complete(std::move(h), {}, std::move(**next)); // may resume the caller inline
            }
            if (link_ != l || state_ != state::up) {
                co_return l->why.empty() ? std::string("connection closed") : l->why;
            }
        }
    }
}

} // namespace exsdk::detail::redis

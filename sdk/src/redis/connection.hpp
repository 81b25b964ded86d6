// One pipelined Redis connection on Asio (private to exsdk::redis): the socket I/O on the
// store's strand, RESP through hiredis (resp.hpp), no extra threads and no blocking calls.
//
// Shape (after Boost.Redis's connection::async_run): one long-running loop owns the socket
//   connect (TCP, TLS, AUTH, SELECT, PING; connect_timeout) -> serve (read replies until the
//   connection fails) -> back off (reconnect_delay) -> connect ...
// while any number of coroutines on the strand call async_exec(): each command is appended to
// one output buffer (written in one write while the previous write is in flight, so commands
// issued together travel together) and its reply is matched by order. One deadline sweeper per
// connection fails the connection when the oldest command waits longer than command_timeout, and
// sends a PING when the connection has been idle for health_check_interval.
//
// Every member function runs on the strand, except the counters (atomics / mutex).
#pragma once

#include "detail/object_strand.hpp"
#include "redis/redis_url.hpp"
#include "redis/resp.hpp"

#include <exsdk/asio_namespace.hpp>
#include <exsdk/clock.hpp>
#include <exsdk/timer.hpp>
#include <exsdk/tls_config.hpp>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/system/error_code.hpp>

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace boost::asio::ssl {
class context;
}

namespace exsdk::detail::redis {

struct connection_config {
    redis_url url;
    tls_config tls;
    clock::duration connect_timeout{};
    clock::duration command_timeout{};
    clock::duration reconnect_min{};
    clock::duration reconnect_max{};
    clock::duration health_check_interval{};
    std::size_t max_pending = 0;
    /// Formatted commands sent after AUTH/SELECT on every connect (SCRIPT LOAD ...); an error
    /// reply fails the connect.
    std::vector<std::string> on_connect;
};

/// The wait before reconnect attempt `failures` (1-based count of consecutive failures):
/// reconnect_min doubled per failure up to reconnect_max, times a factor in [0.5, 1] taken from
/// `random01` in [0, 1). Pure, for the tests.
clock::duration reconnect_delay(const connection_config& cfg, std::size_t failures,
                                double random01) noexcept;

class connection : public std::enable_shared_from_this<connection> {
public:
    using exec_signature = void(boost::system::error_code, reply);
    using exec_handler = asio::any_completion_handler<exec_signature>;

    enum class state { idle, connecting, up, down, stopped };

    /// Called on the strand when the connection comes up and when it goes down (`why`).
    struct events {
        std::function<void()> on_up;
        std::function<void(const std::string& why)> on_down;
    };

    /// Throws exsdk::exception (invalid_argument) when the TLS settings cannot be loaded.
    connection(object_strand strand, connection_config cfg, std::shared_ptr<clock> clk, events ev);
    connection(const connection&) = delete;
    connection& operator=(const connection&) = delete;
    ~connection();

    /// Sends one formatted command (resp.hpp) and completes with its reply (an error reply is a
    /// reply, not an error_code). Errors: asio::error::not_connected (the server is unreachable
    /// now; until the first connect attempt ends, commands wait for it instead),
    /// asio::error::timed_out / connection_reset (the connection failed with the command in
    /// flight), asio::error::no_buffer_space (max_pending), asio::error::operation_aborted
    /// (cancelled: the command may still run on the server; its reply is dropped).
    /// Starts the connection on first use.
    template <class CompletionToken>
    auto async_exec(std::string command, CompletionToken&& token) {
        return asio::async_initiate<CompletionToken, exec_signature>(
            [this](auto handler, std::string cmd) {
                initiate(std::move(cmd), exec_handler(std::move(handler)));
            },
            token, std::move(command));
    }

    /// Like async_exec() without waiting for the reply (dropped), e.g. giving a reservation
    /// back. Pipelined after every command sent before it. Nothing happens while down.
    void send(std::string command);

    /// Starts the connect loop (idempotent).
    void start();
    /// Ends it: the socket is closed, commands in flight fail with operation_aborted.
    void stop();
    /// Drops the live connection as if it failed (`why`): the server answered what a healthy
    /// one would not. Commands in flight fail; a reconnect follows.
    void reset(std::string why);

    state current_state() const noexcept { return state_; }
    bool is_up() const noexcept { return state_ == state::up; }

    // Thread-safe observers.
    std::size_t pending() const noexcept { return pending_count_.load(std::memory_order_relaxed); }
    bool up_now() const noexcept { return up_.load(std::memory_order_relaxed); }
    bool busy() const noexcept { return busy_.load(std::memory_order_relaxed); }
    std::uint64_t connects() const noexcept { return connects_.load(std::memory_order_relaxed); }
    std::uint64_t failures() const noexcept { return failures_.load(std::memory_order_relaxed); }
    std::string last_error() const;

private:
    struct link;
    struct entry {
        std::uint64_t id = 0;
        clock::time_point deadline{};
        exec_handler handler; // empty: nobody waits (send(), cancelled, health PING)
    };
    struct canceller {
        std::weak_ptr<connection> self;
        std::uint64_t id;
        void operator()(asio::cancellation_type type) const;
    };

    void initiate(std::string command, exec_handler h);
    void enqueue(std::string command, exec_handler h);
    void cancel(std::uint64_t id);
    void complete(exec_handler h, boost::system::error_code ec, reply r);
    void fail_all(boost::system::error_code ec);
    void start_write();
    void arm_sweeper(clock::time_point t);
    void sweep();
    void set_state(state s);
    void set_last_error(std::string why);
    void update_counts();

    asio::awaitable<void> run(std::shared_ptr<connection> self);
    asio::awaitable<std::shared_ptr<link>> connect_once();
    asio::awaitable<std::string> serve(std::shared_ptr<link> l);

    object_strand strand_;
    connection_config cfg_;
    std::shared_ptr<clock> clk_;
    events events_;
    std::unique_ptr<asio::ssl::context> tls_ctx_;
    std::string tls_name_;
    std::string handshake_; // AUTH / SELECT / PING, formatted once
    std::size_t handshake_replies_ = 0;

    state state_ = state::idle;
    bool ever_connected_ = false;
    std::shared_ptr<link> link_; // while up
    std::deque<entry> pending_;  // in order: sent (or, while connecting, to be sent)
    std::string out_;            // commands not yet handed to a write
    std::uint64_t next_id_ = 1;
    timer sweeper_;
    bool sweeping_ = false;
    clock::time_point sweeper_at_{};
    clock::time_point last_reply_{};
    timer backoff_;
    asio::cancellation_signal run_signal_; // stop() cancels the loop's current operation

    std::atomic<std::size_t> pending_count_{0};
    std::atomic<bool> busy_{false};
    std::atomic<bool> up_{false};
    std::atomic<std::uint64_t> connects_{0};
    std::atomic<std::uint64_t> failures_{0};
    mutable std::mutex error_mutex_;
    std::string last_error_;
};

} // namespace exsdk::detail::redis

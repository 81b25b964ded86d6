// exsdk::mock::server: the mock exchange. One HTTP(S) listener answers like WOO X (/v3/...) and
// BingX (/openApi/...) and serves the admin API (/__admin/...). See docs/mock-exchange.md.
//
//     asio::io_context ioc;
//     exsdk::mock::server srv(ioc.get_executor(), {});   // or a threaded_server
//     srv.start();                                       // binds 127.0.0.1 on an ephemeral port
//     ... clients talk to srv.base_url() while ioc runs ...
//     srv.stop();                                        // ioc.run() then returns
//
// Threading: the server runs on its executor, which must not be run by several threads at once
// (an io_context run by one thread, or a strand). start() and stop() must be called where they
// cannot race that thread: from it, or while nothing runs the executor (threaded_server's own
// stop() is safe from anywhere). Every other member function is thread-safe.
#pragma once

#include <exsdk/asio_namespace.hpp>
#include <exsdk/mock/accounts.hpp>
#include <exsdk/mock/config.hpp>
#include <exsdk/mock/fault.hpp>
#include <exsdk/mock/journal.hpp>
#include <exsdk/mock/listen_key.hpp>
#include <exsdk/mock/state_stats.hpp>
#include <exsdk/mock/stream_push.hpp>
#include <exsdk/mock/stream_state.hpp>

#include <boost/asio/any_io_executor.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace exsdk::mock {

class server {
public:
    /// Throws std::invalid_argument for an invalid config (accounts, zero limits...).
    server(boost::asio::any_io_executor ex, config cfg);
    server(const server&) = delete;
    server& operator=(const server&) = delete;
    ~server(); ///< stop()s

    /// Binds, listens and starts accepting. Throws std::system_error on failure (address in
    /// use, bad host, TLS set-up) and std::logic_error when called twice.
    void start();
    /// Graceful stop: closes the listener and every connection (stream sockets are cut, without
    /// a close frame), cancels every timer. Idempotent.
    /// Afterwards nothing of the server is left waiting on the executor (its pending handlers
    /// complete with operation_aborted when the executor next runs).
    void stop();

    std::uint16_t port() const;
    /// "http://127.0.0.1:PORT" (or "https://..." with TLS).
    std::string base_url() const;
    /// The issuing CA certificate (PEM) when TLS is on, else "".
    std::string ca_pem() const;

    // --- the C++ control surface (mirrors the admin API; thread-safe) --------------------
    std::vector<journal_entry> journal() const;
    void clear_journal();
    /// Throws std::invalid_argument for a fault that can never apply (count 0, bad status...).
    void add_fault(fault f);
    void clear_faults();
    /// The faults still pending, with their remaining counts.
    std::vector<fault> faults() const;
    /// Replaces every account. Listen keys of API keys that no longer exist are revoked.
    /// Throws std::invalid_argument (see accounts::validate()).
    void set_accounts(accounts a);
    accounts get_accounts() const;
    /// Listen keys, rate windows, disabled periods, error blocks, journal and faults back to the
    /// start state; every stream socket is closed (close frame 1012 "mock reset"). The clock
    /// and the accounts are left as they are.
    void reset();
    /// Live (issued, not expired, replaced or deleted) listen keys of both exchanges.
    std::vector<listen_key_state> listen_keys() const;
    std::optional<listen_key_state> find_listen_key(std::string_view key) const;
    const std::shared_ptr<exsdk::clock>& clock() const;
    /// Open client connections (websocket streams included).
    std::size_t connection_count() const;
    /// Entry counts of the state's bounded collections, after sweeping what the mock's clock
    /// has ended (docs/mock-exchange.md, "Bounded memory").
    state_stats stats() const;

    // --- websocket account streams (docs/mock-exchange.md, "Streams"; thread-safe) --------
    /// Pushes one event to the matching open sockets of the account (see stream_push.hpp).
    /// Returns how many sockets it was queued to; each socket gets its events in push order,
    /// whatever thread pushes. Throws std::invalid_argument for an unknown exchange, account or
    /// API key, an empty topic, or data that is not a JSON object.
    std::size_t push_event(const stream_push& p);
    /// Cuts the matching open sockets (TCP close, no close frame: network loss): every socket,
    /// one exchange's ("woox"/"bingx"), and/or those opened with listen keys of `api_key`.
    /// Returns how many. Throws std::invalid_argument for another exchange name.
    std::size_t drop_streams(std::string_view exchange = {}, std::string_view api_key = {});
    /// Open stream sockets (of one exchange, or all). Sockets being closed are not counted.
    std::size_t stream_count(std::string_view exchange = {}) const;
    /// The open stream sockets, in connection order.
    std::vector<stream_state> streams() const;

private:
    friend class threaded_server;
    struct impl;
    std::shared_ptr<impl> impl_;
};

/// The same server on its own thread and io_context: started by the constructor, stopped and
/// joined by the destructor.
class threaded_server {
public:
    explicit threaded_server(config cfg);
    threaded_server(const threaded_server&) = delete;
    threaded_server& operator=(const threaded_server&) = delete;
    ~threaded_server();

    server& get();
    const server& get() const;
    std::string base_url() const;
    /// Stops the server and joins the thread. Idempotent; callable from any thread but the
    /// server's own.
    void stop();

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

} // namespace exsdk::mock

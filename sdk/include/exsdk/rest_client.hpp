// exsdk::rest_client: what both exchanges' REST clients (woox::client, bingx::client) offer
// besides their calls: the exchange's time, the signing clock's sync, the stats, the executor.
// Not constructed by itself: it is the public base of the two clients.
//
// Threads: as the clients (any member from any thread; a call runs in the calling coroutine and
// leaves its state as it was).
#pragma once

#include <exsdk/asio_namespace.hpp>
#include <exsdk/client_stats.hpp>
#include <exsdk/clock.hpp>
#include <exsdk/error.hpp>

#include <boost/asio/awaitable.hpp>

#include <memory>

namespace exsdk {

namespace detail {
class request_pipeline;
} // namespace detail

class rest_client {
public:
    /// The exchange's time, one unsigned request (no credentials needed): WOO X
    /// GET /v3/public/systemInfo, BingX GET /openApi/swap/v2/server/time.
    asio::awaitable<result<clock::wall_time>> server_time();

    /// Syncs the signing clock with server_time() now (midpoint estimate).
    asio::awaitable<result<void>> sync_clock();
    /// Current estimate of exchange time minus local wall time.
    clock::duration clock_offset() const;

    /// What the client has done so far: calls, errors, retries, latency and limiter-wait
    /// histograms per operation (exsdk/client_stats.hpp; exsdk/prometheus.hpp writes it for a
    /// /metrics page). Thread-safe; cheap enough to scrape every few seconds.
    client_stats stats() const;

    asio::any_io_executor get_executor() const;

protected:
    /// `owner`: the client's state, whose member `pipeline` is its request path (held through
    /// an aliasing pointer, so the calls keep the whole client alive).
    template <class Impl>
    explicit rest_client(const std::shared_ptr<Impl>& owner) noexcept
        : pipeline_(owner, &owner->pipeline) {}
    rest_client(const rest_client&) = delete;
    rest_client& operator=(const rest_client&) = delete;
    rest_client(rest_client&&) noexcept;
    rest_client& operator=(rest_client&&) noexcept;
    ~rest_client();

private:
    std::shared_ptr<detail::request_pipeline> pipeline_;
};

} // namespace exsdk

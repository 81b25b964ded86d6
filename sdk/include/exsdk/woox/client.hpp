// exsdk::woox::client: awaitable WOO X account API client.
//
//   exsdk::woox::client c(executor, cfg);
//   auto key = co_await c.create_listen_key();
//   if (!key) { /* key.error().code == exsdk::errc::rate_limited, ... */ }
//
// Every call goes limiter -> signer -> transport -> parser, with the configured retries and
// clock sync, and reports failures as values (calls never throw; the constructor throws
// exsdk::exception for a configuration that cannot work, such as an unparsable base_url).
//
// Threads: every member function may be called concurrently from coroutines on any executor and
// any thread (a multi-threaded io_context or thread_pool needs no strand of yours). A call runs
// in the calling coroutine, so it resumes on the caller's executor with no hop; what calls share
// (the connection pool, the limiters, clock-sync state) is guarded by mutexes held for a few
// instructions, and each request owns its connection while it runs. Calls never change the
// caller's coroutine state (throw_if_cancelled, cancellation filters). Each call supports Asio
// per-operation cancellation (terminal); emit the signal where Asio requires for any slot
// (serialised with the awaiting coroutine, e.g. posted to its executor), from any thread. The
// client may be destroyed while calls are in flight on any thread: they keep what they need
// alive and finish.
#pragma once

#include <exsdk/asio_namespace.hpp>
#include <exsdk/client_stats.hpp>
#include <exsdk/error.hpp>
#include <exsdk/rest_client.hpp>
#include <exsdk/woox/config.hpp>
#include <exsdk/woox/types.hpp>

#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <memory>
#include <vector>

namespace exsdk::woox {

class client : public rest_client {
public:
    /// Throws exsdk::exception (errc::invalid_argument) for an unusable config (bad base URL,
    /// unreadable CA file, API key with control characters).
    client(asio::any_io_executor ex, config cfg);
    client(const client&) = delete;
    client& operator=(const client&) = delete;
    client(client&&) noexcept = default;
    client& operator=(client&&) noexcept = default;
    ~client() = default;

    /// POST /v3/account/listenKey. Creating a key expires the API key's previous one at once:
    /// never call this while a healthy private stream uses the current key.
    asio::awaitable<result<listen_key>> create_listen_key();

    /// GET /v3/account/credentials, one page. page >= 1, 1 <= size <= 1000, else
    /// errc::invalid_argument without sending anything.
    asio::awaitable<result<api_key_page>> api_key_permissions(std::int64_t page = 1,
                                                              std::int64_t size = 25);

    /// Every page of /v3/account/credentials, each request through the rate limiter.
    asio::awaitable<result<std::vector<api_key_permission>>>
    all_api_key_permissions(std::int64_t page_size = 1000);

    // server_time(), sync_clock(), clock_offset(), stats(), get_executor(): exsdk::rest_client.

    const config& get_config() const;

private:
    friend class listen_key_session; // shares the client's state
    struct impl;
    explicit client(std::shared_ptr<impl> shared);
    std::shared_ptr<impl> impl_;
};

} // namespace exsdk::woox

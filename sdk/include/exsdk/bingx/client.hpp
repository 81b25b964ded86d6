// exsdk::bingx::client: awaitable BingX user-data-stream client.
//
//   exsdk::bingx::client c(executor, cfg);
//   auto key = co_await c.generate_listen_key();
//   co_await c.extend_listen_key(key->key);   // every 30 min
//   co_await c.delete_listen_key(key->key);
//
// Every call goes limiter -> signer -> transport -> parser, with the configured retries (which
// wait for BingX's "unblocked after" time instead of retrying inside a block) and clock sync,
// and reports failures as values. Calls take the UID limit and the process-wide IP-group limits
// together. Same thread, cancellation and lifetime rules as exsdk::woox::client: callable from
// any thread, caller resumes on its own executor, its coroutine state left alone.
#pragma once

#include <exsdk/asio_namespace.hpp>
#include <exsdk/bingx/config.hpp>
#include <exsdk/bingx/types.hpp>
#include <exsdk/client_stats.hpp>
#include <exsdk/error.hpp>
#include <exsdk/rest_client.hpp>

#include <boost/asio/awaitable.hpp>

#include <memory>
#include <string_view>

namespace exsdk::bingx {

class client : public rest_client {
public:
    /// Throws exsdk::exception (errc::invalid_argument) for an unusable config.
    client(asio::any_io_executor ex, config cfg);
    client(const client&) = delete;
    client& operator=(const client&) = delete;
    client(client&&) noexcept = default;
    client& operator=(client&&) noexcept = default;
    ~client() = default;

    /// POST userDataStream: a new listen key, valid 60 min.
    asio::awaitable<result<listen_key>> generate_listen_key();
    /// PUT userDataStream: another 60 min for `key`. errc::not_found when it already lapsed.
    asio::awaitable<result<void>> extend_listen_key(std::string_view key);
    /// DELETE userDataStream. errc::not_found when it does not exist.
    asio::awaitable<result<void>> delete_listen_key(std::string_view key);

    // server_time(), sync_clock(), clock_offset(), stats(), get_executor(): exsdk::rest_client.

    const config& get_config() const;

private:
    friend class listen_key_session; // shares the client's state
    struct impl;
    explicit client(std::shared_ptr<impl> shared);
    std::shared_ptr<impl> impl_;
};

} // namespace exsdk::bingx

// The benchmark calls made through the SDK: client configurations for a benchmark (limits off,
// no retries, so every failure shows) and one dispatch function per call.
#pragma once

#include "bare_http.hpp"

#include <exsdk/bingx/client.hpp>
#include <exsdk/woox/client.hpp>

#include <boost/asio/awaitable.hpp>

#include <sstream>
#include <stdexcept>
#include <string>

namespace bench {

template <class Config>
Config sdk_config(const std::string& base_url, const std::string& ca_pem,
                  std::size_t max_connections, std::string_view key, std::string_view secret) {
    Config c;
    c.base_url = base_url;
    c.credentials = {std::string(key), exsdk::secret(std::string(secret))};
    c.limits.enabled = false; // the mock runs without limits too: measure throughput
    c.retry = exsdk::retry_policy::none();
    c.transport.max_connections = max_connections;
    c.tls.ca_pem = ca_pem;
    return c;
}

struct sdk_clients {
    exsdk::woox::client woox;
    exsdk::bingx::client bingx;

    sdk_clients(boost::asio::any_io_executor ex, const std::string& base_url,
                const std::string& ca_pem, std::size_t max_connections)
        : woox(ex, sdk_config<exsdk::woox::config>(base_url, ca_pem, max_connections, woox_key,
                                                   woox_secret)),
          bingx(ex, sdk_config<exsdk::bingx::config>(base_url, ca_pem, max_connections, bingx_key,
                                                     bingx_secret)) {}
};

inline std::string to_text(const exsdk::error& e) {
    std::ostringstream os;
    os << e;
    return os.str();
}

/// "" on success, else the error's text.
template <class T>
boost::asio::awaitable<std::string> text_of(boost::asio::awaitable<T> call) {
    auto r = co_await std::move(call);
    co_return r ? std::string() : to_text(r.error());
}

/// A BingX generate that stores the new key in `key`.
inline boost::asio::awaitable<std::string> generate_into(sdk_clients& c, std::string& key) {
    auto r = co_await c.bingx.generate_listen_key();
    if (!r) {
        co_return to_text(r.error());
    }
    key = std::move(r->key);
    co_return std::string();
}

/// One call through the SDK. `key` is the BingX listen key to extend; a generate call stores its
/// new key there. The awaitable yields "" on success, else the error.
///
/// One small coroutine per call, as an engine would write it, not one coroutine with a branch
/// per call: GCC gives every branch's result its own slot in the frame, and a frame over 1,020
/// bytes is never recycled by Asio (its per-thread cache takes blocks up to 255 x 4 bytes);
/// worse, each such allocation evicts one cached block, so the SDK's own frames behind it missed
/// the cache too (12.75 allocations per call with the one big frame, see benchmarks/profile).
inline boost::asio::awaitable<std::string> sdk_call(sdk_clients& c, call what, std::string& key) {
    switch (what) {
    case call::woox_listen_key: return text_of(c.woox.create_listen_key());
    case call::woox_credentials: return text_of(c.woox.api_key_permissions(1, 25));
    case call::woox_system_info: return text_of(c.woox.server_time());
    case call::bingx_generate: return generate_into(c, key);
    case call::bingx_extend: return text_of(c.bingx.extend_listen_key(key));
    }
    throw std::invalid_argument("unknown call");
}

} // namespace bench

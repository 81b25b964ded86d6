// The benchmark calls made through the SDK: client configurations for a benchmark (limits off,
// no retries, so every failure shows) and one dispatch function per call.
#pragma once

#include "bare_http.hpp"

#include <exsdk/bingx/client.hpp>
#include <exsdk/woox/client.hpp>

#include <boost/asio/awaitable.hpp>

#include <sstream>
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

/// One call through the SDK. `key` is the BingX listen key to extend; a generate call stores its
/// new key there. Returns "" on success, else the error.
inline boost::asio::awaitable<std::string> sdk_call(sdk_clients& c, call what, std::string& key) {
    switch (what) {
    case call::woox_listen_key: {
        auto r = co_await c.woox.create_listen_key();
        co_return r ? std::string() : to_text(r.error());
    }
    case call::woox_credentials: {
        auto r = co_await c.woox.api_key_permissions(1, 25);
        co_return r ? std::string() : to_text(r.error());
    }
    case call::woox_system_info: {
        auto r = co_await c.woox.server_time();
        co_return r ? std::string() : to_text(r.error());
    }
    case call::bingx_generate: {
        auto r = co_await c.bingx.generate_listen_key();
        if (!r) {
            co_return to_text(r.error());
        }
        key = std::move(r->key);
        co_return std::string();
    }
    case call::bingx_extend: {
        auto r = co_await c.bingx.extend_listen_key(key);
        co_return r ? std::string() : to_text(r.error());
    }
    }
    co_return "unknown call";
}

} // namespace bench

// HTTP transport settings of a client: the keep-alive pool and its timeouts.
#pragma once

#include <exsdk/clock.hpp>

#include <chrono>
#include <cstddef>

namespace exsdk {

struct transport_config {
    /// Keep-alive connections the client opens to its host, shared by all its coroutines.
    std::size_t max_connections = 4;
    /// Resolve + TCP connect + TLS handshake, on the client's clock.
    clock::duration connect_timeout = std::chrono::seconds(5);
    /// Writing one request and reading its whole answer, on the client's clock.
    clock::duration request_timeout = std::chrono::seconds(10);
    /// A pooled connection idle for longer is closed instead of reused (servers drop idle ones).
    clock::duration idle_timeout = std::chrono::seconds(50);
    /// Larger answers are rejected with errc::protocol.
    std::size_t max_response_bytes = std::size_t{8} << 20;
};

} // namespace exsdk

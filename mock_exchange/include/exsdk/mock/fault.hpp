// exsdk::mock::fault: a scripted misbehaviour for the next `count` matching requests
// (POST /__admin/faults, server::add_fault()). Faults apply to WOO X and BingX requests only
// (never to the admin API), first added first matched.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

namespace exsdk::mock {

struct fault {
    // Match: an empty field matches anything.
    std::string exchange; ///< "woox" or "bingx" (routing prefix), "" for any
    std::string method;   ///< "GET", "POST", ... (case-insensitive), "" for any
    std::string path;     ///< exact path without the query, "" for any

    enum class action {
        respond, ///< answer `status` with `body` instead: Content-Type text/html when the body
                 ///< starts with '<' (a proxy's or load balancer's page), else application/json
        delay,   ///< wait `delay` on the mock's clock, then answer normally
        drop,    ///< close the connection without answering
    };
    action act = action::respond;
    int status = 500;
    std::string body;
    std::chrono::milliseconds delay{0};
    std::size_t count = 1; ///< how many matching requests this fault applies to (>= 1)

    friend bool operator==(const fault&, const fault&) = default;
};

/// "respond", "delay", "drop".
const char* to_string(fault::action a) noexcept;

} // namespace exsdk::mock

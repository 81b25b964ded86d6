// router: the one entry point the connection coroutine calls. Chooses the handler by path prefix
// (/v3/ WOO X, /openApi/ BingX, /__admin/ admin API), applies scripted faults, and journals
// every exchange request. Sans-io: the connection only carries out the returned decision.
#pragma once

#include "http_message.hpp"
#include "state.hpp"

#include <chrono>
#include <cstddef>
#include <functional>
#include <mutex>
#include <string_view>

namespace exsdk::mock::detail {

enum class area { woox, bingx, admin, other };
area classify(std::string_view path) noexcept;
std::string_view exchange_name(area a) noexcept; ///< "woox", "bingx" or ""

/// What the connection does with a request after route().
struct decision {
    enum class kind {
        respond, ///< write `res`
        delay,   ///< wait `delay` on the clock, then call handle() and write `res`
        drop,    ///< close the connection without answering
    };
    kind what = kind::respond;
    std::chrono::milliseconds delay{0};
};

class router {
public:
    /// `connections`: how many connections are open (for GET /__admin/health).
    router(shared_state& st, std::function<std::size_t()> connections);

    /// Admin requests are answered here; exchange requests consult the faults first.
    decision route(const request& req, response& res);
    /// Answers an exchange request normally (after a delay fault, `fault_note` is "delay").
    void handle(const request& req, response& res, std::string_view fault_note = {});
    /// 413 in the envelope of the request's path (headers were read, the body was too large).
    void body_too_large(const request& req, response& res);

private:
    /// Records the answer (under `lock`, which it may release to call cfg.on_request).
    void journal(std::unique_lock<std::mutex>& lock, const request& req, const response* res,
                 area a, std::string_view fault_note);

    shared_state& st_;
    std::function<std::size_t()> connections_;
};

/// The admin API (/__admin/...). Locks the state itself.
void handle_admin(const request& req, response& res, shared_state& st, std::size_t connections);

} // namespace exsdk::mock::detail

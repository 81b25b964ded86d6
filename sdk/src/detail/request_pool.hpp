// detail::request_pool: the requests a client keeps between its calls (private to the SDK), so
// that a call builds its request in place (the builders' `into` overloads, add_header) into
// buffers that already have room: no allocation for the request once warm.
//
// Thread-safe. Bound: at most `max_idle` idle requests are kept (32, each some 300 bytes plus
// its buffers, about 700 bytes in all); requests beyond those in flight at once are made and
// freed as needed.
#pragma once

#include <exsdk/http_message.hpp>

#include <memory>
#include <mutex>
#include <vector>

namespace exsdk::detail {

class request_pool {
public:
    static constexpr std::size_t max_idle = 32;

    /// One request borrowed for a call, given back when the lease ends. The pool must outlive it.
    class lease {
    public:
        explicit lease(request_pool& pool) : pool_(&pool), req_(pool.take()) {}
        lease(const lease&) = delete;
        lease& operator=(const lease&) = delete;
        ~lease() { pool_->give_back(std::move(req_)); }

        http_request& operator*() const noexcept { return *req_; }
        http_request* operator->() const noexcept { return req_.get(); }
        http_request* get() const noexcept { return req_.get(); }

    private:
        request_pool* pool_;
        std::unique_ptr<http_request> req_;
    };

private:
    std::unique_ptr<http_request> take() {
        {
            std::lock_guard lock(mutex_);
            if (!idle_.empty()) {
                auto r = std::move(idle_.back());
                idle_.pop_back();
                return r;
            }
        }
        return std::make_unique<http_request>();
    }

    void give_back(std::unique_ptr<http_request> r) noexcept {
        std::lock_guard lock(mutex_);
        if (idle_.size() < max_idle) {
            if (idle_.capacity() == 0) {
                try {
                    idle_.reserve(max_idle);
                } catch (...) {
                    return; // (bad_alloc: the request is freed instead of kept)
                }
            }
            idle_.push_back(std::move(r));
        }
    }

    std::mutex mutex_;
    std::vector<std::unique_ptr<http_request>> idle_; // at most max_idle
};

} // namespace exsdk::detail

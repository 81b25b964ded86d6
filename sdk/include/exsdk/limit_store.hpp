// exsdk::limit_store: where a client's rate limits are counted, when not in its own process.
//
// By default every client counts its limits in process (exsdk::sliding_window_limiter). Several
// processes on one account (one engine per strategy, per host) must count together, or they
// exceed the exchange's limit between them: give their clients one store, e.g.
//
//   auto store = std::make_shared<exsdk::redis_limit_store>(executor, redis_cfg);
//   woox_cfg.limits.store = store;   // every client of every process using the same Redis
//
// A client asks the store once per endpoint, at construction, for the call_limiter of that
// endpoint's calls: the limits are named, and every process naming the same limit counts in the
// same window. All limits of one call share a `scope` (a Redis cluster hash tag), so a store can
// take them in one atomic step.
#pragma once

#include <exsdk/call_limiter.hpp>
#include <exsdk/rate_limit.hpp>

#include <memory>
#include <span>
#include <string>
#include <string_view>

namespace exsdk {

/// One limit of a call, by name ("listen_key", "uid:key-3f2a...:userDataStream").
struct named_limit {
    std::string name;
    rate_limit limit;
};

class limit_store {
public:
    limit_store() = default;
    limit_store(const limit_store&) = delete;
    limit_store& operator=(const limit_store&) = delete;
    virtual ~limit_store() = default;

    /// The limiter of one kind of call: acquire() takes every limit of `limits` at once (at most
    /// sliding_window_limiter::max_limiters_per_call, all enabled); the first is the endpoint's
    /// own, which call_limiter::hold_for() holds back. Every limit of a call lives in `scope`
    /// ("woox:<account>", "bingx"). Throws std::invalid_argument for unusable limits.
    virtual std::shared_ptr<call_limiter> make_limiter(std::string_view scope,
                                                       std::span<const named_limit> limits) = 0;
};

} // namespace exsdk

// The Redis limit store's per-call limiter (private to exsdk::redis): the reservation path.
// acquire() reserves a start for all of a call's limits in one script run, waits for it on the
// store's clock, confirms it before going, and gives it back when cancelled; when Redis fails,
// the store's failure policy decides (store_state.hpp). hold_for() records a hold.
#pragma once

#include "redis/store_state.hpp"

#include <exsdk/call_limiter.hpp>

#include <memory>
#include <vector>

namespace exsdk::detail::redis {

/// The call_limiter redis_limit_store::make_limiter() returns, for `limits` (1 to 8).
std::shared_ptr<call_limiter> make_call_limiter(std::shared_ptr<store_state> store,
                                                std::vector<std::shared_ptr<store_limit>> limits);

} // namespace exsdk::detail::redis

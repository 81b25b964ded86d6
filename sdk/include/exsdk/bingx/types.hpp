// Typed results of the BingX user-data-stream endpoints.
#pragma once

#include <exsdk/clock.hpp>

#include <string>

namespace exsdk::bingx {

/// POST /openApi/user/auth/userDataStream: a key for the account streams. It lapses 60 min
/// after it was generated or last extended; extend it every 30 min.
struct listen_key {
    std::string key;
    /// Estimated end of validity: the exchange's time at the answer + 60 min (BingX does not say).
    clock::wall_time valid_until{};
};

} // namespace exsdk::bingx

// exsdk::rate_limit: "N requests per window", as the exchanges document their limits.
#pragma once

#include <chrono>
#include <cstddef>

namespace exsdk {

struct rate_limit {
    std::size_t requests = 0;           ///< at most this many request starts ...
    std::chrono::milliseconds window{}; ///< ... in any interval of this length

    constexpr bool enabled() const noexcept { return requests > 0 && window.count() > 0; }
    friend constexpr bool operator==(const rate_limit&, const rate_limit&) = default;
};

} // namespace exsdk

// Clock synchronisation with the exchange's server-time endpoint, so requests are signed with
// the exchange's time even when the local clock is off by seconds (-1002 / 100421 otherwise).
// The offset is estimated at the midpoint of the server-time round trip.
#pragma once

#include <exsdk/clock.hpp>

#include <chrono>

namespace exsdk {

struct clock_sync_config {
    /// Sync before the first signed request.
    bool at_start = false;
    /// When the exchange rejects a timestamp: sync, then retry the call once.
    bool on_rejection = true;
    /// Re-sync when the last sync is older than this before a signed request (0: never).
    clock::duration interval{0};
};

} // namespace exsdk

// exsdk::overflow_policy: what a stream or a session does when the application does not take
// events (next()) as fast as the exchange sends them. The queue between the socket and next()
// holds at most max_queued_events (stream_config) / max_queued_updates (session_config) items;
// it never grows without limit.
//
// Default: block, with 10,000 queued items. Nothing is ever dropped by the SDK's own decision:
// a burst larger than the queue only delays reading, and TCP flow control passes the back
// pressure on to the exchange. If the application stalls for longer than the exchange tolerates
// (BingX drops a socket that leaves its pings unanswered for about 15 s), the socket is lost and
// a session reports it like any other outage (disconnected, then gap: re-sync from REST), the one
// recovery a trading engine needs anyway. `drop` suits applications that prefer fresh events to
// complete ones: the socket keeps being read, what does not fit is counted, and the count is
// reported in order, where the events are missing. 10,000 items are a few MiB (an event keeps
// its raw JSON), far more than a healthy consumer ever has queued.
#pragma once

#include <cstddef>

namespace exsdk {

enum class overflow_policy {
    /// Stop reading the socket until next() makes room; nothing is dropped (the default).
    block,
    /// Keep reading and drop what does not fit. A session reports session_status::gap with
    /// `dropped` (how many updates were lost); a bare stream's next() returns
    /// errc::events_dropped once (the message says how many), then the events after the gap.
    drop,
};

/// The default bound of a stream's or a session's queue.
inline constexpr std::size_t default_max_queued = 10000;

} // namespace exsdk

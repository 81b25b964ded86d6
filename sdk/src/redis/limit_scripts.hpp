// The Lua scripts of the Redis limit store and their commands (private to exsdk::redis; no I/O).
//
// Data, per limit (all keys of one call share the hash tag `{scope}`):
//   <prefix>:{<scope>}:<name>        sorted set: member = one reservation ("<store id>:<n>"),
//                                    score = its start time (µs, on the script's time line)
//   <prefix>:{<scope>}:<name>:hold   string: no start before this time (µs), the exchange's
//                                    unblock time
// Both expire on their own (PEXPIRE): key_expiry_slack after the last reservation left the
// window, the hold when it ends (+ slack).
//
// acquire (one round trip for every limit of a call; FIFO, strict):
//   now = TIME (or the caller's clock); the call's start is the latest of now, every hold, every
//   limit's newest reservation (FIFO) and, where N reservations are in the set, the N-th newest
//   + W (then starts <= now - W are dropped: a set holds at most N entries or those of one
//   window). The member is added to every set at that start, which is returned with `now`; the
//   caller waits until then on its own timer. With a reserved start to confirm (after such a
//   wait) it first checks the holds, that the reservation is still there and that the caller is
//   not late for it (now - reserved <= the smallest max_lateness of its limits, by default their
//   margin: a process descheduled past its turn would otherwise start inside the next
//   reservations' window): if so the call may go; else it reserves again, behind the hold and
//   the queue.
// release: removes a member from every set (cancelled call). hold: raises a hold key.
// record: adds this process's local starts (local_fallback) to a set when Redis is back.
#pragma once

#include "redis/resp.hpp"

#include <exsdk/error.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace exsdk::detail::redis {

struct script {
    std::string_view body;
    std::string sha1; ///< lowercase hex, as EVALSHA wants it
};

const script& acquire_script();
const script& release_script();
const script& hold_script();
const script& record_script();

/// One limit as the acquire script takes it.
struct script_limit {
    std::string key;      ///< the sorted set
    std::string hold_key; ///< key + ":hold"
    std::size_t requests = 0;
    std::chrono::microseconds window{}; ///< the effective window (limit + margin)
    /// How late after its reserved start a call of this limit may still go (its margin, or
    /// redis_config::max_lateness).
    std::chrono::microseconds max_lateness{};
};

/// `now`: the caller's time line in µs, or nullopt for the server's TIME.
using script_now = std::optional<std::int64_t>;

/// Appends EVALSHA (or, with `by_body`, EVAL) of `s` to `out`.
void append_eval(std::string& out, const script& s, bool by_body,
                 std::span<const std::string_view> keys, std::span<const std::string_view> args);

/// The acquire command of one call's limits (at most 8), prepared once: per call only the time,
/// the member and the reservation to confirm change, so building it allocates nothing but the
/// output. Arguments: KEYS = the sets, then their hold keys; ARGV = now ("" for the server's
/// TIME), member, reserved start to confirm ("" for a new reservation), expiry slack (ms), the
/// lateness a confirmation accepts (µs: the smallest max_lateness), then requests and window
/// (µs) of each limit.
class acquire_command {
public:
    acquire_command(std::span<const script_limit> limits, std::chrono::milliseconds expiry_slack);
    void append(std::string& out, bool by_body, std::string_view now, std::string_view member,
                std::string_view confirm) const;
    /// How late (after its reserved start) a call may still go: the smallest max_lateness.
    std::chrono::microseconds late_tolerance() const noexcept { return late_; }

private:
    std::vector<std::string> strings_;
    std::vector<std::string_view> keys_;
    std::vector<std::string_view> limits_;
    std::string numkeys_;
    std::string slack_;
    std::chrono::microseconds late_{};
    std::string late_text_;
};
void append_release(std::string& out, std::span<const script_limit> limits,
                    std::string_view member);
void append_hold(std::string& out, bool by_body, const script_limit& limit, script_now now,
                 std::chrono::microseconds wait, std::chrono::milliseconds expiry_slack);
/// `starts`: (offset from now in µs, member) of each start to record.
void append_record(std::string& out, const script_limit& limit, script_now now,
                   std::span<const std::pair<std::int64_t, std::string>> starts,
                   std::chrono::milliseconds expiry_slack);

struct acquire_reply {
    bool confirmed = false; ///< a confirmation that held (the call may start)
    std::int64_t start_us = 0;
    std::int64_t now_us = 0;
};

/// Parses acquire's reply; errc::protocol for anything else (error replies included, with
/// their text).
result<acquire_reply> parse_acquire(reply_view r);

/// True for the error reply of EVALSHA when the server does not know the script (restarted,
/// SCRIPT FLUSH): send it again as EVAL.
bool is_noscript(reply_view r);

} // namespace exsdk::detail::redis

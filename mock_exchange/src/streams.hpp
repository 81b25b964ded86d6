// The websocket account streams without I/O: which paths upgrade, who may connect, the registry
// of open sockets (subscriptions, per-IP counts), the mailboxes through which other threads talk
// to a socket (pushes, key events, admin drops, reset), and the sans-io frames: client frames
// handled and server frames written (stream_frames.cpp). The registry and mailboxes are in
// streams.cpp, the socket timers in stream_timers.hpp; the I/O half is basic_stream_session.hpp
// (the only Beast websocket code).
//
// Threads: the registry has its own mutex (lock order: shared_state::mutex -> stream_hub's ->
// a mailbox's). Everything a socket does runs on the server's executor; other threads only put
// items into its mailbox, whose drain() is posted there. Items are taken in the order they were
// put, so pushes reach each socket in push order whatever thread they come from.
#pragma once

#include "http_message.hpp"
#include "listen_keys.hpp"

#include <exsdk/asio_namespace.hpp>
#include <exsdk/clock.hpp>
#include <exsdk/gzip.hpp>
#include <exsdk/mock/config.hpp>
#include <exsdk/mock/journal.hpp>
#include <exsdk/mock/stream_push.hpp>
#include <exsdk/mock/stream_state.hpp>

#include <atomic>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace exsdk::mock::detail {

class shared_state;

enum class stream_kind : std::uint8_t { woox_private, bingx_spot, bingx_swap };

/// The stream a path upgrades to (/v3/private, /market, /swap-market), if any.
std::optional<stream_kind> stream_route(std::string_view path) noexcept;
venue venue_of(stream_kind k) noexcept;
std::string_view path_of(stream_kind k) noexcept;

/// The mock's own close codes (RFC 6455 section 7.4.1). The exchanges' codes (key gone, idle,
/// pong timeout, ...) are in their protocol.hpp, chosen by stream_timers.hpp.
namespace close_code {
inline constexpr std::uint16_t abnormal = 1006; ///< journal only: no close frame was exchanged
inline constexpr std::uint16_t service_restart = 1012;
} // namespace close_code

/// Something another thread tells a socket.
struct stream_item {
    enum class type : std::uint8_t {
        frame,     ///< send `text` (a push; BingX frames are gzipped by the session)
        close,     ///< close with `code` and reason `text`
        drop,      ///< close the TCP connection, no close frame
        key_event, ///< the listen key was replaced, deleted, extended, revoked or expired
    };
    type what = type::frame;
    std::string text;
    std::uint16_t code = 0;
    bool journal = true; ///< close/drop: record a stream_close entry
    listen_key_event event = listen_key_event::expired;
    std::int64_t expires_ms = 0;
};

/// The socket side of a mailbox; drain() runs on the socket's executor.
class stream_sink {
public:
    virtual ~stream_sink() = default;
    virtual void drain() = 0;
};

/// A thread-safe FIFO into one socket: put() from any thread; a drain() is posted to the
/// socket's executor when items are waiting.
class stream_mailbox {
public:
    void put(stream_item item);
    /// Binds the socket. Items put before are kept; a drain is posted if any are waiting.
    void attach(asio::any_io_executor ex, std::weak_ptr<stream_sink> sink);
    /// Unbinds for good: what is waiting and whatever comes later is discarded.
    void detach();
    /// Everything waiting, in put order (called by drain()).
    std::vector<stream_item> take();

private:
    void kick(std::unique_lock<std::mutex>& lock);

    std::mutex mutex_;
    std::vector<stream_item> items_;
    asio::any_io_executor ex_;
    std::weak_ptr<stream_sink> sink_;
    bool attached_ = false;
    bool detached_ = false; ///< for good: later items are discarded
    bool kicked_ = false;
};

/// One admitted socket. The first block is fixed at admission.
struct stream_record {
    std::uint64_t id = 0;
    stream_kind kind = stream_kind::woox_private;
    std::string listen_key;
    std::string api_key;
    std::int64_t account_id = 0;
    std::string peer;
    std::string target;
    std::int64_t connected_ms = 0;
    std::uint64_t watch_id = 0;
    stream_mailbox mailbox;

    // Guarded by the hub's mutex.
    std::vector<std::string> topics; ///< in subscription order
    std::int64_t key_expires_ms = 0;
    std::int64_t last_frame_ms = 0;
    std::int64_t last_pong_ms = 0;
    bool open = true; ///< registered: receives pushes, counted (stream_count(), per IP)
};

class stream_hub {
public:
    explicit stream_hub(const config& cfg);

    /// An upgrade request for `kind`: the admitted socket's record (registered, its listen key
    /// watched, journaled with 101), or nullptr with the refusal in `res` (journaled too).
    /// Locks the state.
    std::shared_ptr<stream_record> admit(shared_state& st, stream_kind kind, const request& req,
                                         response& res);

    /// `r` is closing (or gone): no more pushes, not listed or counted, its per-IP slot given
    /// back. True when it was open; idempotent.
    bool retire(stream_record& r);

    /// Subscribes `r` to `topics` (kept unique, in order); false and nothing changes when the
    /// socket would then hold more than `limit` topics.
    bool subscribe(stream_record& r, std::span<const std::string> topics, std::size_t limit);
    void unsubscribe(stream_record& r, std::span<const std::string> topics);
    /// The client sent a frame at `now_ms` (a valid pong when `pong`).
    void touch(stream_record& r, std::int64_t now_ms, bool pong);

    /// Puts the push's frame into every matching open socket; returns how many. `data` is a
    /// validated JSON object text, or empty for {}.
    std::size_t push(venue v, std::int64_t account_id, std::string_view topic,
                     std::string_view data);
    /// Drops (TCP close, no close frame) the open sockets of `v` (all when nullopt) whose listen
    /// key was created by `api_key` (any when empty). Returns how many.
    std::size_t drop(std::optional<venue> v, std::string_view api_key);
    /// Closes every open socket with `code` and `reason`.
    void close_all(std::uint16_t code, std::string_view reason, bool journal);
    /// The server is stopping: sockets that end now are not journaled.
    void stop() noexcept { stopping_ = true; }
    bool stopping() const noexcept { return stopping_; }

    std::size_t count(std::optional<venue> v) const;
    /// Client IPs holding open sockets (their per-IP counters leave with their last socket).
    std::size_t ip_count() const;
    std::vector<stream_state> list() const;

    /// A spot heartbeat id: 32 lowercase hex digits (seeded like the listen keys).
    std::string next_ping_id();
    /// The gzip encoder for BingX frames. Used only on the server's executor.
    gzip_encoder& gzip() noexcept { return gzip_; }

private:
    std::size_t limit_of(venue v) const noexcept;
    /// Marks `r` closed and gives its per-IP slot back (mutex_ held; the caller unlists it).
    void close_locked(stream_record& r);

    const config& cfg_;
    std::shared_ptr<exsdk::clock> clock_;
    mutable std::mutex mutex_;
    std::map<std::uint64_t, std::shared_ptr<stream_record>> open_; ///< by id
    std::unordered_map<std::string, std::size_t, string_hash, std::equal_to<>> per_ip_[2];
    std::uint64_t next_id_ = 1;
    std::mt19937_64 rng_;
    std::atomic<bool> stopping_{false};
    gzip_encoder gzip_;
};

// ---- journal ---------------------------------------------------------------------------------

/// Records a stream journal entry (locks the state; calls cfg.on_request outside the lock).
void record_stream(shared_state& st, journal_entry e);
/// A stream journal entry for socket `r` with `kind` ("stream_close", ...), time = now.
journal_entry stream_entry(const shared_state& st, const stream_record& r, std::string_view kind);

// ---- client frames (sans-io) -----------------------------------------------------------------

struct client_frame_result {
    std::string reply;             ///< "" when nothing is answered
    std::string_view journal_kind; ///< "", "stream_subscribe" or "stream_unsubscribe"
    std::string journal_method;    ///< the command as received
    std::string journal_target;    ///< the requested topics, comma-separated
    std::int64_t journal_code = 0; ///< 0: accepted
    bool pong = false;             ///< BingX: a valid pong
};

/// WOO X: SUBSCRIBE / UN_SUBSCRIBE / PING, or an ERROR answer.
client_frame_result woox_client_frame(stream_hub& hub, stream_record& r, std::string_view text,
                                      std::int64_t now_ms);

/// Spot heartbeats sent and not yet answered (oldest first).
struct ping_tracker {
    std::deque<std::pair<std::string, std::string>> outstanding; ///< (id, time text)
    /// A pong for (id, time): true when it answers an outstanding ping (that one and older
    /// ones are then answered).
    bool answer(std::string_view id, std::string_view time);
};

/// BingX: swap "Pong"; spot sub/unsub requests and pongs. Anything else is ignored.
client_frame_result bingx_client_frame(stream_hub& hub, stream_record& r, ping_tracker& pings,
                                       std::string_view text);

// ---- server frames ---------------------------------------------------------------------------

/// "2023-11-14T22:13:20.000+0000" (UTC, BingX's style).
std::string iso8601_ms(std::int64_t epoch_ms);
/// {"ping":"<id>","time":"<text>"}
std::string spot_ping_frame(std::string_view id, std::string_view time);
/// {"e":"listenKeyExpired","E":<now>,"listenKey":"<key>"}
std::string listen_key_expired_frame(std::string_view key, std::int64_t now_ms);

/// The frames of one push, each built once, when first asked for. `data` is a validated JSON
/// object text, or empty for {}; the views must outlive the object.
class push_frames {
public:
    push_frames(std::string_view topic, std::string_view data, std::int64_t now_ms);
    /// WOO X: {"topic":..,"ts":now,"data":data}.
    const std::string& woox();
    /// BingX swap (and spot ACCOUNT_UPDATE): data with "e":topic,"E":now first.
    const std::string& bingx_bare();
    /// BingX spot: {"code":0,"dataType":topic,"data":..} (executionReport gets "e"/"E" too),
    /// except ACCOUNT_UPDATE, pushed bare like swap.
    const std::string& bingx_spot();

private:
    std::string_view topic_;
    std::string_view data_;
    std::int64_t now_ms_;
    std::string woox_, bare_, spot_;
};

// ---- pushes ----------------------------------------------------------------------------------

struct resolved_push {
    venue v = venue::woox;
    std::int64_t account_id = 0;
};
/// Checks a push (exchange, exactly one account selector that exists, topic, data a JSON
/// object) and finds its account. Throws std::invalid_argument saying what is wrong. Locks
/// the state.
resolved_push resolve_push(shared_state& st, const stream_push& p);

} // namespace exsdk::mock::detail

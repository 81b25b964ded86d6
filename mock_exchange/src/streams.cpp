// The account streams' registry and mailboxes (streams.hpp): which paths upgrade, admission
// (key lookup, per-IP bound), subscriptions, pushes fanned out to the matching sockets, admin
// drops and closes, the stream journal entries, and push validation. The frames themselves are
// written and read in stream_frames.cpp.
#include "exchange_api.hpp"
#include "query.hpp"
#include "state.hpp"
#include "streams.hpp"
#include "woox_answers.hpp"

#include <exsdk/bingx/protocol.hpp>
#include <exsdk/utf8.hpp>
#include <exsdk/woox/protocol.hpp>

#include <boost/asio/post.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <algorithm>
#include <chrono>
#include <stdexcept>

namespace exsdk::mock::detail {

namespace json = boost::json;

std::optional<stream_kind> stream_route(std::string_view path) noexcept {
    if (path == woox::protocol::private_stream_path) {
        return stream_kind::woox_private;
    }
    if (path == bingx::protocol::spot_stream_path) {
        return stream_kind::bingx_spot;
    }
    if (path == bingx::protocol::swap_stream_path) {
        return stream_kind::bingx_swap;
    }
    return std::nullopt;
}

venue venue_of(stream_kind k) noexcept {
    return k == stream_kind::woox_private ? venue::woox : venue::bingx;
}

std::string_view path_of(stream_kind k) noexcept {
    switch (k) {
    case stream_kind::woox_private: return woox::protocol::private_stream_path;
    case stream_kind::bingx_spot: return bingx::protocol::spot_stream_path;
    case stream_kind::bingx_swap: return bingx::protocol::swap_stream_path;
    }
    return {};
}

// ---- mailbox ---------------------------------------------------------------------------------

void stream_mailbox::put(stream_item item) {
    std::unique_lock lock(mutex_);
    if (detached_) {
        return; // the socket is gone
    }
    items_.push_back(std::move(item));
    kick(lock);
}

void stream_mailbox::attach(asio::any_io_executor ex, std::weak_ptr<stream_sink> sink) {
    std::unique_lock lock(mutex_);
    ex_ = std::move(ex);
    sink_ = std::move(sink);
    attached_ = true;
    if (!items_.empty()) {
        kick(lock);
    }
}

void stream_mailbox::detach() {
    std::lock_guard lock(mutex_);
    attached_ = false;
    detached_ = true;
    sink_.reset();
    items_.clear();
}

std::vector<stream_item> stream_mailbox::take() {
    std::lock_guard lock(mutex_);
    kicked_ = false;
    return std::exchange(items_, {});
}

void stream_mailbox::kick(std::unique_lock<std::mutex>& lock) {
    if (!attached_ || kicked_) {
        return;
    }
    kicked_ = true;
    auto ex = ex_;
    auto sink = sink_;
    lock.unlock();
    // The weak pointer is locked on the socket's executor, so the socket is always destroyed
    // there, never on the pushing thread.
    asio::post(ex, [sink = std::move(sink)] {
        if (auto s = sink.lock()) {
            s->drain();
        }
    });
}

// ---- hub -------------------------------------------------------------------------------------

namespace {

std::uint64_t ping_seed(std::uint64_t seed) {
    if (seed != 0) {
        return seed ^ 0x9e3779b97f4a7c15ULL; // not the listen keys' sequence
    }
    return (std::uint64_t{std::random_device{}()} << 32U) | std::random_device{}();
}

bool contains(const std::vector<std::string>& v, std::string_view s) {
    return std::find(v.begin(), v.end(), s) != v.end();
}

/// The first query parameter called `name`, percent-decoded; nullopt when absent or when the
/// target does not parse.
std::optional<std::string> query_value(std::string_view target, std::string_view name) {
    std::vector<query_param> params;
    if (!split_query(target, params)) {
        return std::nullopt;
    }
    for (const auto& p : params) {
        if (p.key == name) {
            std::string out;
            append_decoded(p.value, out);
            return out;
        }
    }
    return std::nullopt;
}

} // namespace

stream_hub::stream_hub(const config& cfg)
    : cfg_(cfg), clock_(cfg.clock ? cfg.clock : exsdk::system_clock()), rng_(ping_seed(cfg.seed)) {}

std::size_t stream_hub::limit_of(venue v) const noexcept {
    return v == venue::woox ? cfg_.woox_max_streams_per_ip : cfg_.bingx_max_streams_per_ip;
}

std::shared_ptr<stream_record> stream_hub::admit(shared_state& st, stream_kind kind,
                                                 const request& req, response& res) {
    const venue v = venue_of(kind);
    const auto key = query_value(req.target, v == venue::woox ? woox::protocol::stream_key_param
                                                              : bingx::protocol::stream_key_param);
    journal_entry e;
    e.exchange = to_string(v);
    e.kind = "stream_connect";
    e.method = req.method;
    e.target = req.target;
    e.peer = req.peer;

    auto refuse = [&](unsigned status) {
        res.clear();
        res.status = status;
        res.close = true;
        if (v == venue::woox) {
            const bool busy = status == 429;
            woox_error(
                res,
                busy ? woox::protocol::code::too_many_requests : woox::protocol::code::unauthorized,
                busy ? woox_answers::stream_too_many_sockets : woox_answers::stream_key_invalid,
                status);
        }
        // BingX: an empty body (404 unknown key, 429 too many sockets).
    };

    std::shared_ptr<stream_record> rec;
    std::unique_lock lock(st.mutex);
    const auto now = st.clock->wall_ms();
    const listen_key_info* info =
        key && !key->empty() ? st.listen_keys.find(v, *key, now) : nullptr;
    if (info == nullptr) {
        refuse(v == venue::woox ? 401 : 404);
    } else {
        std::lock_guard hub_lock(mutex_);
        auto& n = per_ip_[static_cast<int>(v)][std::string(req.peer)];
        if (n >= limit_of(v)) {
            st.metrics.count_rejection(v == venue::woox
                                           ? mock_metrics::limit::woox_streams_per_ip
                                           : mock_metrics::limit::bingx_streams_per_ip);
            refuse(429);
        } else {
            ++n;
            rec = std::make_shared<stream_record>();
            rec->id = next_id_++;
            rec->kind = kind;
            rec->listen_key = info->key;
            rec->api_key = info->api_key;
            rec->account_id = info->account_id;
            rec->peer = req.peer;
            rec->target = req.target;
            rec->connected_ms = now;
            rec->key_expires_ms = info->expires_ms;
            open_.emplace(rec->id, rec);
        }
    }
    if (rec) {
        // Watched under the same lock as the lookup, so no key event can fall in between.
        // The watcher runs under the state lock: it only retires the socket and posts the news.
        rec->watch_id = st.listen_keys.watch(v, rec->listen_key,
                                             [this, w = std::weak_ptr<stream_record>(rec)](
                                                 const listen_key_info& i, listen_key_event ev) {
                                                 auto r = w.lock();
                                                 if (!r) {
                                                     return;
                                                 }
                                                 if (ev == listen_key_event::extended) {
                                                     std::lock_guard hub_lock(mutex_);
                                                     r->key_expires_ms = i.expires_ms;
                                                 } else {
                                                     retire(*r);
                                                 }
                                                 stream_item item;
                                                 item.what = stream_item::type::key_event;
                                                 item.event = ev;
                                                 item.expires_ms = i.expires_ms;
                                                 r->mailbox.put(std::move(item));
                                             });
        e.api_key = rec->api_key;
        e.http_status = 101;
    } else {
        e.http_status = static_cast<int>(res.status);
        e.code = res.code;
    }
    e.time_ms = now;
    st.metrics.count_request(e.exchange, req.method, req.path, e.http_status, e.code);
    st.publish(lock, std::move(e));
    return rec;
}

bool stream_hub::retire(stream_record& r) {
    std::lock_guard lock(mutex_);
    if (!r.open) {
        return false;
    }
    close_locked(r);
    open_.erase(r.id);
    return true;
}

void stream_hub::close_locked(stream_record& r) {
    r.open = false;
    auto& m = per_ip_[static_cast<int>(venue_of(r.kind))];
    if (auto it = m.find(r.peer); it != m.end() && --it->second == 0) {
        m.erase(it);
    }
}

bool stream_hub::subscribe(stream_record& r, std::span<const std::string> topics,
                           std::size_t limit) {
    std::lock_guard lock(mutex_);
    std::size_t added = 0;
    for (const auto& t : topics) {
        added += contains(r.topics, t) ? 0 : 1;
    }
    if (r.topics.size() + added > limit) {
        return false;
    }
    for (const auto& t : topics) {
        if (!contains(r.topics, t)) {
            r.topics.push_back(t);
        }
    }
    return true;
}

void stream_hub::unsubscribe(stream_record& r, std::span<const std::string> topics) {
    std::lock_guard lock(mutex_);
    std::erase_if(r.topics, [&](const std::string& t) {
        return std::find(topics.begin(), topics.end(), t) != topics.end();
    });
}

void stream_hub::touch(stream_record& r, std::int64_t now_ms, bool pong) {
    std::lock_guard lock(mutex_);
    r.last_frame_ms = now_ms;
    if (pong) {
        r.last_pong_ms = now_ms;
    }
}

std::size_t stream_hub::push(venue v, std::int64_t account_id, std::string_view topic,
                             std::string_view data) {
    const bool spot_topic = topic.starts_with("spot.");
    std::size_t n = 0;
    std::lock_guard lock(mutex_);
    const auto now = clock_->wall_ms();
    push_frames frames(topic, data, now); // each frame built once per push, when needed
    const auto max_age =
        std::chrono::duration_cast<std::chrono::milliseconds>(woox::protocol::max_socket_lifetime)
            .count();
    for (auto& [id, r] : open_) {
        if (venue_of(r->kind) != v || r->account_id != account_id || now >= r->key_expires_ms) {
            continue; // another account, or a key the clock has expired (its close is on the way)
        }
        const std::string* frame = nullptr;
        switch (r->kind) {
        case stream_kind::woox_private:
            if (now - r->connected_ms >= max_age || !contains(r->topics, topic)) {
                continue;
            }
            frame = &frames.woox();
            break;
        case stream_kind::bingx_swap:
            if (spot_topic) {
                continue;
            }
            frame = &frames.bingx_bare();
            break;
        case stream_kind::bingx_spot:
            if (!contains(r->topics, topic)) {
                continue;
            }
            frame = &frames.bingx_spot();
            break;
        }
        stream_item item;
        item.what = stream_item::type::frame;
        item.text = *frame;
        r->mailbox.put(std::move(item));
        ++n;
    }
    return n;
}
std::size_t stream_hub::drop(std::optional<venue> v, std::string_view api_key) {
    std::lock_guard lock(mutex_);
    std::size_t n = 0;
    for (auto it = open_.begin(); it != open_.end();) {
        auto& r = *it->second;
        if ((v && venue_of(r.kind) != *v) || (!api_key.empty() && r.api_key != api_key)) {
            ++it;
            continue;
        }
        close_locked(r);
        stream_item item;
        item.what = stream_item::type::drop;
        r.mailbox.put(std::move(item));
        it = open_.erase(it);
        ++n;
    }
    return n;
}

void stream_hub::close_all(std::uint16_t code, std::string_view reason, bool journal) {
    std::lock_guard lock(mutex_);
    for (auto& [id, r] : open_) {
        close_locked(*r);
        stream_item item;
        item.what = stream_item::type::close;
        item.code = code;
        item.text = reason;
        item.journal = journal;
        r->mailbox.put(std::move(item));
    }
    open_.clear();
}

std::size_t stream_hub::count(std::optional<venue> v) const {
    std::lock_guard lock(mutex_);
    if (!v) {
        return open_.size();
    }
    return static_cast<std::size_t>(std::count_if(open_.begin(), open_.end(), [&](const auto& kv) {
        return venue_of(kv.second->kind) == *v;
    }));
}

std::size_t stream_hub::ip_count() const {
    std::lock_guard lock(mutex_);
    return per_ip_[0].size() + per_ip_[1].size();
}

std::vector<stream_state> stream_hub::list() const {
    std::vector<stream_state> out;
    std::lock_guard lock(mutex_);
    out.reserve(open_.size());
    for (const auto& [id, r] : open_) {
        out.push_back({r->id, std::string(to_string(venue_of(r->kind))),
                       std::string(path_of(r->kind)), r->listen_key, r->api_key, r->account_id,
                       r->peer, r->topics, r->connected_ms, r->last_frame_ms, r->last_pong_ms});
    }
    return out;
}

std::string stream_hub::next_ping_id() {
    static constexpr std::string_view hex = "0123456789abcdef";
    std::string id(32, '0');
    std::lock_guard lock(mutex_);
    for (std::size_t i = 0; i < id.size(); i += 16) {
        auto r = rng_();
        for (std::size_t j = 0; j < 16; ++j, r >>= 4U) {
            id[i + j] = hex[r & 0xfU];
        }
    }
    return id;
}

// ---- journal ---------------------------------------------------------------------------------

void record_stream(shared_state& st, journal_entry e) {
    if (st.cfg.journal_capacity == 0 && !st.cfg.on_request) {
        return;
    }
    std::unique_lock lock(st.mutex);
    st.publish(lock, std::move(e));
}

journal_entry stream_entry(const shared_state& st, const stream_record& r, std::string_view kind) {
    journal_entry e;
    e.time_ms = st.clock->wall_ms();
    e.exchange = to_string(venue_of(r.kind));
    e.kind = kind;
    e.target = r.target;
    e.api_key = r.api_key;
    e.peer = r.peer;
    return e;
}

// ---- pushes ----------------------------------------------------------------------------------

resolved_push resolve_push(shared_state& st, const stream_push& p) {
    resolved_push out;
    if (auto v = parse_venue(p.exchange)) {
        out.v = *v;
    } else {
        throw std::invalid_argument(R"(exchange must be "woox" or "bingx")");
    }
    if (p.topic.empty()) {
        throw std::invalid_argument("topic must not be empty");
    }
    if (!is_utf8(p.topic)) {
        throw std::invalid_argument("topic must be UTF-8 text"); // frames are JSON
    }
    if (!p.data.empty()) {
        boost::system::error_code ec;
        auto v = json::parse(p.data, ec);
        if (ec || !v.is_object()) {
            throw std::invalid_argument("data must be a JSON object");
        }
    }
    std::shared_ptr<const account_index> accounts;
    {
        std::lock_guard lock(st.mutex);
        accounts = st.accounts;
    }
    if (!p.api_key.empty()) {
        const auto* rec = accounts->find(out.v, p.api_key);
        if (rec == nullptr) {
            throw std::invalid_argument("unknown " + p.exchange + " apiKey");
        }
        if (p.account_id != 0 && p.account_id != rec->account_id) {
            throw std::invalid_argument("the apiKey belongs to another account than accountId");
        }
        out.account_id = rec->account_id;
        return out;
    }
    if (p.account_id == 0) {
        throw std::invalid_argument("an apiKey or an accountId is required");
    }
    bool found = false;
    if (out.v == venue::woox) {
        for (const auto& a : accounts->all().woox) {
            found = found || a.user_id == p.account_id;
        }
    } else {
        for (const auto& a : accounts->all().bingx) {
            found = found || a.uid == p.account_id;
        }
    }
    if (!found) {
        throw std::invalid_argument("unknown " + p.exchange + " accountId " +
                                    std::to_string(p.account_id));
    }
    out.account_id = p.account_id;
    return out;
}

} // namespace exsdk::mock::detail

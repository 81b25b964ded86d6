// The mock's websocket handling without sockets: client frames on admitted sockets of each kind
// (WOO X commands; BingX spot sub/unsub and pongs to pings the mock sent; swap "Pong"), and the
// frames pushes build for them (POST /__admin/events: any topic, any JSON object as data).
// Input: the socket kind, then operations: a client frame, a push, or a spot heartbeat sent.
//
// Properties: nothing throws; every answer and every pushed frame is valid JSON; WOO X answers
// every frame, echoing the request's id; BingX spot answers only requests (with their id, a
// code and a msg), swap answers nothing and counts exactly "Pong"; a socket never holds a topic
// twice, nor more than 200 on spot; a push reaches the socket exactly when the mock says so.
#include "support.hpp"

#include <exsdk/bingx/protocol.hpp>
#include <exsdk/woox/protocol.hpp>

#include <boost/json/parse.hpp>

#include <algorithm>
#include <fuzzer/FuzzedDataProvider.h>
#include <set>
#include <string>

namespace {

using exsdk::fuzz::check;
namespace d = exsdk::mock::detail;
namespace json = boost::json;

const json::object* as_object(const json::value& v) {
    return v.if_object();
}

void check_topics(const d::stream_record& r) {
    const std::set<std::string> unique(r.topics.begin(), r.topics.end());
    check(unique.size() == r.topics.size(), "a socket holds a topic twice");
    if (r.kind == d::stream_kind::bingx_spot) {
        check(r.topics.size() <= exsdk::bingx::protocol::max_topics_per_socket,
              "a spot socket holds more than 200 topics");
    }
}

void client_frame(d::stream_hub& hub, d::stream_record& r, d::ping_tracker& pings,
                  const std::string& text) {
    const bool woox = r.kind == d::stream_kind::woox_private;
    const auto out = woox ? d::woox_client_frame(hub, r, text, exsdk::fuzz::t0_ms)
                          : d::bingx_client_frame(hub, r, pings, text);
    check(out.journal_kind.empty() || out.journal_kind == "stream_subscribe" ||
              out.journal_kind == "stream_unsubscribe",
          "unknown journal kind");
    check_topics(r);
    if (r.kind == d::stream_kind::bingx_swap) {
        check(out.reply.empty(), "a swap socket answered a client frame", text);
        check(out.pong == (text == exsdk::bingx::protocol::swap_pong), "swap pong miscounted",
              text);
        return;
    }
    boost::system::error_code ec;
    const auto request = json::parse(text, ec);
    const auto* req = ec ? nullptr : as_object(request);
    if (out.reply.empty()) {
        check(!woox, "a WOO X frame was not answered", text);
        return;
    }
    check(exsdk::fuzz::valid_json(out.reply), "an answer that is not valid JSON",
          text + " -> " + out.reply);
    const auto reply = json::parse(out.reply);
    const auto& o = reply.as_object();
    if (woox) {
        if (req != nullptr && req->contains("id") && o.contains("id")) {
            check(o.at("id") == req->at("id"), "the answer echoes another id",
                  text + " -> " + out.reply);
        }
        return;
    }
    check(req != nullptr && o.contains("id") && o.contains("code") && o.contains("msg"),
          "a spot answer that is not an ack of a request", text + " -> " + out.reply);
    if (const auto* id = req->if_contains("id")) {
        check(o.at("id") == *id, "the ack echoes another id", text + " -> " + out.reply);
    }
}

void push(d::shared_state& st, d::stream_record& r, const std::string& topic,
          const std::string& data) {
    exsdk::mock::stream_push p;
    p.exchange = r.kind == d::stream_kind::woox_private ? "woox" : "bingx";
    p.account_id = r.account_id;
    p.topic = topic;
    p.data = data;
    d::resolved_push to;
    try {
        to = d::resolve_push(st, p); // what server::push_event() and the admin API check first
    } catch (const std::invalid_argument&) {
        return;
    }
    const auto n = st.streams.push(to.v, to.account_id, p.topic, p.data);
    const auto items = r.mailbox.take();
    check(n == items.size(), "a push counted another number of sockets than it reached");
    for (const auto& it : items) {
        check(exsdk::fuzz::valid_json(it.text), "a pushed frame that is not valid JSON",
              topic + " " + data + " -> " + it.text);
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    FuzzedDataProvider in(data, size);
    const auto kind = static_cast<d::stream_kind>(in.ConsumeIntegralInRange<int>(0, 2));
    const bool woox = kind == d::stream_kind::woox_private;
    exsdk::fuzz::mock_instance mock;
    auto& st = *mock.state;

    // An admitted socket, as the upgrade seam makes it.
    std::string target(d::path_of(kind));
    {
        std::lock_guard lock(st.mutex);
        const auto& owner = woox ? exsdk::fuzz::demo::woox() : exsdk::fuzz::demo::bingx();
        const auto& key =
            st.listen_keys.issue(woox ? d::venue::woox : d::venue::bingx, owner.api_key,
                                 owner.account_id, exsdk::fuzz::t0_ms, std::chrono::hours(1));
        target.append(woox ? "?key=" : "?listenKey=").append(key.key);
    }
    d::request req;
    req.method = "GET";
    req.set_target(target);
    req.peer = "127.0.0.1";
    d::response res;
    const auto rec = st.streams.admit(st, kind, req, res);
    check(rec != nullptr, "a live key was refused", target);

    d::ping_tracker pings;
    while (in.remaining_bytes() > 0) {
        switch (in.ConsumeIntegralInRange<int>(0, 3)) {
        case 0:
        case 1: client_frame(st.streams, *rec, pings, in.ConsumeRandomLengthString(512)); break;
        case 2: {
            auto topic = in.ConsumeRandomLengthString(40);
            push(st, *rec, topic, in.ConsumeRandomLengthString(512));
            break;
        }
        case 3:
            if (kind == d::stream_kind::bingx_spot) {
                // A heartbeat as the session sends it (the id is the hub's, seeded).
                pings.outstanding.emplace_back(st.streams.next_ping_id(),
                                               d::iso8601_ms(exsdk::fuzz::t0_ms));
                if (pings.outstanding.size() > 16) {
                    pings.outstanding.pop_front();
                }
            }
            break;
        }
    }
    st.streams.retire(*rec);
    return 0;
}

// Bounded memory (issue 16, docs/mock-exchange.md "Bounded memory"): every collection of the
// mock's state that grows with traffic stays within its bound, and what the mock's clock has
// ended leaves: the sans-io pieces (listen-key registry, expiring map, journal), the rules over
// real sockets (rate windows, disabled periods, error counters, BingX keys retired like expiry,
// a stream client that stops reading), GET /__admin/stats, and a soak of a million BingX generates
// and WOO X creates over hours of virtual time.
#include "expiring_map.hpp"
#include "journal_log.hpp"
#include "listen_keys.hpp"
#include "metrics.hpp"
#include "stream_support.hpp"

#include <boost/json/serialize.hpp>

#include <algorithm>

namespace mocktest {
namespace {

namespace d = exsdk::mock::detail;
namespace mock = exsdk::mock;
using exsdk::clock;

constexpr std::string_view uds = "/openApi/user/auth/userDataStream";

// ---- sans-io ----------------------------------------------------------------------------------

TEST(listen_key_bounds, bingx_keeps_n_per_uid_and_retires_the_least_recently_used) {
    d::listen_key_registry reg(7, 3);
    std::vector<std::pair<std::string, d::listen_key_event>> events;
    auto watch = [&](const std::string& k) {
        reg.watch(d::venue::bingx, k, [&](const d::listen_key_info& i, d::listen_key_event e) {
            events.emplace_back(i.key, e);
        });
        return k;
    };
    const auto a = watch(reg.issue(d::venue::bingx, "api", 5, 0, 60min).key);
    const auto b = watch(reg.issue(d::venue::bingx, "api", 5, 1000, 60min).key);
    const auto c = watch(reg.issue(d::venue::bingx, "api", 5, 2000, 60min).key);
    ASSERT_NE(reg.extend(a, 5, 3000, 60min), nullptr); // a is now the most recently used
    for (int i = 0; i < 3; ++i) {
        reg.issue(d::venue::bingx, "other", 6, 3000, 60min); // another UID: its own bound
    }
    const auto e = reg.issue(d::venue::bingx, "api", 5, 4000, 60min).key;
    EXPECT_EQ(events, (std::vector<std::pair<std::string, d::listen_key_event>>{
                          {a, d::listen_key_event::extended}, {b, d::listen_key_event::retired}}));
    EXPECT_EQ(reg.find(d::venue::bingx, b, 4000), nullptr);
    EXPECT_EQ(reg.extend(b, 5, 4000, 60min), nullptr); // PUT: 404
    EXPECT_FALSE(reg.remove(b, 5, 4000));              // DELETE: 404
    EXPECT_EQ(reg.size(d::venue::bingx), 6u);
    EXPECT_EQ(reg.bingx_max_held(), 3u);
    // Expiry leaves through the index: c (t=2000) first, then the rest.
    reg.sweep(2000 + 3'600'000);
    EXPECT_EQ(events.back(),
              (std::pair<std::string, d::listen_key_event>{c, d::listen_key_event::expired}));
    EXPECT_EQ(reg.size(d::venue::bingx), 5u);
    EXPECT_NE(reg.find(d::venue::bingx, e, 2000 + 3'600'000), nullptr);
    reg.sweep(4000 + 3'600'000);
    EXPECT_EQ(reg.size(), 0u);
    EXPECT_EQ(reg.bingx_max_held(), 0u);
    EXPECT_EQ(reg.watch_count(), 0u); // watches leave with their keys
}

TEST(listen_key_bounds, woox_keeps_one_key_per_api_key) {
    d::listen_key_registry reg(7, 3);
    for (int i = 0; i < 100; ++i) {
        reg.issue(d::venue::woox, "k1", 1, i, 24h);
        reg.issue(d::venue::woox, "k2", 1, i, 24h);
    }
    EXPECT_EQ(reg.size(d::venue::woox), 2u);
    reg.sweep(99 + 24 * 3'600'000);
    EXPECT_EQ(reg.size(), 0u);
}

TEST(expiring_map, entries_leave_when_their_check_says_they_are_over) {
    d::expiring_map<std::string, int, d::string_hash> m;
    const auto t = clock::time_point{} + 100s;
    m.get(std::string_view("a"), t + 10s) = 1;
    m.get(std::string_view("b"), t + 20s) = 2;
    m.get(std::string_view("a"), t + 99s) = 3; // exists: keeps its first check
    std::vector<std::string> asked;
    auto next = [&](int& v, clock::time_point now) -> std::optional<clock::time_point> {
        asked.push_back(std::to_string(v));
        if (v == 3) {
            v = 4; // still needed once, until now + 5 s
            return now + 5s;
        }
        return std::nullopt;
    };
    m.sweep(t + 9s, next);
    EXPECT_TRUE(asked.empty()); // nothing due: nothing looked at
    m.sweep(t + 10s, next);
    EXPECT_EQ(asked, std::vector<std::string>{"3"});
    EXPECT_EQ(m.size(), 2u);
    m.sweep(t + 20s, next); // b, then a again at t + 15 s
    EXPECT_EQ(m.size(), 0u);
    EXPECT_EQ(m.find(std::string_view("a")), nullptr);
}

// Exchange codes come from faults (any number): the metrics keep at most max_series series and
// count the rest in one counter; unknown paths and methods share one label value.
TEST(mock_metrics, series_are_bounded_and_labels_do_not_grow_with_what_clients_send) {
    d::mock_metrics m;
    const auto n = d::mock_metrics::max_series + 10;
    for (std::size_t i = 0; i < n; ++i) {
        m.count_request("woox", "GET", "/v3/public/systemInfo", 500, static_cast<std::int64_t>(i));
    }
    m.count_request("woox", "GET", "/v3/public/systemInfo", 500, 0); // known series: counted
    m.count_request("bingx", "BREW", "/openApi/x/" + std::string(100, 'y'), 404, 0);
    m.count_request("bingx", "BREW", "/openApi/z", 404, 0);
    const auto page = m.page({0, 0}, 0);
    EXPECT_NE(page.find("\nexsdk_mock_requests_unrecorded_total 12\n"), std::string::npos) << page;
    EXPECT_EQ(page.find("yyyy"), std::string::npos);
    EXPECT_NE(
        page.find(
            R"(exsdk_mock_requests_total{exchange="woox",method="GET",endpoint="/v3/public/systemInfo",status="500",code="0"} 2)"),
        std::string::npos);
    m.reset();
    EXPECT_NE(m.page({0, 0}, 0).find("\nexsdk_mock_requests_unrecorded_total 0\n"),
              std::string::npos);
    for (int i = 0; i < 3; ++i) {
        m.count_request("bingx", "BREW", "/openApi/" + std::to_string(i), 404, 0);
    }
    EXPECT_NE(
        m.page({0, 0}, 0).find(
            R"(exsdk_mock_requests_total{exchange="bingx",method="other",endpoint="other",status="404",code="0"} 3)"),
        std::string::npos);
}

TEST(journal_log, bounded_in_entries_and_in_bytes_newest_kept) {
    mock::journal_entry e;
    e.target = std::string(1000, 'x');
    const auto one = d::journal_log::footprint(e);
    EXPECT_GT(one, 1000u);
    d::journal_log by_bytes(100, 3 * one);
    for (int i = 0; i < 10; ++i) {
        e.time_ms = i;
        by_bytes.push(e);
    }
    EXPECT_EQ(by_bytes.size(), 3u);
    EXPECT_EQ(by_bytes.bytes(), 3 * one);
    EXPECT_EQ(by_bytes.begin()->time_ms, 7);
    d::journal_log by_count(2, 1 << 20);
    for (int i = 0; i < 10; ++i) {
        by_count.push(e);
    }
    EXPECT_EQ(by_count.size(), 2u);
    d::journal_log tiny(100, 10); // smaller than one entry: the newest one is kept
    tiny.push(e);
    tiny.push(e);
    EXPECT_EQ(tiny.size(), 1u);
    tiny.clear();
    EXPECT_EQ(tiny.bytes(), 0u);
    d::journal_log off(100, 0);
    off.push(e);
    EXPECT_EQ(off.size(), 0u);
}

// ---- over sockets -----------------------------------------------------------------------------

class bounds_test : public stream_fixture {
protected:
    void SetUp() override {}
};

TEST_F(bounds_test, windows_periods_and_error_counters_leave_once_over) {
    start();
    auto c1 = client("127.0.0.1");
    auto c2 = client("127.0.0.2");
    for (int i = 0; i < 3; ++i) { // the third exceeds 2/s: a disabled period opens
        bingx(c1, "POST", uds, {}, demo::bingx_key, demo::bingx_secret, false, false);
    }
    bingx(c2, "PUT", uds, "listenKey=unknown"); // 404: an error counted
    EXPECT_EQ(woox(c1, "POST", "/v3/account/listenKey", R"({"type":"WEBSOCKET"})").status, 200u);
    auto s = server().stats();
    EXPECT_EQ(s.woox_rate_windows, 1u);
    EXPECT_EQ(s.bingx_uid_rate_windows, 1u);
    EXPECT_EQ(s.bingx_ip_rate_windows, 2u);
    EXPECT_EQ(s.rate_window_starts, 1u + 3u + 2u * 2u + 2u); // woox; uid POST 2 + PUT 1; IPs
    EXPECT_EQ(s.bingx_disabled_periods, 1u);
    EXPECT_EQ(s.bingx_error_counters, 1u);
    EXPECT_EQ(s.bingx_error_entries, 2u); // the 100410 of the third POST, the 404
    EXPECT_EQ(s.bingx_listen_keys, 2u);
    EXPECT_EQ(s.woox_listen_keys, 1u);
    advance(11s); // the 10 s windows and the 5 s period are over
    s = server().stats();
    EXPECT_EQ(s.woox_rate_windows, 0u);
    EXPECT_EQ(s.bingx_uid_rate_windows, 0u);
    EXPECT_EQ(s.bingx_ip_rate_windows, 0u);
    EXPECT_EQ(s.rate_window_starts, 0u);
    EXPECT_EQ(s.bingx_disabled_periods, 0u);
    EXPECT_EQ(s.bingx_error_counters, 1u); // 480 s
    advance(480s);
    s = server().stats();
    EXPECT_EQ(s.bingx_error_counters, 0u);
    EXPECT_EQ(s.bingx_error_entries, 0u);
    advance(1h); // BingX keys expire after 60 min; the WOO X key lives 24 h
    s = server().stats();
    EXPECT_EQ(s.bingx_listen_keys, 0u);
    EXPECT_EQ(s.woox_listen_keys, 1u);
    EXPECT_EQ(s.journal_entries, 5u);
}

TEST_F(bounds_test, error_history_is_bounded_and_the_rule_still_blocks) {
    auto cfg = base_config();
    cfg.limits.bingx_error_threshold = 3;
    cfg.limits.bingx_error_history = 5;
    cfg.limits.bingx_uid = {1000, 1000ms};
    start(cfg);
    auto c = client();
    for (int i = 0; i < 50; ++i) {
        auto r = bingx(c, "PUT", uds, "listenKey=unknown");
        if (i < 4) { // the 4th error is answered, then blocks
            EXPECT_EQ(r.status, 404u);
        } else {
            EXPECT_NE(r.body.find("over 3 error code:404"), std::string::npos) << i << r.body;
        }
    }
    EXPECT_EQ(server().stats().bingx_error_entries, 5u);
}

TEST_F(bounds_test, admin_stats_lists_every_counter) {
    start();
    auto c = client();
    bingx(c, "POST", uds);
    auto r = admin("GET", "/__admin/stats");
    ASSERT_EQ(r.status, 200u);
    auto v = parse_json(r.body);
    for (const char* k : {"woox_listen_keys", "bingx_listen_keys", "bingx_listen_keys_max_per_uid",
                          "listen_key_watches", "woox_rate_windows", "bingx_uid_rate_windows",
                          "bingx_ip_rate_windows", "rate_window_starts", "bingx_disabled_periods",
                          "bingx_error_counters", "bingx_error_entries", "journal_entries",
                          "journal_bytes", "streams", "stream_ips", "faults"}) {
        EXPECT_TRUE(v.as_object().contains(k)) << k << " " << r.body;
    }
    EXPECT_EQ(v.at("bingx_listen_keys").as_int64(), 1);
    EXPECT_EQ(v.at("journal_entries").as_int64(), 1);
    EXPECT_EQ(admin("POST", "/__admin/stats").status, 405u);
}

TEST_F(bounds_test, a_retired_bingx_key_is_closed_like_an_expired_one_and_put_answers_404) {
    auto cfg = base_config();
    cfg.bingx_max_listen_keys_per_uid = 2;
    start(cfg);
    const auto oldest = bingx_key();
    auto swap = open_swap(oldest);
    auto spot = open_spot(oldest);
    const auto second = bingx_key();
    auto keep = open_swap(second);
    EXPECT_EQ(server().stats().listen_key_watches, 3u);
    advance(1s);
    const auto third = bingx_key(); // the UID's third live key: `oldest` is retired
    const std::string expired = R"({"e":"listenKeyExpired","E":)" + std::to_string(t0 + 1000) +
                                R"(,"listenKey":")" + oldest + R"("})";
    for (auto* c : {&swap, &spot}) {
        auto ev = c->next();
        EXPECT_TRUE(ev.gzip);
        EXPECT_EQ(ev.data, expired);
        ev = c->next();
        ASSERT_EQ(ev.what, ws_event::kind::closed) << ev.data << ev.error;
        EXPECT_EQ(ev.code, 1000);
        EXPECT_EQ(ev.reason, "listen key expired");
    }
    EXPECT_EQ(bingx_extend(oldest).status, 404u);
    EXPECT_EQ(bingx_delete(oldest).status, 404u);
    EXPECT_FALSE(server().find_listen_key(oldest));
    EXPECT_TRUE(server().find_listen_key(second));
    EXPECT_TRUE(server().find_listen_key(third));
    EXPECT_FALSE(ws().connect("/swap-market?listenKey=" + oldest)); // refused: 404
    EXPECT_EQ(server().stream_count(), 1u);
    auto closes = entries("stream_close");
    ASSERT_EQ(closes.size(), 2u);
    for (const auto& e : closes) {
        EXPECT_EQ(e.method, "server");
        EXPECT_EQ(e.code, 1000);
        EXPECT_EQ(e.fault, "retired");
    }
    EXPECT_EQ(push("bingx", "ORDER_TRADE_UPDATE", "{}"), 1u); // only `second`'s socket
    const auto s = server().stats();
    EXPECT_EQ(s.bingx_listen_keys, 2u);
    EXPECT_EQ(s.bingx_listen_keys_max_per_uid, 2u);
    EXPECT_EQ(s.streams, 1u);
    ASSERT_TRUE(wait_until([&] { return server().stats().listen_key_watches == 1u; }));
}

TEST_F(bounds_test, a_stream_client_that_stops_reading_is_cut_at_the_frame_bound) {
    auto cfg = base_config();
    cfg.stream_max_queued_frames = 8;
    start(cfg);
    auto c = open_woox(woox_key());
    c.send(R"({"id":"1","cmd":"SUBSCRIBE","params":["balance"]})");
    ASSERT_TRUE(c.next().is_message()); // the ack; from now on the client reads nothing
    // 64 KiB frames: the socket buffers fill, then frames wait in the mock, then it cuts.
    const std::string big = R"({"pad":")" + std::string(64 * 1024, 'x') + R"("})";
    for (int i = 0; i < 400 && server().stream_count() == 1; ++i) {
        push("woox", "balance", big);
    }
    ASSERT_TRUE(wait_until([&] { return !entries("stream_close").empty(); }));
    const auto closes = entries("stream_close");
    EXPECT_EQ(closes.at(0).code, 1006);
    EXPECT_EQ(closes.at(0).fault, "slow_consumer");
    EXPECT_EQ(server().stream_count(), 0u);
}

// ---- the soak -----------------------------------------------------------------------------------

// A million calls in the release build; a tenth under AddressSanitizer (about 10x slower), over
// the same three virtual hours.
#if defined(__SANITIZE_ADDRESS__)
constexpr std::size_t soak_calls = 100'000;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr std::size_t soak_calls = 100'000;
#else
constexpr std::size_t soak_calls = 1'000'000;
#endif
#else
constexpr std::size_t soak_calls = 1'000'000;
#endif

TEST_F(bounds_test, a_million_generates_and_creates_over_three_virtual_hours_stay_bounded) {
    constexpr std::size_t batch = 100; // pipelined on one connection, all at one instant
    constexpr std::size_t batches = soak_calls / batch;
    const auto step = std::chrono::duration_cast<std::chrono::milliseconds>(3h) / batches;
    auto cfg = base_config();
    // Limits on, scaled up so that the load passes: windows fill and empty, every collection
    // sees entries come and go. The journal is bounded by bytes here.
    cfg.limits.woox_listen_key = {1000, 10000ms};
    cfg.limits.bingx_uid = {100, 1000ms};
    cfg.limits.bingx_ip_group = {2000, 10000ms};
    cfg.limits.bingx_ip_endpoint = {2000, 10000ms};
    cfg.limits.bingx_error_history = 40;
    cfg.journal_max_bytes = std::size_t{4} << 20U;
    start(cfg);

    const std::string woox_body = R"({"type":"WEBSOCKET"})";
    const std::string generate =
        "POST " + std::string(uds) +
        " HTTP/1.1\r\nHost: a\r\nX-BX-APIKEY: " + std::string(demo::bingx_key) +
        "\r\nContent-Length: 0\r\n\r\n";
    const std::string generate2 =
        "POST " + std::string(uds) +
        " HTTP/1.1\r\nHost: a\r\nX-BX-APIKEY: " + std::string(demo::bingx_key2) +
        "\r\nContent-Length: 0\r\n\r\n";
    const std::size_t n_keys = 2; // WOO X API keys in the demo accounts
    mock::state_stats peak;
    std::size_t calls = 0, generates = 0, creates = 0, refused = 0;
    const std::vector<std::string> ips{"127.0.0.1", "127.0.0.2", "127.0.0.3"};
    std::optional<http_client> c;
    std::size_t ip = ips.size();
    for (std::size_t b = 0; b < batches; ++b) {
        const auto hour = static_cast<std::size_t>((step * b) / 1h);
        if (hour % ips.size() != ip) { // every virtual hour another client IP
            ip = hour % ips.size();
            c.emplace(client(ips[ip]));
            c->connect();
        }
        const auto ts = std::to_string(now_ms());
        std::string wreq =
            "POST /v3/account/listenKey HTTP/1.1\r\nHost: a\r\nx-api-key: " +
            std::string(demo::woox_key) + "\r\nx-api-timestamp: " + ts + "\r\nx-api-signature: " +
            woox_sign(demo::woox_secret, ts, "POST", "/v3/account/listenKey", woox_body) +
            "\r\nContent-Type: application/json\r\nContent-Length: " +
            std::to_string(woox_body.size()) + "\r\n\r\n" + woox_body;
        const std::string put =
            "PUT " + std::string(uds) + "?" +
            bingx_signed(demo::bingx_secret, "listenKey=unknown&timestamp=" + ts) +
            " HTTP/1.1\r\nHost: a\r\nX-BX-APIKEY: " + std::string(demo::bingx_key) +
            "\r\nContent-Length: 0\r\n\r\n";
        // 50 generates (uid 1001), 49 creates, a PUT of an unknown key (an error counted), and
        // every fifth batch a generate of uid 1002 (whose keys then live out their 60 min).
        // Every 600th batch, 150 more generates of uid 1002 exceed its 100/s: rate limited, then
        // a disabled period.
        std::string out;
        std::size_t n = 0;
        for (std::size_t i = 0; i < 49; ++i) {
            out += generate;
            out += wreq;
            n += 2;
        }
        out += generate;
        out += put;
        n += 2;
        const bool second_uid = b % 5 == 0;
        const std::size_t burst = b % 600 == 300 ? 150 : 0;
        for (std::size_t i = 0; i < (second_uid ? 1 : 0) + burst; ++i) {
            out += generate2;
            ++n;
        }
        c->send_raw(out);
        for (std::size_t i = 0; i < n; ++i) {
            auto r = c->read_response();
            ASSERT_EQ(r.status == 200 || r.status == 404, true) << r.status << r.body;
            if (r.body.find(R"("listenKey")") != std::string::npos) {
                ++generates;
            } else if (r.body.find(R"("authKey")") != std::string::npos) {
                ++creates;
            } else if (r.body.find("100410") != std::string::npos) {
                ++refused;
            }
        }
        calls += n;
        if (b % 100 == 99 || burst > 0) {
            const auto s = server().stats();
            ASSERT_LE(s.bingx_listen_keys_max_per_uid, cfg.bingx_max_listen_keys_per_uid) << b;
            ASSERT_LE(s.bingx_listen_keys, 2 * cfg.bingx_max_listen_keys_per_uid) << b;
            ASSERT_LE(s.woox_listen_keys, n_keys) << b;
            ASSERT_LE(s.woox_rate_windows, 1u) << b;
            ASSERT_LE(s.bingx_uid_rate_windows, 2u) << b;
            ASSERT_LE(s.bingx_ip_rate_windows, 2u) << b; // the IP of the hour and the last one
            // Each window holds at most its limit's N starts.
            ASSERT_LE(s.rate_window_starts, 1000u + 10u + 2u * 3u * 100u + 2u * 4u * 2000u) << b;
            ASSERT_LE(s.bingx_disabled_periods, 2u) << b;
            ASSERT_LE(s.bingx_error_counters, 2u) << b;
            ASSERT_LE(s.bingx_error_entries, 2u * 3u * cfg.limits.bingx_error_history) << b;
            ASSERT_LE(s.journal_entries, cfg.journal_capacity) << b;
            ASSERT_LE(s.journal_bytes, cfg.journal_max_bytes) << b;
            ASSERT_EQ(s.streams, 0u);
            peak.bingx_listen_keys = std::max(peak.bingx_listen_keys, s.bingx_listen_keys);
            peak.bingx_listen_keys_max_per_uid =
                std::max(peak.bingx_listen_keys_max_per_uid, s.bingx_listen_keys_max_per_uid);
            peak.rate_window_starts = std::max(peak.rate_window_starts, s.rate_window_starts);
            peak.bingx_disabled_periods =
                std::max(peak.bingx_disabled_periods, s.bingx_disabled_periods);
            peak.bingx_error_entries = std::max(peak.bingx_error_entries, s.bingx_error_entries);
            peak.journal_bytes = std::max(peak.journal_bytes, s.journal_bytes);
        }
        advance(step);
    }
    EXPECT_EQ(calls, batches * batch + batches / 5 + 150 * ((batches + 299) / 600));
    EXPECT_GE(calls, soak_calls);
    EXPECT_EQ(creates, batches * 49);
    EXPECT_GT(generates, batches * 50);
    EXPECT_GT(refused, 0u);
    // The bounds were reached, not just respected: keys were retired, the error history and the
    // journal's byte budget were full, disabled periods ran.
    EXPECT_EQ(peak.bingx_listen_keys_max_per_uid, cfg.bingx_max_listen_keys_per_uid);
    EXPECT_GT(peak.bingx_listen_keys, cfg.bingx_max_listen_keys_per_uid); // uid 1002's too
    EXPECT_GE(peak.bingx_error_entries, cfg.limits.bingx_error_history);
    EXPECT_GT(peak.journal_bytes, cfg.journal_max_bytes / 2);
    EXPECT_GE(peak.bingx_disabled_periods, 1u);
    EXPECT_GT(peak.rate_window_starts, 0u);

    // A day later everything the clock ends is gone; only the journal (bounded by size) stays.
    advance(25h);
    const auto s = server().stats();
    EXPECT_EQ(s.woox_listen_keys + s.bingx_listen_keys, 0u);
    EXPECT_EQ(s.woox_rate_windows + s.bingx_uid_rate_windows + s.bingx_ip_rate_windows, 0u);
    EXPECT_EQ(s.rate_window_starts, 0u);
    EXPECT_EQ(s.bingx_disabled_periods, 0u);
    EXPECT_EQ(s.bingx_error_counters + s.bingx_error_entries, 0u);
    EXPECT_LE(s.journal_bytes, cfg.journal_max_bytes);
}

} // namespace
} // namespace mocktest

// Issue 10: what the SDK says about itself. A canary secret never reaches the log sink or an
// error (nor does a signature or a full API key); client stats written by exsdk/prometheus.hpp
// parse with Prometheus' reference parser. Against the mock exchange, in virtual time.
#include "session_support.hpp"
#include "support/prometheus_check.hpp"

#include <exsdk/bingx/client.hpp>
#include <exsdk/bingx/listen_key_session.hpp>
#include <exsdk/log.hpp>
#include <exsdk/prometheus.hpp>
#include <exsdk/woox/client.hpp>
#include <exsdk/woox/listen_key_session.hpp>

#include <cctype>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

using namespace std::chrono_literals;
using exsdk::errc;
using exsdk::test::mock_env;

namespace {

// Canary credentials: none of these strings may appear anywhere the SDK writes.
const std::string canary_woox_key = "CanaryWooxApiKey00000001==";
const std::string canary_woox_secret = "CANARYwooxSECRETq7Z9xK2mP4vB";
const std::string canary_woox_wrong_secret = "CANARYwooxWRONGsecretR8tY3uW6";
const std::string canary_bingx_key = "canary-bingx-api-key-7d1f00000001";
const std::string canary_bingx_secret = "CANARYbingxSECRETaB3dE6gH9jK2mN5pQ8sT1vW4yZ7";

exsdk::mock::config canary_accounts() {
    exsdk::mock::config cfg;
    cfg.accounts = exsdk::mock::accounts::demo();
    cfg.accounts.woox.push_back(
        {4242, "Canary", {{canary_woox_key, canary_woox_secret, {"READ", "TRADE"}, {}}}});
    cfg.accounts.bingx.push_back({4343, {{canary_bingx_key, canary_bingx_secret, {"READ"}, {}}}});
    return cfg;
}

// Every event a sink receives, as the one-line text exsdk::to_string() makes of it.
struct captured_log {
    std::mutex mutex;
    std::vector<std::string> lines;
    std::set<std::string> names; // "source name"

    exsdk::log_config config() {
        exsdk::log_config c;
        c.level = exsdk::log_level::trace;
        c.slow_limiter_wait = 0ms;
        c.sink = [this](const exsdk::log_event& e) {
            std::lock_guard lock(mutex);
            lines.push_back(exsdk::to_string(e));
            names.insert(std::string(e.source) + " " + std::string(e.name));
        };
        return c;
    }
};

// The values of `name=` in `text` (up to '&', ' ', '"' or the end).
std::vector<std::string> values_of(std::string_view text, std::string_view name) {
    std::vector<std::string> out;
    for (auto at = text.find(name); at != std::string_view::npos; at = text.find(name, at + 1)) {
        const auto from = at + name.size();
        const auto to = text.find_first_of("& \"", from);
        out.emplace_back(text.substr(from, to == std::string_view::npos ? to : to - from));
    }
    return out;
}

// Runs of 64 or more hex digits: signatures (both exchanges sign with HMAC-SHA256 in hex) and
// BingX listen keys look alike.
std::vector<std::string> hex_runs(std::string_view text) {
    std::vector<std::string> out;
    std::size_t i = 0;
    while (i < text.size()) {
        std::size_t j = i;
        while (j < text.size() && std::isxdigit(static_cast<unsigned char>(text[j])) != 0) {
            ++j;
        }
        if (j - i >= 64) {
            out.emplace_back(text.substr(i, j - i));
        }
        i = j == i ? i + 1 : j;
    }
    return out;
}

TEST(canary, no_secret_signature_or_api_key_reaches_the_log_sink_or_an_error) {
    mock_env env(canary_accounts());
    captured_log log;
    std::vector<std::string> texts; // every error, as text and field by field
    auto keep = [&](const exsdk::error& e) {
        texts.push_back(exsdk::to_string(e));
        texts.push_back(e.message);
        texts.push_back(e.path);
        texts.push_back(e.operation);
    };

    auto woox_cfg = env.woox_config({canary_woox_key, exsdk::secret(canary_woox_secret)});
    woox_cfg.log = log.config();
    exsdk::woox::client woox(env.ioc.get_executor(), woox_cfg);
    auto bingx_cfg = env.bingx_config({canary_bingx_key, exsdk::secret(canary_bingx_secret)});
    bingx_cfg.log = log.config();
    exsdk::bingx::client bingx(env.ioc.get_executor(), bingx_cfg);

    // Successes.
    ASSERT_TRUE(env.run(woox.sync_clock()));
    ASSERT_TRUE(env.run(woox.create_listen_key()));
    ASSERT_TRUE(env.run(woox.api_key_permissions()));
    ASSERT_TRUE(env.run(bingx.sync_clock()));
    auto key = env.run(bingx.generate_listen_key());
    ASSERT_TRUE(key);
    ASSERT_TRUE(env.run(bingx.extend_listen_key(key->key)));

    // Failures: a page echoing the signed URL (retried: 502), the exchange's own errors.
    using act = exsdk::mock::fault::action;
    env.mock().add_fault(
        {"bingx", "PUT", "", act::respond, 502,
         "Bad gateway for PUT /openApi/user/auth/userDataStream?listenKey=x&signature="
         "0f0e0d0c0b0a09080706050403020100ffeeddccbbaa99887766554433221100&X-BX-APIKEY",
         0ms, 2});
    ASSERT_TRUE(env.run(bingx.extend_listen_key(key->key))); // two retries, then the exchange
    env.mock().add_fault({"woox", "", "", act::respond, 403,
                          "<html><title>403 Forbidden</title><body>signature=abc</body></html>",
                          0ms, 1});
    auto page = env.run(woox.create_listen_key());
    ASSERT_FALSE(page);
    EXPECT_EQ(page.error().code, errc::unexpected_response);
    keep(page.error());
    auto gone = env.run(bingx.extend_listen_key(std::string(64, 'e')));
    ASSERT_FALSE(gone);
    EXPECT_EQ(gone.error().code, errc::not_found);
    keep(gone.error());
    auto wrong_cfg = env.woox_config({canary_woox_key, exsdk::secret(canary_woox_wrong_secret)});
    wrong_cfg.log = log.config();
    exsdk::woox::client wrong(env.ioc.get_executor(), wrong_cfg);
    auto refused = env.run(wrong.create_listen_key());
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, errc::invalid_signature);
    keep(refused.error());

    // Sessions: connect, lose the socket, reconnect, stop (deleting the BingX key).
    {
        exsdk::woox::session_config wc;
        wc.stream.url = env.ws_url("/v3/private");
        exsdk::woox::listen_key_session ws(woox, wc);
        exsdk::bingx::session_config bc;
        bc.stream.swap_url = env.ws_url("/swap-market");
        bc.stream.spot_url = env.ws_url("/market");
        exsdk::bingx::listen_key_session bs(bingx, bc);
        exsdk::test::running w(env, ws);
        exsdk::test::running b(env, bs);
        ASSERT_TRUE(w.wait_connected(1) && b.wait_connected(1));
        env.mock().drop_streams();
        ASSERT_TRUE(w.wait_connected(2) && b.wait_connected(2));
        exsdk::test::advance(env.ioc, *env.clk, 31min); // an extend
        w.stop();
        b.stop();
    }

    // The sink heard every kind of event, so the checks below look at real output.
    for (const char* name :
         {"woox.client request.sent", "woox.client request.answered", "bingx.client retry",
          "bingx.client clock.synced", "woox.stream stream.connected",
          "bingx.stream stream.disconnected", "woox.session session.connected",
          "bingx.session session.reconnecting"}) {
        EXPECT_EQ(log.names.count(name), 1u) << name;
    }
    texts.insert(texts.end(), log.lines.begin(), log.lines.end());
    ASSERT_GT(texts.size(), 50u);

    // What must never appear: the secrets, the API keys, any signature the mock received.
    std::set<std::string> listen_keys, signatures;
    for (const auto& e : env.mock().journal()) {
        for (auto& v : values_of(e.target, "listenKey=")) {
            listen_keys.insert(v);
        }
        for (auto& v : values_of(e.target, "signature=")) {
            signatures.insert(v);
        }
    }
    ASSERT_FALSE(signatures.empty());
    for (const auto& t : texts) {
        for (const auto* s : {&canary_woox_secret, &canary_woox_wrong_secret, &canary_bingx_secret,
                              &canary_woox_key, &canary_bingx_key}) {
            EXPECT_EQ(t.find(*s), std::string::npos) << *s << " in: " << t;
        }
        EXPECT_EQ(t.find("CANARY"), std::string::npos) << t;
        for (const auto& sig : signatures) {
            EXPECT_EQ(t.find(sig), std::string::npos) << "signature in: " << t;
        }
        for (const auto& v : values_of(t, "signature=")) {
            EXPECT_EQ(v.substr(0, 3), "***") << t;
        }
        // WOO X signs in a header: its signatures are 64 hex digits like any other; the only
        // such runs allowed are BingX listen keys the caller gave (an extend's path).
        for (const auto& run : hex_runs(t)) {
            EXPECT_EQ(listen_keys.count(run), 1u) << run << " in: " << t;
        }
    }
}

// One captured event with its fields as text (values are views valid only during the call).
struct event_copy {
    std::string source, name;
    exsdk::log_level level{};
    std::map<std::string, std::string> fields;

    const std::string& at(const std::string& f) const {
        static const std::string none = "<none>";
        const auto it = fields.find(f);
        return it == fields.end() ? none : it->second;
    }
};

exsdk::log_config copying_sink(std::vector<event_copy>& out) {
    exsdk::log_config c;
    c.level = exsdk::log_level::debug;
    c.sink = [&out](const exsdk::log_event& e) {
        event_copy x{std::string(e.source), std::string(e.name), e.level, {}};
        for (const auto& f : e.fields) {
            x.fields[std::string(f.name)] = std::visit(
                [](const auto& v) -> std::string {
                    using V = std::decay_t<decltype(v)>;
                    if constexpr (std::is_same_v<V, std::string_view>) {
                        return std::string(v);
                    } else if constexpr (std::is_same_v<V, bool>) {
                        return v ? "true" : "false";
                    } else {
                        return std::to_string(v);
                    }
                },
                f.value);
        }
        out.push_back(std::move(x));
    };
    return c;
}

// The request events of one retried call, in order, with the fields the issue names; a limiter
// wait above the threshold; nothing at all without a sink.
TEST(client_log, a_retried_call_logs_each_attempt_its_answer_and_the_retry) {
    mock_env env;
    std::vector<event_copy> events;
    auto cfg = env.bingx_config();
    cfg.log = copying_sink(events);
    cfg.log.slow_limiter_wait = 100ms;
    exsdk::bingx::client bingx(env.ioc.get_executor(), cfg);
    auto key = env.run(bingx.generate_listen_key());
    ASSERT_TRUE(key);
    env.mock().add_fault({"bingx", "PUT", "", exsdk::mock::fault::action::respond, 503,
                          "<html><title>503 Service Unavailable</title></html>", 0ms, 1});
    events.clear();
    ASSERT_TRUE(env.run(bingx.extend_listen_key(key->key)));
    std::vector<std::string> names;
    for (const auto& e : events) {
        names.push_back(e.name);
        EXPECT_EQ(e.source, "bingx.client");
    }
    // The retry passes through the limiter again: BingX's 2/s has room for it only a second
    // after the generate, so it waits there (above slow_limiter_wait: logged).
    ASSERT_EQ(names,
              (std::vector<std::string>{"request.sent", "request.answered", "retry",
                                        "limiter.waited", "request.sent", "request.answered"}));
    const auto& first = events[1];
    EXPECT_EQ(first.at("operation"), "bingx.extend_listen_key");
    EXPECT_EQ(first.at("method"), "PUT");
    EXPECT_EQ(first.at("path").rfind("/openApi/user/auth/userDataStream?listenKey=", 0), 0u)
        << first.at("path");
    EXPECT_EQ(first.at("path").find(key->key), std::string::npos); // shortened in logs
    EXPECT_EQ(first.at("path").find("timestamp"), std::string::npos);
    EXPECT_EQ(first.at("attempt"), "1");
    EXPECT_EQ(first.at("status"), "503");
    EXPECT_EQ(first.at("code"), "unexpected_response");
    EXPECT_EQ(first.at("exchange_answer"), "false");
    EXPECT_NE(first.at("latency_ms"), "<none>");
    const auto& retry = events[2];
    EXPECT_EQ(retry.level, exsdk::log_level::info);
    EXPECT_EQ(retry.at("reason"), "unexpected_response");
    EXPECT_EQ(retry.at("status"), "503");
    EXPECT_GT(std::stod(retry.at("delay_ms")), 0.0);
    EXPECT_GE(std::stod(events[3].at("waited_ms")), 100.0);
    const auto& last = events[5];
    EXPECT_EQ(last.at("attempt"), "2");
    EXPECT_EQ(last.at("status"), "200");
    EXPECT_EQ(last.at("code"), "ok");
    EXPECT_EQ(last.at("exchange_answer"), "true");

    // BingX allows 2 calls a second: the third in a row waits about a second for the limiter.
    events.clear();
    for (int i = 0; i < 3; ++i) {
        ASSERT_TRUE(env.run(bingx.generate_listen_key()));
    }
    std::size_t waited = 0;
    for (const auto& e : events) {
        if (e.name == "limiter.waited") {
            ++waited;
            EXPECT_EQ(e.at("operation"), "bingx.generate_listen_key");
            EXPECT_GE(std::stod(e.at("waited_ms")), 100.0);
        }
    }
    EXPECT_GE(waited, 1u);

    // Logging off (the default): the same calls, no event anywhere (and nothing to call).
    exsdk::bingx::client quiet(env.ioc.get_executor(), env.bingx_config());
    events.clear();
    ASSERT_TRUE(env.run(quiet.generate_listen_key()));
    EXPECT_TRUE(events.empty());
}

// Every error names its call: operation, method, path (no signature or timestamp), attempts,
// elapsed time on the client's clock, and whether the exchange answered.
TEST(error_context, names_the_call_its_attempts_time_and_whose_answer_it_was) {
    mock_env env;
    exsdk::bingx::client bingx(env.ioc.get_executor(), env.bingx_config());
    auto key = env.run(bingx.generate_listen_key());
    ASSERT_TRUE(key);
    env.mock().add_fault({"bingx", "PUT", "", exsdk::mock::fault::action::respond, 502,
                          "<html><title>502 Bad Gateway</title></html>", 0ms, 3});
    const auto t0 = env.clk->now();
    auto r = env.run(bingx.extend_listen_key(key->key));
    ASSERT_FALSE(r);
    const auto& e = r.error();
    EXPECT_EQ(e.code, errc::unexpected_response);
    EXPECT_EQ(e.http_status, 502);
    EXPECT_FALSE(e.exchange_answer);
    EXPECT_EQ(e.operation, "bingx.extend_listen_key");
    EXPECT_EQ(e.method, "PUT");
    EXPECT_EQ(e.path, "/openApi/user/auth/userDataStream?listenKey=" + key->key);
    EXPECT_EQ(e.attempts, 3u);
    EXPECT_EQ(e.elapsed, env.clk->now() - t0); // two backoffs, in virtual time
    EXPECT_GT(e.elapsed, 0ns);
    const auto text = exsdk::to_string(e);
    EXPECT_NE(
        text.find("[bingx.extend_listen_key PUT /openApi/user/auth/userDataStream?listenKey="),
        std::string::npos)
        << text;
    EXPECT_NE(text.find("; 3 attempts in "), std::string::npos) << text;
    EXPECT_NE(text.find("; not the exchange's answer]"), std::string::npos) << text;
    EXPECT_NE(text.find("502 Bad Gateway"), std::string::npos) << text;

    auto gone = env.run(bingx.extend_listen_key(std::string(64, 'e')));
    ASSERT_FALSE(gone);
    EXPECT_EQ(gone.error().code, errc::not_found);
    EXPECT_TRUE(gone.error().exchange_answer);
    EXPECT_EQ(gone.error().attempts, 1u);

    exsdk::woox::client woox(env.ioc.get_executor(), env.woox_config());
    auto page = env.run(woox.api_key_permissions(2, 50));
    ASSERT_TRUE(page);
    env.mock().add_fault({"woox", "", "", exsdk::mock::fault::action::respond, 404, "", 0ms, 1});
    auto empty = env.run(woox.api_key_permissions(2, 50));
    ASSERT_FALSE(empty);
    EXPECT_EQ(empty.error().code, errc::unexpected_response); // an empty 404: not the exchange's
    EXPECT_EQ(empty.error().operation, "woox.api_key_permissions");
    EXPECT_EQ(empty.error().method, "GET");
    EXPECT_EQ(empty.error().path, "/v3/account/credentials?page=2&size=50");
    EXPECT_FALSE(empty.error().exchange_answer);
}

// client::stats() of both clients on one page: it parses with the reference parser and counts
// what happened (calls, errors by errc and exchange code, retries by reason, histograms).
TEST(client_stats, prometheus_page_of_both_clients_parses_and_counts_what_happened) {
    mock_env env;
    exsdk::woox::client woox(env.ioc.get_executor(), env.woox_config());
    exsdk::bingx::client bingx(env.ioc.get_executor(), env.bingx_config());
    using act = exsdk::mock::fault::action;
    ASSERT_TRUE(env.run(woox.create_listen_key()));
    ASSERT_TRUE(env.run(woox.api_key_permissions()));
    auto key = env.run(bingx.generate_listen_key());
    ASSERT_TRUE(key);
    env.mock().add_fault({"bingx", "PUT", "", act::respond, 503, "<html>busy</html>", 0ms, 2});
    ASSERT_TRUE(env.run(bingx.extend_listen_key(key->key)));
    EXPECT_FALSE(env.run(bingx.extend_listen_key(std::string(64, 'e'))));
    env.mock().add_fault({"woox", "", "", act::respond, 404, "<html>404</html>", 0ms, 1});
    EXPECT_FALSE(env.run(woox.create_listen_key()));

    const auto ws = woox.stats();
    const auto bs = bingx.stats();
    EXPECT_EQ(ws.exchange, "woox");
    EXPECT_EQ(bs.exchange, "bingx");
    const std::vector<exsdk::labelled_client_stats> clients{{ws, {{"client", "maker"}}},
                                                            {bs, {{"client", "maker"}}}};
    const auto page = exsdk::to_prometheus(clients);
    const auto verdict = exsdk::test::check_prometheus_text(page);
    EXPECT_TRUE(verdict.ok) << verdict.output << "\n" << page;
    for (const char* family :
         {"exsdk_client_calls counter", "exsdk_client_errors counter",
          "exsdk_client_retries counter", "exsdk_client_call_duration_seconds histogram",
          "exsdk_client_limiter_wait_seconds histogram", "exsdk_client_open_connections gauge"}) {
        EXPECT_NE(verdict.output.find(family), std::string::npos) << family << verdict.output;
    }
    for (
        const char* line : {
            R"(exsdk_client_calls_total{exchange="woox",operation="woox.create_listen_key",client="maker"} 2)",
            R"(exsdk_client_errors_total{exchange="woox",operation="woox.create_listen_key",client="maker",code="unexpected_response"} 1)",
            R"(exsdk_client_calls_total{exchange="bingx",operation="bingx.extend_listen_key",client="maker"} 2)",
            R"(exsdk_client_requests_total{exchange="bingx",operation="bingx.extend_listen_key",client="maker"} 4)",
            R"(exsdk_client_retries_total{exchange="bingx",operation="bingx.extend_listen_key",client="maker",reason="unexpected_response"} 2)",
            R"(exsdk_client_errors_total{exchange="bingx",operation="bingx.extend_listen_key",client="maker",code="not_found"} 1)",
            R"(exsdk_client_call_duration_seconds_count{exchange="bingx",operation="bingx.extend_listen_key",client="maker"} 2)",
        }) {
        EXPECT_NE(page.find(std::string("\n") + line + "\n"), std::string::npos) << line << "\n"
                                                                                 << page;
    }
    // A label value with characters to escape stays parseable.
    const auto odd =
        exsdk::to_prometheus(bs, {{"client", "a \"quoted\"\\ name\nx"}, {"bad-name", "y"}});
    const auto odd_verdict = exsdk::test::check_prometheus_text(odd);
    EXPECT_TRUE(odd_verdict.ok) << odd_verdict.output << "\n" << odd;
}

// The checker itself fails on broken text (it is not a rubber stamp).
TEST(client_stats, the_prometheus_check_rejects_broken_text) {
    EXPECT_FALSE(exsdk::test::check_prometheus_text("# TYPE x counter\nx{a=\"1} 1\n").ok);
    EXPECT_FALSE(exsdk::test::check_prometheus_text("# HELP x h\n# TYPE x counter\nx 1\nx 1\n").ok);
    EXPECT_FALSE(exsdk::test::check_prometheus_text(
                     "# HELP h h\n# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} "
                     "1\nh_sum 1\nh_count 1\n")
                     .ok);
    EXPECT_TRUE(
        exsdk::test::check_prometheus_text("# HELP x_total h\n# TYPE x_total counter\nx_total 1\n")
            .ok);
}

} // namespace

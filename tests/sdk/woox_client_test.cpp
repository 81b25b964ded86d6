// exsdk::woox::client against the embedded mock exchange, in virtual time: every endpoint, every
// error mapping the mock can produce, retries, clock sync, limits and cancellation.
#include "mock_env.hpp"

#include <exsdk/woox/client.hpp>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>

namespace asio = boost::asio;
using namespace std::chrono_literals;
using exsdk::errc;
using exsdk::test::mock_env;

namespace {

TEST(woox_client, creates_a_listen_key_valid_for_24_hours) {
    mock_env env;
    exsdk::woox::client c(env.ioc.get_executor(), env.woox_config());
    auto key = env.run(c.create_listen_key());
    ASSERT_TRUE(key) << key.error();
    EXPECT_FALSE(key->auth_key.empty());
    EXPECT_EQ(key->expired_time_ms, exsdk::test::t0_ms + 24 * 3600 * 1000);
    auto live = env.mock().find_listen_key(key->auth_key);
    ASSERT_TRUE(live);
    EXPECT_EQ(live->api_key, "AbmyVJGUpN064ks5ELjLfA==");
}

TEST(woox_client, a_second_key_expires_the_first) {
    mock_env env;
    exsdk::woox::client c(env.ioc.get_executor(), env.woox_config());
    auto first = env.run(c.create_listen_key());
    auto second = env.run(c.create_listen_key());
    ASSERT_TRUE(first && second);
    EXPECT_NE(first->auth_key, second->auth_key);
    EXPECT_FALSE(env.mock().find_listen_key(first->auth_key));
    EXPECT_TRUE(env.mock().find_listen_key(second->auth_key));
}

TEST(woox_client, lists_api_key_permissions_page_by_page_and_all) {
    mock_env env;
    exsdk::woox::client c(env.ioc.get_executor(), env.woox_config());
    auto page = env.run(c.api_key_permissions(1, 1));
    ASSERT_TRUE(page) << page.error();
    ASSERT_EQ(page->rows.size(), 1u);
    EXPECT_EQ(page->meta.total, 2);
    EXPECT_EQ(page->meta.records_per_page, 1);
    EXPECT_EQ(page->meta.current_page, 1);
    EXPECT_EQ(page->rows[0].account_name, "Main");
    EXPECT_EQ(page->rows[0].user_id, 12523);

    env.mock().clear_journal();
    auto all = env.run(c.all_api_key_permissions(1));
    ASSERT_TRUE(all) << all.error();
    ASSERT_EQ(all->size(), 2u);
    EXPECT_EQ(env.mock().journal().size(), 2u); // one request per page
    EXPECT_EQ((*all)[0].api_key, "AbmyVJGUpN064ks5ELjLfA==");
    EXPECT_FALSE((*all)[0].allowed_ips); // no restriction: the field is omitted
    ASSERT_TRUE((*all)[1].allowed_ips);
    EXPECT_EQ(*(*all)[1].allowed_ips, std::vector<std::string>{"127.0.0.1"});
    EXPECT_EQ((*all)[1].permissions, std::vector<std::string>{"TRADE"});
}

TEST(woox_client, rejects_bad_arguments_without_sending) {
    mock_env env;
    exsdk::woox::client c(env.ioc.get_executor(), env.woox_config());
    EXPECT_EQ(env.run(c.api_key_permissions(0, 25)).error().code, errc::invalid_argument);
    EXPECT_EQ(env.run(c.api_key_permissions(1, 0)).error().code, errc::invalid_argument);
    EXPECT_EQ(env.run(c.api_key_permissions(1, 1001)).error().code, errc::invalid_argument);
    exsdk::woox::client anonymous(env.ioc.get_executor(), env.woox_config({}));
    EXPECT_EQ(env.run(anonymous.create_listen_key()).error().code, errc::invalid_argument);
    EXPECT_TRUE(env.mock().journal().empty());
}

TEST(woox_client, server_time_is_the_mock_clock) {
    mock_env env;
    exsdk::woox::client c(env.ioc.get_executor(), env.woox_config({}));
    auto t = env.run(c.server_time());
    ASSERT_TRUE(t) << t.error();
    EXPECT_EQ(exsdk::to_epoch_ms(*t), exsdk::test::t0_ms);
}

TEST(woox_client, unauthorized_signature_permission_and_ip_errors) {
    mock_env env;
    exsdk::woox::client unknown(env.ioc.get_executor(),
                                env.woox_config({"NoSuchKey==", exsdk::secret("x")}));
    auto e1 = env.run(unknown.create_listen_key());
    EXPECT_EQ(e1.error().code, errc::unauthorized);
    EXPECT_EQ(e1.error().exchange_code, -1002);
    EXPECT_EQ(e1.error().http_status, 401);

    exsdk::woox::client wrong_secret(
        env.ioc.get_executor(),
        env.woox_config({"AbmyVJGUpN064ks5ELjLfA==", exsdk::secret("nope")}));
    auto e2 = env.run(wrong_secret.create_listen_key());
    EXPECT_EQ(e2.error().code, errc::invalid_signature);
    EXPECT_EQ(e2.error().exchange_code, -1001);

    exsdk::woox::client trade_only(env.ioc.get_executor(),
                                   env.woox_config(exsdk::test::woox_trade_only()));
    auto e3 = env.run(trade_only.create_listen_key());
    EXPECT_EQ(e3.error().code, errc::permission_denied) << e3.error();

    auto accounts = env.mock().get_accounts();
    accounts.woox[0].api_keys[0].allowed_ips = {"10.1.2.3"};
    env.mock().set_accounts(accounts);
    exsdk::woox::client elsewhere(env.ioc.get_executor(), env.woox_config());
    auto e4 = env.run(elsewhere.create_listen_key());
    EXPECT_EQ(e4.error().code, errc::ip_not_allowed) << e4.error();
    // None of these are retried: one request each.
    EXPECT_EQ(env.mock().journal().size(), 4u);
}

TEST(woox_client, ten_second_clock_skew_is_rejected_without_sync) {
    mock_env env;
    auto cfg = env.woox_config();
    cfg.clock = std::make_shared<exsdk::test::skewed_clock>(env.clk, 10s);
    cfg.clock_sync.on_rejection = false;
    exsdk::woox::client c(env.ioc.get_executor(), cfg);
    auto r = env.run(c.create_listen_key());
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, errc::timestamp_rejected) << r.error();
    EXPECT_EQ(r.error().exchange_code, -1002);
}

TEST(woox_client, ten_second_clock_skew_works_with_resync_on_rejection) {
    mock_env env;
    auto cfg = env.woox_config();
    cfg.clock = std::make_shared<exsdk::test::skewed_clock>(env.clk, 10s);
    exsdk::woox::client c(env.ioc.get_executor(), cfg); // on_rejection is the default
    auto r = env.run(c.create_listen_key());
    ASSERT_TRUE(r) << r.error();
    EXPECT_EQ(c.clock_offset(), -10s);
    // Later calls are signed right the first time.
    env.mock().clear_journal();
    ASSERT_TRUE(env.run(c.api_key_permissions()));
    ASSERT_EQ(env.mock().journal().size(), 1u);
    EXPECT_EQ(env.mock().journal()[0].code, 0);
}

TEST(woox_client, clock_sync_at_start_avoids_any_rejection) {
    mock_env env;
    auto cfg = env.woox_config();
    cfg.clock = std::make_shared<exsdk::test::skewed_clock>(env.clk, -10s);
    cfg.clock_sync.at_start = true;
    exsdk::woox::client c(env.ioc.get_executor(), cfg);
    ASSERT_TRUE(env.run(c.create_listen_key()));
    EXPECT_EQ(env.answered(-1002), 0u);
}

TEST(woox_client, retries_server_errors_and_dropped_connections) {
    mock_env env;
    env.mock().add_fault({"woox", "POST", "/v3/account/listenKey",
                          exsdk::mock::fault::action::respond, 500,
                          R"({"success":false,"code":-1000,"message":"boom"})", 0ms, 1});
    env.mock().add_fault({"woox", "POST", "", exsdk::mock::fault::action::drop, 0, "", 0ms, 1});
    exsdk::woox::client c(env.ioc.get_executor(), env.woox_config());
    auto r = env.run(c.create_listen_key());
    ASSERT_TRUE(r) << r.error();
    const auto journal = env.mock().journal();
    ASSERT_EQ(journal.size(), 3u); // 500, dropped, then success
    EXPECT_EQ(journal[0].fault, "respond");
    EXPECT_EQ(journal[1].fault, "drop");
    EXPECT_EQ(journal[2].code, 0);
    // Each retry was re-signed with a fresh timestamp after a backoff.
    EXPECT_LT(journal[0].time_ms, journal[2].time_ms);
}

TEST(woox_client, gives_up_after_max_attempts) {
    mock_env env;
    env.mock().add_fault({"woox", "", "", exsdk::mock::fault::action::respond, 503, "", 0ms, 10});
    auto cfg = env.woox_config();
    cfg.retry.max_attempts = 3;
    exsdk::woox::client c(env.ioc.get_executor(), cfg);
    auto r = env.run(c.create_listen_key());
    ASSERT_FALSE(r);
    // An empty 503 is not WOO X's envelope: a load balancer's answer, retried by its status.
    EXPECT_EQ(r.error().code, errc::unexpected_response);
    EXPECT_EQ(r.error().http_status, 503);
    EXPECT_EQ(r.error().attempts, 3u);
    EXPECT_EQ(r.error().operation, "woox.create_listen_key");
    EXPECT_FALSE(r.error().exchange_answer);
    EXPECT_EQ(env.mock().journal().size(), 3u);
}

TEST(woox_client, never_retries_a_ban) {
    mock_env env;
    env.mock().add_fault({"woox", "", "", exsdk::mock::fault::action::respond, 418, "", 0ms, 5});
    exsdk::woox::client c(env.ioc.get_executor(), env.woox_config());
    auto r = env.run(c.create_listen_key());
    EXPECT_EQ(r.error().code, errc::banned);
    EXPECT_EQ(env.mock().journal().size(), 1u);
}

TEST(woox_client, request_timeout_in_virtual_time) {
    mock_env env;
    env.mock().add_fault({"woox", "", "", exsdk::mock::fault::action::delay, 0, "", 20s, 1});
    auto cfg = env.woox_config();
    cfg.transport.request_timeout = 10s;
    cfg.retry = exsdk::retry_policy::none();
    exsdk::woox::client c(env.ioc.get_executor(), cfg);
    const auto start = env.clk->now();
    auto r = env.run(c.create_listen_key());
    EXPECT_EQ(r.error().code, errc::timeout) << r.error();
    EXPECT_EQ(env.clk->now() - start, 10s);
}

TEST(woox_client, without_client_limits_the_exchange_answers_minus_1003) {
    mock_env env;
    auto cfg = env.woox_config();
    cfg.limits.enabled = false;
    cfg.retry = exsdk::retry_policy::none();
    exsdk::woox::client c(env.ioc.get_executor(), cfg);
    for (int i = 0; i < 5; ++i) {
        ASSERT_TRUE(env.run(c.create_listen_key()));
    }
    auto r = env.run(c.create_listen_key());
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, errc::rate_limited);
    EXPECT_EQ(r.error().exchange_code, -1003);
    EXPECT_EQ(r.error().http_status, 429);
}

// The issue's acceptance test: 1,000 coroutines at once, zero violations, rate within 2 %.
TEST(woox_client, thousand_coroutines_never_trip_the_limit) {
    mock_env env;
    exsdk::woox::client c(env.ioc.get_executor(), env.woox_config());
    int ok = 0;
    const int calls = 1000;
    for (int i = 0; i < calls; ++i) {
        asio::co_spawn(
            env.ioc,
            [&]() -> asio::awaitable<void> {
                auto r = co_await c.api_key_permissions(1, 25);
                ok += r ? 1 : 0;
            },
            asio::detached);
    }
    ASSERT_TRUE(exsdk::test::run_virtual(env.ioc, *env.clk, [&] { return ok == calls; }));
    const auto journal = env.mock().journal();
    ASSERT_EQ(journal.size(), static_cast<std::size_t>(calls));
    EXPECT_EQ(env.answered(-1003), 0u);
    // No 11 requests inside any 60 s window (the mock's view).
    for (std::size_t i = 10; i < journal.size(); ++i) {
        ASSERT_GE(journal[i].time_ms - journal[i - 10].time_ms, 60'000) << i;
    }
    const double seconds = (journal.back().time_ms - journal.front().time_ms) / 1000.0;
    const double achieved = (calls - 10) / seconds; // the first 10 go at t=0
    EXPECT_GE(achieved, (10.0 / 60.0) * 0.98);
    EXPECT_LE(achieved, 10.0 / 60.0);
}

TEST(woox_client, cancelling_a_call_waiting_for_the_limiter) {
    mock_env env;
    exsdk::woox::client c(env.ioc.get_executor(), env.woox_config());
    for (int i = 0; i < 5; ++i) {
        ASSERT_TRUE(env.run(c.create_listen_key()));
    }
    std::optional<exsdk::result<exsdk::woox::listen_key>> out;
    asio::cancellation_signal sig;
    asio::co_spawn(
        env.ioc, [&]() -> asio::awaitable<void> { out = co_await c.create_listen_key(); },
        asio::bind_cancellation_slot(sig.slot(), asio::detached));
    exsdk::test::drain(env.ioc);
    EXPECT_FALSE(out); // waiting for the 10 s window
    sig.emit(asio::cancellation_type::terminal);
    exsdk::test::drain(env.ioc);
    ASSERT_TRUE(out);
    EXPECT_EQ(out->error().code, errc::cancelled);
    EXPECT_EQ(env.mock().journal().size(), 5u);
    // The client still works (and the released slot is reused).
    EXPECT_TRUE(env.run(c.create_listen_key()));
}

TEST(woox_client, bad_config_is_reported_at_construction) {
    asio::io_context ioc;
    exsdk::woox::config cfg;
    cfg.base_url = "not a url";
    EXPECT_THROW(exsdk::woox::client(ioc.get_executor(), cfg), exsdk::exception);
    cfg.base_url = "https://api.woox.io";
    cfg.tls.ca_file = "/nonexistent/ca.pem";
    EXPECT_THROW(exsdk::woox::client(ioc.get_executor(), cfg), exsdk::exception);
}

} // namespace

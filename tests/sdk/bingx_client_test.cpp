// exsdk::bingx::client against the embedded mock exchange, in virtual time: the listen-key
// lifecycle, every error mapping, the three 100410 forms with their unblock times, limits,
// clock sync and bad input.
#include "mock_env.hpp"

#include <exsdk/bingx/client.hpp>
#include <exsdk/bingx/protocol.hpp>

namespace asio = boost::asio;
using namespace std::chrono_literals;
using exsdk::errc;
using exsdk::test::mock_env;

namespace {

constexpr const char* path = "/openApi/user/auth/userDataStream";

TEST(bingx_client, listen_key_lifecycle) {
    mock_env env;
    exsdk::bingx::client c(env.ioc.get_executor(), env.bingx_config());
    auto key = env.run(c.generate_listen_key());
    ASSERT_TRUE(key) << key.error();
    EXPECT_EQ(key->key.size(), 64u);
    EXPECT_EQ(exsdk::to_epoch_ms(key->valid_until), exsdk::test::t0_ms + 3600 * 1000);
    ASSERT_TRUE(env.mock().find_listen_key(key->key));

    exsdk::test::advance(env.ioc, *env.clk, 30min);
    auto extended = env.run(c.extend_listen_key(key->key));
    ASSERT_TRUE(extended) << extended.error();
    EXPECT_EQ(env.mock().find_listen_key(key->key)->expires_ms,
              exsdk::test::t0_ms + (30 + 60) * 60 * 1000);

    ASSERT_TRUE(env.run(c.delete_listen_key(key->key)));
    EXPECT_FALSE(env.mock().find_listen_key(key->key));
    auto gone = env.run(c.extend_listen_key(key->key));
    ASSERT_FALSE(gone);
    EXPECT_EQ(gone.error().code, errc::not_found);
    EXPECT_EQ(gone.error().http_status, 404);
    EXPECT_EQ(env.run(c.delete_listen_key(key->key)).error().code, errc::not_found);
}

TEST(bingx_client, a_key_lapses_60_minutes_after_its_last_extend) {
    mock_env env;
    exsdk::bingx::client c(env.ioc.get_executor(), env.bingx_config());
    auto key = env.run(c.generate_listen_key());
    ASSERT_TRUE(key);
    exsdk::test::advance(env.ioc, *env.clk, 60min + 1s);
    EXPECT_EQ(env.run(c.extend_listen_key(key->key)).error().code, errc::not_found);
}

TEST(bingx_client, bad_keys_are_rejected_before_sending) {
    mock_env env;
    exsdk::bingx::client c(env.ioc.get_executor(), env.bingx_config());
    for (const char* bad : {"", "has space", "a&signature=x", "k%20"}) {
        EXPECT_EQ(env.run(c.extend_listen_key(bad)).error().code, errc::invalid_argument) << bad;
    }
    EXPECT_TRUE(env.mock().journal().empty());
}

TEST(bingx_client, accepts_the_wrapped_listen_key_shape) {
    mock_env env;
    const std::string key(64, 'a');
    env.mock().add_fault({"bingx", "POST", path, exsdk::mock::fault::action::respond, 200,
                          R"({"code":0,"msg":"","data":{"listenKey":")" + key + R"("}})", 0ms, 1});
    exsdk::bingx::client c(env.ioc.get_executor(), env.bingx_config());
    auto r = env.run(c.generate_listen_key());
    ASSERT_TRUE(r) << r.error();
    EXPECT_EQ(r->key, key);
}

TEST(bingx_client, authentication_errors) {
    mock_env env;
    exsdk::bingx::client unknown(env.ioc.get_executor(),
                                 env.bingx_config({"no-such-key", exsdk::secret("x")}));
    auto e1 = env.run(unknown.generate_listen_key());
    EXPECT_EQ(e1.error().code, errc::unauthorized);
    EXPECT_EQ(e1.error().exchange_code, 100413);

    exsdk::bingx::client wrong(env.ioc.get_executor(),
                               env.bingx_config({"bingx-demo-api-key-0001", exsdk::secret("bad")}));
    auto e2 = env.run(wrong.generate_listen_key());
    EXPECT_EQ(e2.error().code, errc::invalid_signature);
    EXPECT_EQ(e2.error().exchange_code, 100001);

    auto accounts = env.mock().get_accounts();
    accounts.bingx[0].api_keys[0].allowed_ips = {"10.9.9.9"};
    accounts.bingx[1].api_keys[0].permissions = {"TRADE"};
    env.mock().set_accounts(accounts);
    exsdk::bingx::client ip(env.ioc.get_executor(), env.bingx_config());
    auto e3 = env.run(ip.generate_listen_key());
    EXPECT_EQ(e3.error().code, errc::ip_not_allowed);
    EXPECT_EQ(e3.error().exchange_code, 100419);

    exsdk::bingx::client no_read(
        env.ioc.get_executor(),
        env.bingx_config(
            {"bingx-demo-api-key-0002",
             exsdk::secret("UuGuyEGt6ZEkpUObCYCmIfh0elYsZVh80jlYwpJuRZEw70t6vomMH7Sjmf94ztSI")}));
    auto e4 = env.run(no_read.generate_listen_key());
    EXPECT_EQ(e4.error().code, errc::permission_denied);
    EXPECT_EQ(e4.error().exchange_code, 100004);
}

TEST(bingx_client, clock_skew_rejected_then_fixed_by_sync) {
    mock_env env;
    auto cfg = env.bingx_config();
    cfg.clock = std::make_shared<exsdk::test::skewed_clock>(env.clk, -10s);
    cfg.clock_sync.on_rejection = false;
    exsdk::bingx::client stale(env.ioc.get_executor(), cfg);
    auto r = env.run(stale.generate_listen_key());
    EXPECT_EQ(r.error().code, errc::timestamp_rejected);
    EXPECT_EQ(r.error().exchange_code, 100421);

    cfg.clock_sync.on_rejection = true;
    exsdk::bingx::client synced(env.ioc.get_executor(), cfg);
    auto ok = env.run(synced.generate_listen_key());
    ASSERT_TRUE(ok) << ok.error();
    EXPECT_EQ(synced.clock_offset(), 10s);
}

TEST(bingx_client, waits_for_the_disabled_period_unblock_time) {
    mock_env env;
    const std::int64_t unblock = exsdk::test::t0_ms + 3000;
    env.mock().add_fault(
        {"bingx", "POST", path, exsdk::mock::fault::action::respond, 200,
         R"({"code":100410,"msg":"code:100410:The endpoint trigger frequency limit rule is currently in the disabled period and will be unblocked after )" +
             std::to_string(unblock) + R"("})",
         0ms, 1});
    exsdk::bingx::client c(env.ioc.get_executor(), env.bingx_config());
    auto r = env.run(c.generate_listen_key());
    ASSERT_TRUE(r) << r.error();
    const auto journal = env.mock().journal();
    ASSERT_EQ(journal.size(), 2u);
    EXPECT_EQ(journal[0].fault, "respond"); // the scripted 100410
    EXPECT_EQ(journal[1].code, 0);
    EXPECT_GE(journal[1].time_ms, unblock); // never retried inside the block
}

// Concurrent callers already queued in the limiter also wait for the unblock time.
TEST(bingx_client, an_unblock_time_holds_back_every_queued_caller) {
    mock_env env;
    const std::int64_t unblock = exsdk::test::t0_ms + 3000;
    env.mock().add_fault(
        {"bingx", "POST", path, exsdk::mock::fault::action::respond, 200,
         R"({"code":100410,"msg":"code:100410:The endpoint trigger frequency limit rule is currently in the disabled period and will be unblocked after )" +
             std::to_string(unblock) + R"("})",
         0ms, 1});
    exsdk::bingx::client c(env.ioc.get_executor(), env.bingx_config());
    int ok = 0;
    for (int i = 0; i < 5; ++i) {
        asio::co_spawn(
            env.ioc,
            [&]() -> asio::awaitable<void> {
                auto r = co_await c.generate_listen_key();
                EXPECT_TRUE(r) << r.error();
                ok += r ? 1 : 0;
            },
            asio::detached);
    }
    ASSERT_TRUE(exsdk::test::run_virtual(env.ioc, *env.clk, [&] { return ok == 5; }));
    for (const auto& e : env.mock().journal()) {
        // Only the two calls that went out at once precede the block; nothing inside it.
        EXPECT_TRUE(e.time_ms == exsdk::test::t0_ms || e.time_ms >= unblock) << e.time_ms;
    }
    EXPECT_EQ(env.mock().journal().size(), 6u);
}

TEST(bingx_client, an_unblock_time_beyond_the_retry_budget_is_returned) {
    mock_env env;
    const std::int64_t unblock = exsdk::test::t0_ms + 480'000;
    env.mock().add_fault(
        {"bingx", "PUT", path, exsdk::mock::fault::action::respond, 200,
         R"({"code":100410,"msg":"over 20 error code:100202 requests within 480000 ms for this api, please verify and fix it ,can retry after time: )" +
             std::to_string(unblock) + R"("})",
         0ms, 1});
    exsdk::bingx::client c(env.ioc.get_executor(), env.bingx_config());
    auto r = env.run(c.extend_listen_key(std::string(64, 'b')));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, errc::rate_limited);
    ASSERT_TRUE(r.error().retry_after);
    EXPECT_EQ(exsdk::to_epoch_ms(*r.error().retry_after), unblock);
    EXPECT_EQ(env.mock().journal().size(), 1u);
    // The endpoint's limiter holds every caller back until then.
    const auto before = env.clk->wall_ms();
    auto later = env.run(c.extend_listen_key(std::string(64, 'b')));
    EXPECT_EQ(later.error().code, errc::not_found); // the mock's real answer, after the block
    EXPECT_GE(env.mock().journal().back().time_ms, unblock);
    EXPECT_GE(env.clk->wall_ms() - before, 470'000);
}

TEST(bingx_client, without_client_limits_the_mock_answers_every_100410_form) {
    mock_env env;
    auto cfg = env.bingx_config();
    cfg.limits.enabled = false;
    cfg.retry = exsdk::retry_policy::none();
    exsdk::bingx::client c(env.ioc.get_executor(), cfg);
    ASSERT_TRUE(env.run(c.generate_listen_key()));
    ASSERT_TRUE(env.run(c.generate_listen_key()));
    auto third = env.run(c.generate_listen_key()); // 3 in one second
    ASSERT_FALSE(third);
    EXPECT_EQ(third.error().code, errc::rate_limited);
    EXPECT_EQ(third.error().message, "rate limited");
    EXPECT_FALSE(third.error().retry_after);
    auto fourth = env.run(c.generate_listen_key()); // inside the disabled period
    ASSERT_FALSE(fourth);
    ASSERT_TRUE(fourth.error().retry_after) << fourth.error();
    EXPECT_GT(exsdk::to_epoch_ms(*fourth.error().retry_after), env.clk->wall_ms());
}

TEST(bingx_client, thousand_coroutines_never_trip_the_limit) {
    mock_env env;
    exsdk::bingx::client c(env.ioc.get_executor(), env.bingx_config());
    int ok = 0;
    const int calls = 1000;
    for (int i = 0; i < calls; ++i) {
        asio::co_spawn(
            env.ioc,
            [&]() -> asio::awaitable<void> {
                auto r = co_await c.generate_listen_key();
                ok += r ? 1 : 0;
            },
            asio::detached);
    }
    ASSERT_TRUE(exsdk::test::run_virtual(env.ioc, *env.clk, [&] { return ok == calls; }));
    const auto journal = env.mock().journal();
    ASSERT_EQ(journal.size(), static_cast<std::size_t>(calls));
    EXPECT_EQ(env.answered(100410), 0u);
    for (std::size_t i = 2; i < journal.size(); ++i) {
        ASSERT_GE(journal[i].time_ms - journal[i - 2].time_ms, 1000) << i;
    }
    const double seconds = (journal.back().time_ms - journal.front().time_ms) / 1000.0;
    const double achieved = (calls - 2) / seconds;
    EXPECT_GE(achieved, 2.0 * 0.98);
    EXPECT_LE(achieved, 2.0);
}

TEST(bingx_client, methods_share_one_uid_window_by_default) {
    mock_env env;
    exsdk::bingx::client c(env.ioc.get_executor(), env.bingx_config());
    auto key = env.run(c.generate_listen_key());
    ASSERT_TRUE(key);
    int done = 0;
    for (int i = 0; i < 3; ++i) {
        asio::co_spawn(
            env.ioc,
            [&]() -> asio::awaitable<void> {
                EXPECT_TRUE(co_await c.extend_listen_key(key->key));
                ++done;
            },
            asio::detached);
    }
    ASSERT_TRUE(exsdk::test::run_virtual(env.ioc, *env.clk, [&] { return done == 3; }));
    const auto journal = env.mock().journal();
    ASSERT_EQ(journal.size(), 4u);
    // POST + PUT + PUT fill the shared 2/s window twice: the third PUT waits a second.
    EXPECT_GE(journal[2].time_ms - journal[0].time_ms, 1000);
    EXPECT_EQ(env.answered(100410), 0u);
}

// A rate-limited call that has to wait for a connection (a busy or cold pool) takes its slot
// when it is written, not when it asked: otherwise its recorded start is earlier than its real
// one and the next window's calls arrive too close behind it (here: 4 POSTs within 1 s).
TEST(bingx_client, a_call_waiting_for_a_connection_takes_its_rate_limit_slot_when_sent) {
    mock_env env;
    auto cfg = env.bingx_config();
    cfg.transport.max_connections = 1;
    cfg.retry.max_attempts = 1; // a 100410 would show as an error, not be retried away
    exsdk::bingx::client c(env.ioc.get_executor(), cfg);
    exsdk::mock::fault slow;
    slow.exchange = "bingx";
    slow.path = std::string(exsdk::bingx::protocol::server_time_path);
    slow.act = exsdk::mock::fault::action::delay;
    slow.delay = 800ms;
    env.mock().add_fault(slow);
    int ok = 0, failed = 0;
    auto generate = [&]() -> asio::awaitable<void> {
        auto r = co_await c.generate_listen_key();
        (r ? ok : failed) += 1;
    };
    // t = 0: a slow public call holds the only connection for 800 ms; two POSTs queue behind it.
    asio::co_spawn(env.ioc, c.server_time(), asio::detached);
    asio::co_spawn(env.ioc, generate(), asio::detached);
    asio::co_spawn(env.ioc, generate(), asio::detached);
    exsdk::test::advance(env.ioc, *env.clk, 1010ms);
    // t = 1.01 s: two more, a full window after t = 0 (but only 210 ms after the first two went).
    asio::co_spawn(env.ioc, generate(), asio::detached);
    asio::co_spawn(env.ioc, generate(), asio::detached);
    ASSERT_TRUE(exsdk::test::run_virtual(env.ioc, *env.clk, [&] { return ok + failed == 4; }));
    EXPECT_EQ(ok, 4);
    EXPECT_EQ(env.answered(100410), 0u);
    std::vector<std::int64_t> posts;
    for (const auto& e : env.mock().journal()) {
        if (e.method == "POST") {
            posts.push_back(e.time_ms);
        }
    }
    ASSERT_EQ(posts.size(), 4u);
    EXPECT_EQ(posts[0] - exsdk::test::t0_ms, 800); // sent when the connection came free
    EXPECT_GE(posts[2] - posts[0], 1000);
    EXPECT_GE(posts[3] - posts[1], 1000);
}

TEST(bingx_client, server_time) {
    mock_env env;
    exsdk::bingx::client c(env.ioc.get_executor(), env.bingx_config({}));
    auto t = env.run(c.server_time());
    ASSERT_TRUE(t) << t.error();
    EXPECT_EQ(exsdk::to_epoch_ms(*t), exsdk::test::t0_ms);
}

} // namespace

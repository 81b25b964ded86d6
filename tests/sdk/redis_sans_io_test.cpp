// The Redis limit store's I/O-free pieces: URL parsing, the reconnect backoff, RESP through
// hiredis (formatting, incremental reading), the scripts' commands and replies, and the names
// the clients give their limits. No sockets.
#include "detail/limit_names.hpp"
#include "redis/connection.hpp"
#include "redis/limit_scripts.hpp"
#include "redis/redis_url.hpp"
#include "redis/resp.hpp"

#include <gtest/gtest.h>

#include <array>
#include <string>

using namespace std::chrono_literals;
namespace r = exsdk::detail::redis;

namespace {

TEST(redis_url, defaults_and_every_part) {
    auto u = r::parse_redis_url("redis://127.0.0.1");
    ASSERT_TRUE(u) << u.error();
    EXPECT_FALSE(u->server.tls);
    EXPECT_EQ(u->server.host, "127.0.0.1");
    EXPECT_TRUE(u->server.host_is_address);
    EXPECT_EQ(u->server.port, 6379);
    EXPECT_EQ(u->database, 0);
    EXPECT_TRUE(u->username.empty());
    EXPECT_TRUE(u->password.empty());

    u = r::parse_redis_url("rediss://engine:p%40ss%3Aword@redis.internal:6380/5");
    ASSERT_TRUE(u) << u.error();
    EXPECT_TRUE(u->server.tls);
    EXPECT_EQ(u->server.host, "redis.internal");
    EXPECT_FALSE(u->server.host_is_address);
    EXPECT_EQ(u->server.port, 6380);
    EXPECT_EQ(u->database, 5);
    EXPECT_EQ(u->username, "engine");
    EXPECT_EQ(u->password, "p@ss:word"); // percent-decoded
    EXPECT_EQ(r::printable(*u), "rediss://redis.internal:6380/5");

    u = r::parse_redis_url("redis://:only-a-password@[::1]:7000/");
    ASSERT_TRUE(u) << u.error();
    EXPECT_EQ(u->server.host, "::1");
    EXPECT_TRUE(u->username.empty());
    EXPECT_EQ(u->password, "only-a-password");
    EXPECT_EQ(r::printable(*u), "redis://[::1]:7000/0");
}

TEST(redis_url, errors_name_the_problem_never_the_password) {
    for (const char* bad :
         {"", "127.0.0.1:6379", "http://h", "redis://", "redis://h:0", "redis://h:65536",
          "redis://h:x", "redis://h/db", "redis://h/-1", "redis://h/1/2", "redis://h/1?timeout=1",
          "redis://h#f", "redis://user-without-password@h"}) {
        auto u = r::parse_redis_url(bad);
        ASSERT_FALSE(u) << bad;
        EXPECT_EQ(u.error().code, exsdk::errc::invalid_argument) << bad;
        EXPECT_EQ(u.error().message.rfind("Redis URL: ", 0), 0u) << u.error().message;
    }
    auto u = r::parse_redis_url("redis://u:hunter2-secret@h/x");
    ASSERT_FALSE(u);
    EXPECT_EQ(u.error().message.find("hunter2"), std::string::npos);
}

TEST(redis_reconnect, backoff_doubles_to_the_cap_with_jitter_below) {
    r::connection_config cfg;
    cfg.reconnect_min = 100ms;
    cfg.reconnect_max = 1s;
    EXPECT_EQ(r::reconnect_delay(cfg, 1, 1.0), 100ms);
    EXPECT_EQ(r::reconnect_delay(cfg, 1, 0.0), 50ms);
    EXPECT_EQ(r::reconnect_delay(cfg, 2, 1.0), 200ms);
    EXPECT_EQ(r::reconnect_delay(cfg, 4, 1.0), 800ms);
    EXPECT_EQ(r::reconnect_delay(cfg, 5, 1.0), 1s);
    EXPECT_EQ(r::reconnect_delay(cfg, 1000, 1.0), 1s);
    EXPECT_EQ(r::reconnect_delay(cfg, 1000, 0.0), 500ms);
    for (double x : {0.0, 0.3, 0.99}) {
        const auto d = r::reconnect_delay(cfg, 3, x);
        EXPECT_GE(d, 200ms);
        EXPECT_LE(d, 400ms);
    }
}

TEST(redis_resp, commands_are_formatted_by_hiredis) {
    std::string out;
    const std::array<std::string_view, 3> set{"SET", "k", std::string_view("a\0b", 3)};
    r::append_command(out, set);
    EXPECT_EQ(out, std::string("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$3\r\na\0b\r\n", 29));
}

TEST(redis_resp, replies_arrive_in_any_pieces) {
    r::reader rd;
    const std::string bytes =
        "+PONG\r\n:42\r\n$5\r\nhello\r\n$-1\r\n*3\r\n:1\r\n:1700000000123456\r\n"
        ":7\r\n-NOSCRIPT No matching script.\r\n";
    std::vector<r::reply> replies;
    for (char c : bytes) { // one byte at a time: the worst case for an incremental parser
        rd.feed(&c, 1);
        for (;;) {
            auto next = rd.next();
            ASSERT_TRUE(next) << next.error();
            if (!*next) {
                break;
            }
            replies.push_back(std::move(**next));
        }
    }
    ASSERT_EQ(replies.size(), 6u);
    EXPECT_TRUE(replies[0].view().is_string());
    EXPECT_EQ(replies[0].view().str(), "PONG");
    EXPECT_EQ(replies[1].view().integer(), 42);
    EXPECT_EQ(replies[2].view().str(), "hello");
    EXPECT_TRUE(replies[3].view().is_nil());
    auto a = r::parse_acquire(replies[4].view());
    ASSERT_TRUE(a) << a.error();
    EXPECT_TRUE(a->confirmed);
    EXPECT_EQ(a->start_us, 1700000000123456); // exact: scores stay below 2^53
    EXPECT_EQ(a->now_us, 7);
    EXPECT_TRUE(r::is_noscript(replies[5].view()));
    EXPECT_FALSE(r::is_noscript(replies[0].view()));
}

TEST(redis_resp, garbage_is_a_protocol_error) {
    r::reader rd;
    rd.feed("?what\r\n", 7);
    auto next = rd.next();
    ASSERT_FALSE(next);
    EXPECT_EQ(next.error().code, exsdk::errc::protocol);
}

TEST(redis_scripts, acquire_reply_shapes) {
    r::reader rd;
    const std::string bytes = "-ERR boom\r\n*2\r\n:0\r\n:1\r\n*3\r\n$1\r\nx\r\n:1\r\n:2\r\n";
    rd.feed(bytes.data(), bytes.size());
    auto err = std::move(**rd.next());
    auto short_array = std::move(**rd.next());
    auto not_integers = std::move(**rd.next());
    auto e = r::parse_acquire(err.view());
    ASSERT_FALSE(e);
    EXPECT_NE(e.error().message.find("ERR boom"), std::string::npos);
    EXPECT_FALSE(r::parse_acquire(short_array.view()));
    EXPECT_FALSE(r::parse_acquire(not_integers.view()));
}

TEST(redis_scripts, acquire_command_carries_every_limit_and_hold_key) {
    const std::array<r::script_limit, 2> limits{
        r::script_limit{"p:{bingx}:uid:a:userDataStream", "p:{bingx}:uid:a:userDataStream:hold", 2,
                        1010000us, 10000us},
        r::script_limit{"p:{bingx}:ip:h:group", "p:{bingx}:ip:h:group:hold", 2000, 10100000us,
                        100000us}};
    const r::acquire_command command(limits, 10000ms);
    std::string cmd;
    command.append(cmd, false, "", "m:1", "");
    // EVALSHA sha 4 z1 z2 h1 h2 now member confirm slack late N1 W1 N2 W2 (now "": the server's
    // TIME; confirm "": a new reservation; late: the smallest margin)
    std::string expected;
    const std::array<std::string_view, 16> args{"EVALSHA",
                                                r::acquire_script().sha1,
                                                "4",
                                                limits[0].key,
                                                limits[1].key,
                                                limits[0].hold_key,
                                                limits[1].hold_key,
                                                "",
                                                "m:1",
                                                "",
                                                "10000",
                                                "10000",
                                                "2",
                                                "1010000",
                                                "2000",
                                                "10100000"};
    r::append_command(expected, args);
    EXPECT_EQ(cmd, expected);
    EXPECT_EQ(command.late_tolerance(), 10000us);
    // By body after a NOSCRIPT, with the caller's time and a reservation to confirm.
    cmd.clear();
    command.append(cmd, true, "1700000000000000", "m:1", "1700000000500000");
    EXPECT_NE(cmd.find("redis.call('TIME')"), std::string::npos);
    EXPECT_NE(cmd.find("$16\r\n1700000000500000\r\n"), std::string::npos);
    EXPECT_EQ(r::acquire_script().sha1.size(), 40u);
    // Every key of the call shares one hash tag (cluster-safe).
    for (const auto& l : limits) {
        EXPECT_NE(l.key.find("{bingx}"), std::string::npos);
    }
}

TEST(limit_names, default_account_is_stable_and_hides_the_key) {
    const auto a = exsdk::detail::default_limit_account("AbmyVJGUpN064ks5ELjLfA==");
    EXPECT_EQ(a, exsdk::detail::default_limit_account("AbmyVJGUpN064ks5ELjLfA=="));
    EXPECT_NE(a, exsdk::detail::default_limit_account("another-key"));
    EXPECT_EQ(a.size(), 4u + 16u);
    EXPECT_EQ(a.rfind("key-", 0), 0u);
    EXPECT_EQ(a.find("Abmy"), std::string::npos);
    EXPECT_FALSE(exsdk::detail::default_ip_name().empty());
}

} // namespace

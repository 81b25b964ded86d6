// The `exsdk` grammar in-process (no child processes): what each command line parses to.
#include "arguments.hpp"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

namespace {

using namespace exsdk::cli;

class arguments : public ::testing::Test {
protected:
    parse_result parse(std::vector<std::string_view> args) {
        const env_lookup env = [this](std::string_view name) -> std::optional<std::string> {
            const auto it = env_.find(std::string(name));
            if (it == env_.end()) {
                return std::nullopt;
            }
            return it->second;
        };
        return parse_arguments(args, env);
    }

    invocation ok(std::vector<std::string_view> args) {
        auto r = parse(std::move(args));
        if (auto* e = std::get_if<usage_error>(&r)) {
            ADD_FAILURE() << e->message;
            return {};
        }
        EXPECT_TRUE(std::holds_alternative<invocation>(r));
        return std::holds_alternative<invocation>(r) ? std::get<invocation>(r) : invocation{};
    }

    std::string error(std::vector<std::string_view> args) {
        auto r = parse(std::move(args));
        const auto* e = std::get_if<usage_error>(&r);
        EXPECT_NE(e, nullptr);
        return e != nullptr ? e->message : "";
    }

    std::map<std::string, std::string> env_;
};

TEST_F(arguments, command_words_operand_and_options_in_any_order) {
    auto inv = ok({"--base-url", "http://127.0.0.1:1", "bingx", "listen-key", "--repeat=3",
                   "extend", "--no-retry", "KEY1", "--api-key", "k", "--secret", "s",
                   "--timeout-ms", "250", "--ca-file", "ca.pem"});
    ASSERT_NE(inv.cmd, nullptr);
    EXPECT_EQ(inv.cmd->handler, handler_id::bingx_listen_key_extend);
    EXPECT_EQ(inv.operand, "KEY1");
    EXPECT_EQ(inv.globals.base_url, "http://127.0.0.1:1");
    EXPECT_EQ(inv.globals.repeat, 3);
    EXPECT_TRUE(inv.globals.no_retry);
    EXPECT_EQ(inv.globals.timeout, std::chrono::milliseconds(250));
    EXPECT_EQ(inv.globals.ca_file, "ca.pem");
    EXPECT_EQ(inv.globals.api_key, "k");
    EXPECT_EQ(inv.globals.secret, "s");
}

TEST_F(arguments, defaults) {
    auto inv = ok({"woox", "server-time"});
    ASSERT_NE(inv.cmd, nullptr);
    EXPECT_EQ(inv.cmd->handler, handler_id::woox_server_time);
    EXPECT_FALSE(inv.globals.base_url.has_value());
    EXPECT_EQ(inv.globals.repeat, 1);
    EXPECT_FALSE(inv.globals.timeout.has_value());
    EXPECT_FALSE(inv.globals.no_retry);
}

TEST_F(arguments, api_keys_options) {
    env_ = {{"EXSDK_WOOX_API_KEY", "k"}, {"EXSDK_WOOX_SECRET", "s"}};
    auto inv = ok({"woox", "api-keys", "--page", "3", "--size", "1000"});
    EXPECT_EQ(inv.options.integer("--page"), 3);
    EXPECT_EQ(inv.options.integer("--size"), 1000);
    EXPECT_FALSE(inv.options.flag("--all"));
    inv = ok({"woox", "api-keys", "--all", "--size", "10"});
    EXPECT_TRUE(inv.options.flag("--all"));
    EXPECT_FALSE(inv.options.has("--page"));
    EXPECT_NE(error({"woox", "api-keys", "--all", "--page", "1"}).find("cannot be combined"),
              std::string::npos);
    EXPECT_NE(error({"woox", "api-keys", "--size", "1001"}).find("from 1 to 1000"),
              std::string::npos);
    EXPECT_NE(error({"woox", "api-keys", "--page", "-1"}).find(">= 1"), std::string::npos);
    EXPECT_NE(error({"woox", "api-keys", "--page", "99999999999999999999"}).find(">= 1"),
              std::string::npos);
}

TEST_F(arguments, credentials_flags_win_field_by_field) {
    env_ = {{"EXSDK_BINGX_API_KEY", "env-key"}, {"EXSDK_BINGX_SECRET", "env-secret"}};
    auto inv = ok({"bingx", "listen-key", "generate"});
    EXPECT_EQ(inv.globals.api_key, "env-key");
    EXPECT_EQ(inv.globals.secret, "env-secret");
    inv = ok({"bingx", "listen-key", "generate", "--secret", "flag-secret"});
    EXPECT_EQ(inv.globals.api_key, "env-key");
    EXPECT_EQ(inv.globals.secret, "flag-secret");
    // WOO X variables are not BingX credentials.
    env_ = {{"EXSDK_WOOX_API_KEY", "k"}, {"EXSDK_WOOX_SECRET", "s"}};
    EXPECT_NE(error({"bingx", "listen-key", "generate"}).find("missing API key and secret"),
              std::string::npos);
    EXPECT_NE(error({"bingx", "listen-key", "generate", "--api-key", "x"}).find("missing secret"),
              std::string::npos);
}

TEST_F(arguments, double_dash_ends_options) {
    env_ = {{"EXSDK_BINGX_API_KEY", "k"}, {"EXSDK_BINGX_SECRET", "s"}};
    auto inv = ok({"bingx", "listen-key", "delete", "--", "-odd-key"});
    EXPECT_EQ(inv.operand, "-odd-key");
}

TEST_F(arguments, help_of_each_level) {
    auto help = [&](std::vector<std::string_view> args) {
        auto r = parse(std::move(args));
        const auto* h = std::get_if<help_request>(&r);
        EXPECT_NE(h, nullptr);
        return h != nullptr ? h->text : "";
    };
    EXPECT_TRUE(help({"--help"}).starts_with("usage: exsdk EXCHANGE COMMAND"));
    EXPECT_TRUE(help({"woox", "-h"}).starts_with("usage: exsdk woox COMMAND"));
    EXPECT_TRUE(help({"bingx", "listen-key", "--help"})
                    .starts_with("usage: exsdk bingx listen-key COMMAND"));
    EXPECT_TRUE(help({"woox", "api-keys", "--help"})
                    .starts_with("usage: exsdk woox api-keys [--page N] [--size N] [--all]"));
    // An unknown word is an error even with --help.
    EXPECT_TRUE(std::holds_alternative<usage_error>(parse({"woox", "nope", "--help"})));
}

TEST_F(arguments, secrets_are_redacted_from_messages) {
    env_ = {{"EXSDK_WOOX_SECRET", "envsecret"}};
    // "envsecret" is an echoable word, so only redaction keeps it out of the message.
    const auto msg = error({"woox", "envsecret"});
    EXPECT_EQ(msg.find("envsecret"), std::string::npos) << msg;
    EXPECT_NE(msg.find("***"), std::string::npos) << msg;
    const auto msg2 = error({"woox", "server-time", "flagsecret", "--secret", "flagsecret"});
    EXPECT_EQ(msg2.find("flagsecret"), std::string::npos) << msg2;
}

TEST_F(arguments, redis_url_from_flag_or_environment) {
    EXPECT_TRUE(ok({"woox", "server-time"}).globals.redis_url.empty());
    env_ = {{"EXSDK_REDIS_URL", "redis://10.0.0.5:6379/2"}};
    EXPECT_EQ(ok({"woox", "server-time"}).globals.redis_url, "redis://10.0.0.5:6379/2");
    const auto inv = ok({"woox", "server-time", "--redis", "rediss://h:6380"});
    EXPECT_EQ(inv.globals.redis_url, "rediss://h:6380"); // the flag wins
    EXPECT_FALSE(inv.globals.redis_fallback.has_value());
}

TEST_F(arguments, redis_fallback_share) {
    EXPECT_DOUBLE_EQ(
        *ok({"woox", "server-time", "--redis", "redis://h", "--redis-fallback", "0.25"})
             .globals.redis_fallback,
        0.25);
    EXPECT_DOUBLE_EQ(*ok({"woox", "server-time", "--redis", "redis://h", "--redis-fallback=1/3"})
                          .globals.redis_fallback,
                     1.0 / 3);
    for (const char* bad : {"0", "1.5", "-1", "x", "1/0", "0/4", "", "1/"}) {
        const std::string flag = std::string("--redis-fallback=") + bad;
        const auto msg = error({"woox", "server-time", "--redis", "redis://h", flag});
        EXPECT_NE(msg.find("--redis-fallback"), std::string::npos) << bad << ": " << msg;
    }
    EXPECT_NE(error({"woox", "server-time", "--redis-fallback", "0.5"}).find("needs --redis"),
              std::string::npos);
    EXPECT_EQ(*ok({"woox", "server-time", "--redis", "redis://h", "--redis-max-lateness", "50"})
                   .globals.redis_max_lateness,
              std::chrono::milliseconds(50));
    EXPECT_NE(error({"woox", "server-time", "--redis-max-lateness", "50"}).find("needs --redis"),
              std::string::npos);
}

TEST_F(arguments, limit_overrides) {
    const auto inv =
        ok({"bingx", "server-time", "--limit", "bingx.uid=50/500,woox.listen_key=off"});
    ASSERT_EQ(inv.globals.limits.size(), 2u);
    EXPECT_EQ(inv.globals.limits[0].name, "bingx.uid");
    EXPECT_EQ(inv.globals.limits[0].requests, 50);
    EXPECT_EQ(inv.globals.limits[0].window_ms, 500);
    EXPECT_EQ(inv.globals.limits[1].name, "woox.listen_key");
    EXPECT_EQ(inv.globals.limits[1].requests, 0);
    for (const char* bad : {"bingx.uid", "nope=1/1", "bingx.uid=5", "bingx.uid=5/0",
                            "bingx.uid=x/1", "bingx.uid=-1/5"}) {
        const auto msg = error({"woox", "server-time", "--limit", bad});
        EXPECT_NE(msg.find("--limit"), std::string::npos) << bad << ": " << msg;
    }
}

TEST_F(arguments, redis_password_is_a_secret) {
    const auto secrets =
        known_secrets(std::vector<std::string_view>{"--redis", "redis://u:p%40ssw0rd-x@h:1/0"},
                      [](std::string_view) { return std::nullopt; });
    ASSERT_EQ(secrets.size(), 2u);
    EXPECT_EQ(secrets[0], "p%40ssw0rd-x");
    EXPECT_EQ(secrets[1], "p@ssw0rd-x");
    env_ = {{"EXSDK_REDIS_URL", "redis://:envredispass@h"}};
    const auto msg = error({"woox", "envredispass"});
    EXPECT_EQ(msg.find("envredispass"), std::string::npos) << msg;
}

TEST_F(arguments, redact) {
    const std::vector<std::string> secrets{"abcdef", "", "ab"};
    EXPECT_EQ(redact("xabcdefyabcdef", secrets), "x***y***");
    EXPECT_EQ(redact("nothing", secrets), "nothing");
    EXPECT_EQ(redact("ab", secrets), "ab") << "too short to redact";
}

TEST_F(arguments, every_command_is_reachable_by_its_name) {
    env_ = {{"EXSDK_WOOX_API_KEY", "k"},
            {"EXSDK_WOOX_SECRET", "s"},
            {"EXSDK_BINGX_API_KEY", "k"},
            {"EXSDK_BINGX_SECRET", "s"}};
    for (const auto& c : command_table()) {
        std::vector<std::string> words{std::string(to_string(c.exchange))};
        std::string name(c.name);
        for (std::size_t pos = 0; pos != std::string::npos;) {
            const auto space = name.find(' ', pos);
            words.push_back(name.substr(pos, space == std::string::npos ? space : space - pos));
            pos = space == std::string::npos ? space : space + 1;
        }
        if (!c.operand.empty()) {
            words.push_back("KEY");
        }
        if (c.handler == handler_id::bingx_stream) {
            words.insert(words.end(), {"--market", "swap"}); // its one required option
        }
        std::vector<std::string_view> args(words.begin(), words.end());
        auto inv = ok(args);
        EXPECT_EQ(inv.cmd, &c) << c.name;
    }
}

} // namespace

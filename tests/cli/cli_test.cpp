// Black-box tests of the `exsdk` program: each test starts an embedded mock exchange on
// 127.0.0.1, runs the built binary as a child process and checks its stdout (JSON lines),
// stderr and exit status, and the mock's journal. No sleeps, no wall-clock assertions.
#include "command.hpp"
#include "support/process.hpp"
#include "support/redis_server.hpp"

#include <exsdk/bingx/protocol.hpp>
#include <exsdk/mock/server.hpp>
#include <exsdk/mock/stream_push.hpp>
#include <exsdk/woox/protocol.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <netinet/in.h>
#include <set>
#include <sstream>
#include <string>
#include <sys/socket.h>
#include <unistd.h>
#include <vector>

namespace {

namespace json = boost::json;
namespace mock = exsdk::mock;
using exsdk::test::process_result;

const std::string exsdk_path = EXSDK_CLI_PATH;

// The demo accounts (public demo values of the mock exchange).
const std::string woox_key = "AbmyVJGUpN064ks5ELjLfA==";
const std::string woox_secret = "QHKRXHPAW1MC9YGZMAT8YDJG2HPR";
const std::string woox_trade_only_key = "WooxTradeOnlyDemoKey0001==";
const std::string woox_trade_only_secret = "WOOXTRADEONLYDEMOSECRET00001";
const std::string bingx_key = "bingx-demo-api-key-0001";
const std::string bingx_secret =
    "mheO6dR8ovSsxZQCOYEFCtelpuxcWGTfHw7te326y6jOwq5WpvFQ9JNljoTwBXZGv5It07m9RXSPpDQEK2w";
const std::string wrong_secret = "WrongSecretNeverToBePrinted0123456789";
// A well-formed listen key the mock never issued.
const std::string unknown_listen_key(64, 'f');

std::vector<std::string> split_lines(const std::string& s) {
    std::vector<std::string> lines;
    std::istringstream in(s);
    for (std::string line; std::getline(in, line);) {
        lines.push_back(line);
    }
    return lines;
}

std::int64_t count_if_journal(const mock::server& srv,
                              const std::function<bool(const mock::journal_entry&)>& pred) {
    const auto j = srv.journal();
    return std::count_if(j.begin(), j.end(), pred);
}

bool is_limit_violation(const mock::journal_entry& e) {
    return e.code == 100410 || e.code == -1003 || e.http_status == 429;
}

class cli : public ::testing::Test {
protected:
    void SetUp() override { start_mock({}); }

    void start_mock(mock::config cfg) {
        srv_.reset();
        cfg.host = "127.0.0.1";
        cfg.port = 0;
        srv_ = std::make_unique<mock::threaded_server>(std::move(cfg));
    }

    mock::server& srv() { return srv_->get(); }
    std::string url() const { return srv_->base_url(); }

    /// Runs exsdk with `args` (no --base-url added) and checks that no secret leaked.
    process_result run_raw(std::vector<std::string> args,
                           const std::map<std::string, std::string>& env = {}) {
        args.insert(args.begin(), exsdk_path);
        auto r = exsdk::test::run_process(args, env);
        expect_no_secret(r);
        return r;
    }

    /// Runs exsdk against the mock.
    process_result run(std::vector<std::string> args,
                       const std::map<std::string, std::string>& env = {}) {
        args.push_back("--base-url");
        args.push_back(url());
        return run_raw(std::move(args), env);
    }

    process_result run_woox(std::vector<std::string> args) {
        args.insert(args.end(), {"--api-key", woox_key, "--secret", woox_secret});
        return run(std::move(args));
    }

    process_result run_bingx(std::vector<std::string> args) {
        args.insert(args.end(), {"--api-key", bingx_key, "--secret", bingx_secret});
        return run(std::move(args));
    }

    static void expect_no_secret(const process_result& r) {
        for (const auto* s :
             {&woox_secret, &woox_trade_only_secret, &bingx_secret, &wrong_secret}) {
            EXPECT_EQ(r.out.find(*s), std::string::npos) << "secret on stdout";
            EXPECT_EQ(r.err.find(*s), std::string::npos) << "secret on stderr";
        }
    }

    /// The JSON objects on stdout, one per line; fails the test on anything else.
    static std::vector<json::object> results(const process_result& r) {
        std::vector<json::object> out;
        for (const auto& line : split_lines(r.out)) {
            json::error_code ec;
            auto v = json::parse(line, ec);
            EXPECT_FALSE(ec) << "not JSON: " << line;
            EXPECT_TRUE(v.is_object()) << line;
            if (!ec && v.is_object()) {
                out.push_back(v.as_object());
            }
        }
        return out;
    }

    /// The single result of a one-call run, with the envelope checked.
    static json::object single(const process_result& r, std::string_view exchange,
                               std::string_view command, bool ok) {
        EXPECT_EQ(r.exit_code, ok ? 0 : 1) << r.out << r.err;
        EXPECT_EQ(r.err, "");
        auto all = results(r);
        EXPECT_EQ(all.size(), 1u) << r.out;
        if (all.size() != 1) {
            return {};
        }
        const auto& o = all[0];
        EXPECT_EQ(o.at("ok").as_bool(), ok) << r.out;
        EXPECT_EQ(o.at("exchange").as_string(), exchange);
        EXPECT_EQ(o.at("command").as_string(), command);
        EXPECT_EQ(o.size(), 4u) << r.out;
        const auto* body = o.if_contains(ok ? "result" : "error");
        EXPECT_TRUE(body != nullptr && body->is_object()) << r.out;
        return body != nullptr && body->is_object() ? body->as_object() : json::object{};
    }

    /// Checks the shape of an error object and returns its code.
    static std::string error_code_of(const json::object& e) {
        EXPECT_TRUE(e.at("exchangeCode").is_int64());
        EXPECT_TRUE(e.at("message").is_string());
        EXPECT_TRUE(e.at("httpStatus").is_int64());
        EXPECT_TRUE(e.at("retryAfter").is_null() || e.at("retryAfter").is_int64());
        // The context (issue 10): which call, where it went, attempts, time, whose answer.
        EXPECT_TRUE(e.at("operation").is_string());
        EXPECT_TRUE(e.at("method").is_string());
        EXPECT_TRUE(e.at("path").is_string());
        EXPECT_TRUE(e.at("attempts").is_int64() || e.at("attempts").is_uint64());
        EXPECT_TRUE(e.at("elapsedMs").is_int64());
        EXPECT_TRUE(e.at("exchangeAnswer").is_bool());
        EXPECT_EQ(e.at("path").as_string().find("signature"), json::string::npos);
        EXPECT_EQ(e.size(), 11u);
        return std::string(e.at("code").as_string());
    }

    std::unique_ptr<mock::threaded_server> srv_;
};

// --- usage -----------------------------------------------------------------------------------

TEST_F(cli, program_help) {
    for (const char* flag : {"--help", "-h"}) {
        const auto r = run_raw({flag});
        EXPECT_EQ(r.exit_code, 0);
        EXPECT_EQ(r.err, "");
        EXPECT_TRUE(r.out.starts_with("usage: exsdk")) << r.out;
        for (const auto& c : exsdk::cli::command_table()) {
            EXPECT_NE(r.out.find(std::string(c.name)), std::string::npos) << c.name;
        }
        for (const auto& o : exsdk::cli::global_options()) {
            EXPECT_NE(r.out.find(std::string(o.name)), std::string::npos) << o.name;
        }
    }
}

TEST_F(cli, help_for_every_command_and_prefix) {
    for (const auto& c : exsdk::cli::command_table()) {
        const std::string ex(exsdk::cli::to_string(c.exchange));
        std::vector<std::string> args{ex};
        std::istringstream words{std::string(c.name)};
        for (std::string w; words >> w;) {
            args.push_back(w);
        }
        args.push_back("--help");
        const auto r = run_raw(args);
        EXPECT_EQ(r.exit_code, 0) << c.name;
        EXPECT_EQ(r.err, "");
        const std::string usage = "usage: exsdk " + ex + " " + std::string(c.name);
        EXPECT_TRUE(r.out.starts_with(usage)) << r.out;
        for (const auto& o : c.options) {
            EXPECT_NE(r.out.find(std::string(o.name)), std::string::npos) << o.name;
        }
        EXPECT_NE(r.out.find("--base-url"), std::string::npos);
        EXPECT_NE(r.out.find("Result"), std::string::npos) << "documents its output";
    }
    for (std::vector<std::string> prefix : {std::vector<std::string>{"woox", "--help"},
                                            {"bingx", "--help"},
                                            {"bingx", "listen-key", "--help"},
                                            {"--help", "woox", "listen-key"}}) {
        const auto r = run_raw(prefix);
        EXPECT_EQ(r.exit_code, 0);
        EXPECT_TRUE(r.out.starts_with("usage: exsdk ")) << r.out;
        EXPECT_NE(r.out.find("Commands:"), std::string::npos);
    }
    // Help wins over option errors, and an operand does not stop it.
    const auto r = run_raw({"bingx", "listen-key", "extend", "--bogus", "--help"});
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_TRUE(r.out.starts_with("usage: exsdk bingx listen-key extend KEY")) << r.out;
}

TEST_F(cli, usage_errors_exit_2_with_one_line) {
    const std::vector<std::vector<std::string>> cases{
        {},
        {"kraken", "server-time"},
        {"woox"},
        {"woox", "frobnicate"},
        {"woox", "listen-key"},
        {"woox", "listen-key", "renew"},
        {"woox", "server-time", "extra"},
        {"woox", "server-time", "--bogus"},
        {"woox", "server-time", "-x"},
        {"woox", "server-time", "--repeat"},
        {"woox", "server-time", "--repeat", "--no-retry"},
        {"woox", "server-time", "--repeat", "abc"},
        {"woox", "server-time", "--repeat", "0"},
        {"woox", "server-time", "--repeat", "3x"},
        {"woox", "server-time", "--repeat=1", "--repeat=2"},
        {"woox", "server-time", "--timeout-ms", "-5"},
        {"woox", "server-time", "--no-retry=yes"},
        {"woox", "server-time", "--base-url="},
        {"woox", "server-time", "--page", "1"},
        {"woox", "api-keys", "--page", "0", "--api-key", "k", "--secret", "s"},
        {"woox", "api-keys", "--page", "x", "--api-key", "k", "--secret", "s"},
        {"woox", "api-keys", "--size", "1001", "--api-key", "k", "--secret", "s"},
        {"woox", "api-keys", "--size", "0", "--api-key", "k", "--secret", "s"},
        {"woox", "api-keys", "--all", "--page", "2", "--api-key", "k", "--secret", "s"},
        {"bingx", "listen-key", "extend", "--api-key", "k", "--secret", "s"},
        {"bingx", "listen-key", "delete", "a", "b", "--api-key", "k", "--secret", "s"},
        {"bingx", "api-keys"},
        {"woox", "listen-key", "create"},
        {"woox", "listen-key", "create", "--api-key", "k"},
        {"bingx", "listen-key", "generate", "--secret", "s"},
        {"woox", "server-time", "--base-url", "not a url"},
        {"woox", "server-time", "--base-url", "ftp://example.com"},
    };
    for (const auto& args : cases) {
        std::string joined;
        for (const auto& a : args) {
            joined += a + " ";
        }
        const auto r = run_raw(args);
        EXPECT_EQ(r.exit_code, 2) << joined << "\n" << r.out << r.err;
        EXPECT_EQ(r.out, "") << joined;
        const auto lines = split_lines(r.err);
        ASSERT_EQ(lines.size(), 1u) << joined << "\n" << r.err;
        EXPECT_TRUE(lines[0].starts_with("exsdk: ")) << lines[0];
        EXPECT_EQ(r.err.find("terminate"), std::string::npos) << r.err;
    }
}

TEST_F(cli, usage_errors_name_the_problem) {
    auto err = [&](std::vector<std::string> args) { return run_raw(std::move(args)).err; };
    EXPECT_NE(err({"woox", "server-time", "--bogus"}).find("unknown option '--bogus'"),
              std::string::npos);
    EXPECT_NE(err({"woox", "frobnicate"}).find("unknown command 'woox frobnicate'"),
              std::string::npos);
    EXPECT_NE(err({"woox", "listen-key"}).find("expected one of: listen-key create"),
              std::string::npos);
    EXPECT_NE(err({"woox", "server-time", "--repeat", "abc"}).find("--repeat must be an integer"),
              std::string::npos);
    EXPECT_NE(err({"woox", "api-keys", "--page", "0"}).find("--page must be an integer >= 1"),
              std::string::npos);
    EXPECT_NE(err({"bingx", "listen-key", "extend"}).find("needs KEY"), std::string::npos);
    const auto creds = err({"woox", "listen-key", "create"});
    EXPECT_NE(creds.find("EXSDK_WOOX_API_KEY"), std::string::npos) << creds;
    EXPECT_NE(creds.find("--api-key"), std::string::npos) << creds;
}

TEST_F(cli, usage_errors_never_echo_secrets) {
    // The secret given as a flag, then mistyped as a command word or an operand.
    for (const auto& args : std::vector<std::vector<std::string>>{
             {"woox", wrong_secret, "--secret", wrong_secret},
             {"woox", "server-time", wrong_secret, "--secret", wrong_secret},
             {"woox", "server-time", "--secret=" + wrong_secret, "--bogus"},
             // Not known as a secret at all: long tokens are never echoed.
             {"bingx", "listen-key", "generate", wrong_secret},
             {"bingx", wrong_secret},
             {"woox", "server-time", "--" + wrong_secret},
             {"woox", "server-time", "--repeat", wrong_secret}}) {
        const auto r = run_raw(args);
        EXPECT_EQ(r.exit_code, 2) << r.err;
        EXPECT_EQ(r.err.find(wrong_secret), std::string::npos) << r.err;
    }
    // From the environment, mistyped on the command line.
    const auto r = run_raw({"bingx", bingx_secret}, {{"EXSDK_BINGX_SECRET", bingx_secret}});
    EXPECT_EQ(r.exit_code, 2);
}

// --- WOO X -----------------------------------------------------------------------------------

TEST_F(cli, woox_listen_key_create) {
    const auto r =
        single(run_woox({"woox", "listen-key", "create"}), "woox", "listen-key create", true);
    EXPECT_FALSE(r.at("authKey").as_string().empty());
    EXPECT_GT(r.at("expiredTime").as_int64(), 0);
    EXPECT_EQ(r.size(), 2u);
    EXPECT_EQ(count_if_journal(srv(),
                               [](const auto& e) {
                                   return e.method == "POST" &&
                                          e.target == exsdk::woox::protocol::listen_key_path;
                               }),
              1);
}

TEST_F(cli, woox_api_keys_one_page) {
    const auto r = single(run_woox({"woox", "api-keys"}), "woox", "api-keys", true);
    const auto& rows = r.at("rows").as_array();
    ASSERT_EQ(rows.size(), 2u);
    const auto& first = rows[0].as_object();
    EXPECT_EQ(first.at("accountName").as_string(), "Main");
    EXPECT_EQ(first.at("userId").as_int64(), 12523);
    EXPECT_EQ(first.at("apiKey").as_string(), woox_key);
    EXPECT_EQ(first.at("permissions").as_array(), (json::array{"READ", "TRADE"}));
    EXPECT_FALSE(first.contains("allowedIPs")) << "no IP restriction: field left out";
    EXPECT_EQ(rows[1].as_object().at("allowedIPs").as_array(), json::array{"127.0.0.1"});
    const auto& meta = r.at("meta").as_object();
    EXPECT_EQ(meta.at("total").as_int64(), 2);
    EXPECT_EQ(meta.at("recordsPerPage").as_int64(), 25);
    EXPECT_EQ(meta.at("currentPage").as_int64(), 1);
}

TEST_F(cli, woox_api_keys_page_and_size) {
    const auto r =
        single(run_woox({"woox", "api-keys", "--page", "2", "--size=1"}), "woox", "api-keys", true);
    ASSERT_EQ(r.at("rows").as_array().size(), 1u);
    EXPECT_EQ(r.at("rows").as_array()[0].as_object().at("apiKey").as_string(), woox_trade_only_key);
    EXPECT_EQ(r.at("meta").as_object().at("currentPage").as_int64(), 2);
    EXPECT_EQ(count_if_journal(srv(),
                               [](const auto& e) {
                                   return e.target == "/v3/account/credentials?page=2&size=1";
                               }),
              1);
}

TEST_F(cli, woox_api_keys_all_walks_every_page) {
    const auto r =
        single(run_woox({"woox", "api-keys", "--all", "--size", "1"}), "woox", "api-keys", true);
    EXPECT_EQ(r.at("rows").as_array().size(), 2u);
    EXPECT_EQ(r.at("total").as_int64(), 2);
    EXPECT_EQ(count_if_journal(srv(),
                               [](const auto& e) {
                                   return e.target.starts_with(
                                       exsdk::woox::protocol::credentials_path);
                               }),
              2);
}

TEST_F(cli, woox_server_time_needs_no_credentials) {
    const auto r = single(run({"woox", "server-time"}), "woox", "server-time", true);
    EXPECT_GT(r.at("serverTime").as_int64(), 0);
    EXPECT_TRUE(r.at("offsetMs").is_int64());
    EXPECT_GE(r.at("roundTripMs").as_int64(), 0);
}

TEST_F(cli, woox_unknown_key_is_unauthorized) {
    const auto e = single(run({"woox", "listen-key", "create", "--api-key",
                               "NoSuchKey0000000000000==", "--secret", wrong_secret}),
                          "woox", "listen-key create", false);
    EXPECT_EQ(error_code_of(e), "unauthorized");
    EXPECT_EQ(e.at("exchangeCode").as_int64(), -1002);
    EXPECT_EQ(e.at("httpStatus").as_int64(), 401);
}

TEST_F(cli, woox_wrong_secret_is_invalid_signature) {
    const auto e =
        single(run({"woox", "api-keys", "--api-key", woox_key, "--secret", wrong_secret}), "woox",
               "api-keys", false);
    EXPECT_EQ(error_code_of(e), "invalid_signature");
    EXPECT_EQ(e.at("exchangeCode").as_int64(), -1001);
    EXPECT_EQ(e.at("httpStatus").as_int64(), 401);
}

TEST_F(cli, woox_key_without_read_is_permission_denied) {
    const auto e = single(run({"woox", "api-keys", "--api-key", woox_trade_only_key, "--secret",
                               woox_trade_only_secret}),
                          "woox", "api-keys", false);
    EXPECT_EQ(error_code_of(e), "permission_denied");
    EXPECT_EQ(e.at("exchangeCode").as_int64(), -1002);
}

TEST_F(cli, server_error_500_is_reported_without_retry) {
    mock::fault f;
    f.exchange = "woox";
    f.path = std::string(exsdk::woox::protocol::listen_key_path);
    f.status = 500;
    f.body = R"({"success":false,"code":-1000,"message":"internal error"})";
    srv().add_fault(f);
    const auto e = single(run_woox({"woox", "listen-key", "create", "--no-retry"}), "woox",
                          "listen-key create", false);
    EXPECT_EQ(error_code_of(e), "server_error");
    EXPECT_EQ(e.at("httpStatus").as_int64(), 500);
    EXPECT_EQ(e.at("exchangeCode").as_int64(), -1000);
}

TEST_F(cli, server_error_500_is_retried_by_default) {
    mock::fault f;
    f.exchange = "woox";
    f.path = std::string(exsdk::woox::protocol::listen_key_path);
    f.status = 500;
    f.body = R"({"success":false,"code":-1000,"message":"internal error"})";
    srv().add_fault(f);
    single(run_woox({"woox", "listen-key", "create"}), "woox", "listen-key create", true);
    EXPECT_EQ(count_if_journal(srv(), [](const auto& e) { return e.method == "POST"; }), 2);
    EXPECT_EQ(count_if_journal(srv(), [](const auto& e) { return e.fault == "respond"; }), 1);
}

TEST_F(cli, woox_repeat_runs_concurrently_within_the_limit) {
    const auto r = run_woox({"woox", "listen-key", "create", "--repeat", "5"});
    EXPECT_EQ(r.exit_code, 0) << r.out;
    const auto all = results(r);
    ASSERT_EQ(all.size(), 5u);
    std::set<std::string> keys;
    for (const auto& o : all) {
        EXPECT_TRUE(o.at("ok").as_bool());
        keys.insert(std::string(o.at("result").as_object().at("authKey").as_string()));
    }
    EXPECT_EQ(keys.size(), 5u);
    EXPECT_EQ(count_if_journal(srv(), is_limit_violation), 0);
}

// --- BingX -----------------------------------------------------------------------------------

TEST_F(cli, bingx_listen_key_lifecycle) {
    const auto g = single(run_bingx({"bingx", "listen-key", "generate"}), "bingx",
                          "listen-key generate", true);
    const std::string key(g.at("listenKey").as_string());
    EXPECT_EQ(key.size(), 64u);
    EXPECT_GT(g.at("validUntil").as_int64(), 0);

    const auto x = single(run_bingx({"bingx", "listen-key", "extend", key}), "bingx",
                          "listen-key extend", true);
    EXPECT_EQ(x.at("listenKey").as_string(), key);
    const auto d = single(run_bingx({"bingx", "listen-key", "delete", key}), "bingx",
                          "listen-key delete", true);
    EXPECT_EQ(d.at("listenKey").as_string(), key);

    const auto e = single(run_bingx({"bingx", "listen-key", "extend", key}), "bingx",
                          "listen-key extend", false);
    EXPECT_EQ(error_code_of(e), "not_found");
    EXPECT_EQ(e.at("httpStatus").as_int64(), 404);
    EXPECT_EQ(e.at("exchangeCode").as_int64(), 0);
    EXPECT_TRUE(e.at("retryAfter").is_null());
}

TEST_F(cli, bingx_unknown_listen_key_is_not_found) {
    for (const char* verb : {"extend", "delete"}) {
        const auto e = single(run_bingx({"bingx", "listen-key", verb, unknown_listen_key}), "bingx",
                              std::string("listen-key ") + verb, false);
        EXPECT_EQ(error_code_of(e), "not_found");
        EXPECT_EQ(e.at("httpStatus").as_int64(), 404);
    }
}

TEST_F(cli, bingx_unknown_api_key_is_unauthorized) {
    const auto e = single(run({"bingx", "listen-key", "generate", "--api-key", "no-such-key",
                               "--secret", wrong_secret}),
                          "bingx", "listen-key generate", false);
    EXPECT_EQ(error_code_of(e), "unauthorized");
    EXPECT_EQ(e.at("exchangeCode").as_int64(), 100413);
}

TEST_F(cli, bingx_wrong_secret_is_invalid_signature) {
    const auto e = single(run({"bingx", "listen-key", "extend", unknown_listen_key, "--api-key",
                               bingx_key, "--secret", wrong_secret}),
                          "bingx", "listen-key extend", false);
    EXPECT_EQ(error_code_of(e), "invalid_signature");
    EXPECT_EQ(e.at("exchangeCode").as_int64(), 100001);
}

TEST_F(cli, bingx_rate_limited_carries_the_unblock_time) {
    namespace p = exsdk::bingx::protocol;
    const std::int64_t unblock = 4102444800000; // 2100-01-01
    const std::string disabled =
        std::string(p::message::disabled_period_prefix) + std::to_string(unblock);
    const std::string error_block = std::string(p::message::error_block_prefix) + "100202" +
                                    std::string(p::message::error_block_middle) +
                                    std::to_string(unblock + 1);
    for (const auto& [msg, expected] :
         {std::pair{disabled, unblock}, std::pair{error_block, unblock + 1}}) {
        mock::fault f;
        f.exchange = "bingx";
        f.method = "POST";
        f.status = 200;
        f.body = R"({"code":100410,"msg":")" + msg + R"(","timestamp":1})";
        srv().add_fault(f);
        const auto e = single(run_bingx({"bingx", "listen-key", "generate", "--no-retry"}), "bingx",
                              "listen-key generate", false);
        EXPECT_EQ(error_code_of(e), "rate_limited");
        EXPECT_EQ(e.at("exchangeCode").as_int64(), 100410);
        EXPECT_EQ(e.at("httpStatus").as_int64(), 200);
        EXPECT_EQ(e.at("retryAfter").as_int64(), expected) << msg;
    }
    // The form without a time: retryAfter is null.
    mock::fault f;
    f.exchange = "bingx";
    f.status = 200;
    f.body = R"({"code":100410,"msg":"rate limited","timestamp":1})";
    srv().add_fault(f);
    const auto e = single(run_bingx({"bingx", "listen-key", "generate", "--no-retry"}), "bingx",
                          "listen-key generate", false);
    EXPECT_EQ(error_code_of(e), "rate_limited");
    EXPECT_TRUE(e.at("retryAfter").is_null());
}

TEST_F(cli, bingx_repeat_is_paced_by_the_limiter) {
    // The client keeps 2 starts per 1.01 s; the mock checks 2 per 0.9 s, so scheduling noise on
    // a loaded machine cannot fake a violation, while unpaced calls (5 at once) would show one.
    mock::config cfg;
    cfg.limits.bingx_uid = {2, std::chrono::milliseconds(900)};
    start_mock(std::move(cfg));
    const auto r = run_bingx({"bingx", "listen-key", "generate", "--repeat", "5"});
    EXPECT_EQ(r.exit_code, 0) << r.out;
    const auto all = results(r);
    ASSERT_EQ(all.size(), 5u);
    std::set<std::string> keys;
    for (const auto& o : all) {
        EXPECT_TRUE(o.at("ok").as_bool()) << json::serialize(o);
        EXPECT_EQ(o.at("command").as_string(), "listen-key generate");
        keys.insert(std::string(o.at("result").as_object().at("listenKey").as_string()));
    }
    EXPECT_EQ(keys.size(), 5u);
    EXPECT_EQ(count_if_journal(srv(), is_limit_violation), 0);
    EXPECT_EQ(count_if_journal(srv(), [](const auto& e) { return e.method == "POST"; }), 5)
        << "no retries were needed";
}

// Issue 14's "done when": two processes started together share BingX's 2/s UID limit through
// Redis, against the mock at the documented limits, and never draw a 100410.
TEST_F(cli, two_processes_share_the_bingx_limit_through_redis) {
    exsdk::test::redis_server redis;
    const std::vector<std::string> args{
        exsdk_path,  "bingx",      "listen-key", "generate",  "--repeat", "10",       "--redis",
        redis.url(), "--base-url", url(),        "--api-key", bingx_key,  "--secret", bingx_secret};
    exsdk::test::child_process a(args);
    exsdk::test::child_process b(args);
    for (auto r : {a.wait(), b.wait()}) {
        EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
        const auto all = results(r);
        ASSERT_EQ(all.size(), 10u) << r.out;
        for (const auto& o : all) {
            EXPECT_TRUE(o.at("ok").as_bool()) << json::serialize(o);
        }
    }
    EXPECT_EQ(count_if_journal(srv(), is_limit_violation), 0);
    EXPECT_EQ(count_if_journal(srv(), [](const auto& e) { return e.method == "POST"; }), 20)
        << "no retries were needed";
}

// The control: the same two processes without Redis each keep the limit alone and break it
// together (a 5 s window on both sides, so that start-up delays cannot hide it).
TEST_F(cli, two_processes_without_redis_break_the_limit_together) {
    mock::config cfg;
    cfg.limits.bingx_uid = {2, std::chrono::milliseconds(5000)};
    start_mock(std::move(cfg));
    const std::vector<std::string> args{
        exsdk_path, "bingx",     "listen-key",       "generate",   "--repeat",
        "2",        "--limit",   "bingx.uid=2/5000", "--no-retry", "--base-url",
        url(),      "--api-key", bingx_key,          "--secret",   bingx_secret};
    exsdk::test::child_process a(args);
    exsdk::test::child_process b(args);
    (void)a.wait();
    (void)b.wait();
    EXPECT_EQ(count_if_journal(srv(), [](const auto& e) { return e.code == 100410; }), 2);
}

TEST_F(cli, unreachable_redis_fails_calls_with_limiter_unavailable) {
    const auto r = run_bingx({"bingx", "listen-key", "generate", "--repeat", "3", "--redis",
                              "redis://:redis-password-x@127.0.0.1:1/0"});
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
    const auto all = results(r);
    ASSERT_EQ(all.size(), 3u) << r.out;
    for (const auto& o : all) {
        ASSERT_FALSE(o.at("ok").as_bool());
        EXPECT_EQ(error_code_of(o.at("error").as_object()), "limiter_unavailable");
    }
    EXPECT_EQ(r.out.find("redis-password-x"), std::string::npos);
    EXPECT_EQ(r.err.find("redis-password-x"), std::string::npos);
    EXPECT_EQ(count_if_journal(srv(), [](const auto& e) { return e.method == "POST"; }), 0)
        << "nothing is sent when the limits cannot be checked";
}

TEST_F(cli, bingx_server_time_and_repeat_of_public_calls) {
    const auto r = run({"bingx", "server-time", "--repeat", "3"});
    EXPECT_EQ(r.exit_code, 0);
    const auto all = results(r);
    ASSERT_EQ(all.size(), 3u);
    for (const auto& o : all) {
        EXPECT_TRUE(o.at("ok").as_bool());
        EXPECT_GT(o.at("result").as_object().at("serverTime").as_int64(), 0);
    }
}

TEST_F(cli, mixed_results_exit_1_with_one_line_each) {
    mock::fault f;
    f.exchange = "woox";
    f.path = std::string(exsdk::woox::protocol::system_info_path);
    f.status = 500;
    f.body = R"({"success":false,"code":-1000,"message":"internal error"})";
    srv().add_fault(f);
    const auto r = run({"woox", "server-time", "--repeat", "3", "--no-retry"});
    EXPECT_EQ(r.exit_code, 1);
    const auto all = results(r);
    ASSERT_EQ(all.size(), 3u);
    EXPECT_EQ(
        std::count_if(all.begin(), all.end(), [](const auto& o) { return o.at("ok").as_bool(); }),
        2);
}

// --- credentials from the environment ---------------------------------------------------------

TEST_F(cli, credentials_from_environment) {
    const std::map<std::string, std::string> woox_env{{"EXSDK_WOOX_API_KEY", woox_key},
                                                      {"EXSDK_WOOX_SECRET", woox_secret}};
    single(run({"woox", "listen-key", "create"}, woox_env), "woox", "listen-key create", true);
    const std::map<std::string, std::string> bingx_env{{"EXSDK_BINGX_API_KEY", bingx_key},
                                                       {"EXSDK_BINGX_SECRET", bingx_secret}};
    single(run({"bingx", "listen-key", "generate"}, bingx_env), "bingx", "listen-key generate",
           true);
    // The other exchange's variables do not count.
    const auto r = run({"bingx", "listen-key", "generate"}, woox_env);
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("EXSDK_BINGX_API_KEY"), std::string::npos);
}

TEST_F(cli, flags_win_over_environment) {
    // Bad environment, good flags: succeeds.
    single(run_woox({"woox", "api-keys"}), "woox", "api-keys", true);
    const std::map<std::string, std::string> bad_env{{"EXSDK_WOOX_API_KEY", "NoSuchKey=="},
                                                     {"EXSDK_WOOX_SECRET", wrong_secret}};
    single(run({"woox", "api-keys", "--api-key", woox_key, "--secret", woox_secret}, bad_env),
           "woox", "api-keys", true);
    // Good environment, wrong secret flag: the flag is used.
    const std::map<std::string, std::string> good_env{{"EXSDK_WOOX_API_KEY", woox_key},
                                                      {"EXSDK_WOOX_SECRET", woox_secret}};
    const auto e = single(run({"woox", "api-keys", "--secret", wrong_secret}, good_env), "woox",
                          "api-keys", false);
    EXPECT_EQ(error_code_of(e), "invalid_signature");
}

// --- transport: TLS, timeouts, SIGINT ---------------------------------------------------------

TEST_F(cli, tls_with_ca_file) {
    mock::config cfg;
    cfg.tls = true;
    start_mock(std::move(cfg));
    ASSERT_TRUE(url().starts_with("https://"));
    const auto ca = std::filesystem::temp_directory_path() /
                    ("exsdk-cli-test-ca-" + std::to_string(::getpid()) + ".pem");
    {
        std::ofstream out(ca);
        out << srv().ca_pem();
    }
    single(run({"woox", "server-time", "--ca-file", ca.string()}), "woox", "server-time", true);
    single(run_bingx({"bingx", "listen-key", "generate", "--ca-file", ca.string()}), "bingx",
           "listen-key generate", true);
    // Without the CA the certificate is not trusted.
    const auto e = single(run({"woox", "server-time", "--no-retry"}), "woox", "server-time", false);
    EXPECT_EQ(error_code_of(e), "network");
    std::filesystem::remove(ca);

    const auto r = run({"woox", "server-time", "--ca-file", "/nonexistent/ca.pem"});
    EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
    EXPECT_EQ(split_lines(r.err).size(), 1u) << r.err;
}

// A TCP listener on 127.0.0.1 that reads one request and never answers.
class silent_server {
public:
    silent_server() {
        fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        a.sin_port = 0;
        if (::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(fd_, 8) != 0) {
            throw std::runtime_error("bind/listen failed");
        }
        socklen_t len = sizeof a;
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
        port_ = ntohs(a.sin_port);
    }
    ~silent_server() {
        if (conn_ >= 0) {
            ::close(conn_);
        }
        ::close(fd_);
    }
    std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

    /// Accepts one connection and reads until the end of the request headers.
    std::string read_request() {
        conn_ = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
        std::string req;
        char buf[1024];
        while (req.find("\r\n\r\n") == std::string::npos) {
            const auto n = ::read(conn_, buf, sizeof buf);
            if (n <= 0) {
                break;
            }
            req.append(buf, static_cast<std::size_t>(n));
        }
        return req;
    }

private:
    int fd_ = -1;
    int conn_ = -1;
    std::uint16_t port_ = 0;
};

TEST_F(cli, timeout_ms_bounds_a_request) {
    silent_server s;
    exsdk::test::child_process child({exsdk_path, "woox", "server-time", "--base-url", s.url(),
                                      "--timeout-ms", "200", "--no-retry"});
    EXPECT_NE(s.read_request().find("GET /v3/public/systemInfo"), std::string::npos);
    const auto r = child.wait();
    const auto e = single(r, "woox", "server-time", false);
    EXPECT_EQ(error_code_of(e), "timeout");
    EXPECT_EQ(e.at("httpStatus").as_int64(), 0);
}

TEST_F(cli, sigint_cancels_calls_in_flight) {
    silent_server s;
    exsdk::test::child_process child(
        {exsdk_path, "bingx", "server-time", "--base-url", s.url(), "--no-retry"});
    EXPECT_NE(s.read_request().find("GET /openApi/swap/v2/server/time"), std::string::npos);
    child.signal(SIGINT);
    const auto r = child.wait();
    EXPECT_EQ(r.term_signal, 0) << "exited, not killed by the signal";
    const auto e = single(r, "bingx", "server-time", false);
    EXPECT_EQ(error_code_of(e), "cancelled");
}

// --- stream commands ---------------------------------------------------------------------------

// Reads the child's next stdout line as a JSON object (an empty object at end of output).
json::object next_line(exsdk::test::child_process& child) {
    auto line = child.read_stdout_line();
    if (!line) {
        ADD_FAILURE() << "the stream command ended early";
        return {};
    }
    json::error_code ec;
    auto v = json::parse(*line, ec);
    EXPECT_FALSE(ec) << *line;
    return !ec && v.is_object() ? v.as_object() : json::object{};
}

TEST_F(cli, woox_stream_prints_each_event_until_sigint) {
    exsdk::test::child_process child({exsdk_path, "woox", "stream", "--base-url", url(), "--topics",
                                      "balance,executionreport", "--api-key", woox_key, "--secret",
                                      woox_secret});
    // "connected" comes after the subscription was acknowledged: a push now reaches the socket.
    auto connected = next_line(child);
    EXPECT_EQ(connected["status"], "connected");
    EXPECT_EQ(connected["command"], "stream");
    mock::stream_push p;
    p.exchange = "woox";
    p.api_key = woox_key;
    p.topic = "balance";
    p.data = R"({"balances":[{"t":"USDT","h":"12.5","f":"0"}]})";
    ASSERT_EQ(srv().push_event(p), 1u);
    auto event = next_line(child);
    EXPECT_EQ(event["status"], "event");
    EXPECT_EQ(event["eventType"], "balance"); // one field name on both exchanges
    EXPECT_FALSE(event.contains("topic"));
    EXPECT_EQ(event.at("event").at("data").at("balances").at(0).at("h"), "12.5");
    child.signal(SIGINT);
    const auto r = child.wait();
    expect_no_secret(r);
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    const auto rest = results(r);
    ASSERT_FALSE(rest.empty());
    const auto& last = rest.back();
    EXPECT_EQ(last.at("ok"), true);
    EXPECT_EQ(last.at("result").at("stopped"), true);
    EXPECT_EQ(last.at("result").at("events"), 1);
    EXPECT_EQ(last.at("result").at("connects"), 1);
}

TEST_F(cli, bingx_stream_deletes_its_key_when_interrupted) {
    exsdk::test::child_process child({exsdk_path, "bingx", "stream", "--market", "swap",
                                      "--base-url", url(), "--api-key", bingx_key, "--secret",
                                      bingx_secret});
    EXPECT_EQ(next_line(child)["status"], "connected");
    mock::stream_push p;
    p.exchange = "bingx";
    p.api_key = bingx_key;
    p.topic = "ORDER_TRADE_UPDATE";
    p.data = R"({"o":{"s":"LINK-USDT","i":77,"X":"FILLED"}})";
    ASSERT_EQ(srv().push_event(p), 1u);
    auto event = next_line(child);
    EXPECT_EQ(event["eventType"], "ORDER_TRADE_UPDATE");
    EXPECT_FALSE(event.contains("type"));
    EXPECT_EQ(event.at("event").at("o").at("i"), 77);
    ASSERT_EQ(srv().listen_keys().size(), 1u);
    child.signal(SIGINT);
    const auto r = child.wait();
    expect_no_secret(r);
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_EQ(results(r).back().at("result").at("stopped"), true);
    EXPECT_TRUE(srv().listen_keys().empty()); // DELETE on the way out
}

TEST_F(cli, stream_with_unusable_credentials_ends_with_an_error) {
    const auto r = run({"woox", "stream", "--api-key", "NoSuchKey==", "--secret", wrong_secret});
    EXPECT_EQ(error_code_of(single(r, "woox", "stream", false)), "unauthorized");
}

// --- issue 10: error context, verbose, version, progress, messages -----------------------------

// A proxy in front of BingX answers 404 with its own page: not the exchange saying the key is
// gone, and the JSON says which call, where, how many attempts, and that the answer was not the
// exchange's.
TEST_F(cli, a_proxy_404_page_is_unexpected_response_with_the_call_context) {
    srv().add_fault({"bingx", "PUT", "", mock::fault::action::respond, 404,
                     "<html><head><title>404 Not Found</title></head><body>nginx</body></html>",
                     std::chrono::milliseconds(0), 1});
    const auto e = single(run_bingx({"bingx", "listen-key", "extend", unknown_listen_key}), "bingx",
                          "listen-key extend", false);
    EXPECT_EQ(error_code_of(e), "unexpected_response");
    EXPECT_EQ(e.at("httpStatus").as_int64(), 404);
    EXPECT_NE(e.at("message").as_string().find("404 Not Found"), json::string::npos)
        << e.at("message");
    EXPECT_EQ(e.at("operation"), "bingx.extend_listen_key");
    EXPECT_EQ(e.at("method"), "PUT");
    EXPECT_EQ(e.at("path").as_string(),
              "/openApi/user/auth/userDataStream?listenKey=" + unknown_listen_key);
    EXPECT_EQ(e.at("attempts").to_number<std::int64_t>(), 1);
    EXPECT_EQ(e.at("exchangeAnswer"), false);
    // The exchange's own 404 says so.
    const auto own = single(run_bingx({"bingx", "listen-key", "extend", unknown_listen_key}),
                            "bingx", "listen-key extend", false);
    EXPECT_EQ(error_code_of(own), "not_found");
    EXPECT_EQ(own.at("exchangeAnswer"), true);
}

TEST_F(cli, version_is_the_projects) {
    for (std::vector<std::string> args :
         {std::vector<std::string>{"--version"}, std::vector<std::string>{"woox", "--version"}}) {
        const auto r = run_raw(args);
        EXPECT_EQ(r.exit_code, 0);
        EXPECT_EQ(r.out, std::string("exsdk ") + EXSDK_PROJECT_VERSION + "\n");
        EXPECT_EQ(r.err, "");
    }
    EXPECT_NE(run_raw({"--help"}).out.find("--version"), std::string::npos);
}

// -v/--verbose: the SDK's log events on stderr, one line each ("TIME LEVEL SOURCE NAME k=v..."),
// never a secret, a signature or the API key; stdout unchanged. Without it stderr stays empty.
TEST_F(cli, verbose_writes_the_sdks_events_to_stderr_one_line_each) {
    // Several processes, each with its own limiter, one after the other: the mock's limits off.
    mock::config cfg;
    cfg.limits.enabled = false;
    start_mock(cfg);
    srv().add_fault({"bingx", "POST", "", mock::fault::action::respond, 503,
                     "<html><title>503 Service Unavailable</title></html>",
                     std::chrono::milliseconds(0), 1});
    for (const char* flag : {"-v", "--verbose"}) {
        const auto r = run_bingx({"bingx", "listen-key", "generate", flag});
        EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
        ASSERT_EQ(results(r).size(), 1u) << r.out;
        const auto lines = split_lines(r.err);
        ASSERT_GE(lines.size(), 2u) << r.err;
        std::set<std::string> names;
        for (const auto& line : lines) {
            // "2026-11-27T15:00:00.000Z debug bingx.client request.sent operation=..."
            std::istringstream in(line);
            std::string time, level, source, name;
            in >> time >> level >> source >> name;
            EXPECT_EQ(time.size(), 24u) << line;
            EXPECT_TRUE(time.ends_with("Z")) << line;
            EXPECT_TRUE(level == "debug" || level == "info" || level == "warn") << line;
            EXPECT_EQ(source, "bingx.client") << line;
            names.insert(name);
            EXPECT_EQ(line.find(bingx_key), std::string::npos) << line;
            EXPECT_EQ(line.find("signature"), std::string::npos) << line;
        }
        EXPECT_TRUE(names.count("request.sent") == 1 && names.count("request.answered") == 1)
            << r.err;
        if (std::string(flag) == "-v") {
            EXPECT_EQ(names.count("retry"), 1u) << r.err; // the 503 page, retried
        }
    }
    const auto quiet = run_bingx({"bingx", "listen-key", "generate"});
    EXPECT_EQ(quiet.err, "");
}

// Canary: a wrong secret and a retried proxy page, verbose: neither secret nor any signature the
// exchange received appears on stdout or stderr.
TEST_F(cli, verbose_failures_print_no_secret_and_no_signature) {
    srv().add_fault({"bingx", "", "", mock::fault::action::respond, 502,
                     "Bad gateway: PUT /openApi/user/auth/userDataStream?signature=0123abcd",
                     std::chrono::milliseconds(0), 2});
    std::vector<process_result> runs;
    runs.push_back(run({"bingx", "listen-key", "generate", "-v", "--api-key", bingx_key, "--secret",
                        wrong_secret}));
    runs.push_back(run_bingx({"bingx", "listen-key", "extend", unknown_listen_key, "-v"}));
    runs.push_back(run(
        {"woox", "listen-key", "create", "-v", "--api-key", woox_key, "--secret", wrong_secret}));
    std::vector<std::string> signatures;
    for (const auto& e : srv().journal()) {
        if (const auto at = e.target.find("signature="); at != std::string::npos) {
            signatures.push_back(e.target.substr(at + 10));
        }
    }
    ASSERT_FALSE(signatures.empty());
    for (const auto& r : runs) {
        EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
        EXPECT_FALSE(r.err.empty());
        for (const auto& sig : signatures) {
            EXPECT_EQ(r.out.find(sig), std::string::npos) << r.out;
            EXPECT_EQ(r.err.find(sig), std::string::npos) << r.err;
        }
        for (const auto* text : {&r.out, &r.err}) {
            for (auto at = text->find("signature="); at != std::string::npos;
                 at = text->find("signature=", at + 1)) {
                EXPECT_EQ(text->substr(at + 10, 3), "***") << *text;
            }
        }
    }
}

// --repeat shows progress on stderr only when stderr is a terminal: done/total, and who waits on
// the rate limiter until when. In a pipe (scripts, these other tests) stderr stays empty.
TEST_F(cli, repeat_shows_progress_only_on_a_terminal) {
    // Two processes, each with its own limiter (which paces them): the mock's limits off.
    mock::config cfg;
    cfg.limits.enabled = false;
    start_mock(cfg);
    const std::vector<std::string> args{exsdk_path,  "bingx",   "listen-key", "generate",
                                        "--repeat",  "4",       "--base-url", url(),
                                        "--api-key", bingx_key, "--secret",   bingx_secret};
    const auto tty = exsdk::test::run_process(args, {}, true);
    expect_no_secret(tty);
    EXPECT_EQ(tty.exit_code, 0) << tty.out << tty.err;
    EXPECT_EQ(results(tty).size(), 4u);
    EXPECT_NE(tty.err.find("exsdk: 4/4 done"), std::string::npos) << tty.err;
    // BingX allows 2 calls a second: when the first call is done, two wait on the limiter.
    EXPECT_NE(tty.err.find(" waiting on the rate limiter until "), std::string::npos) << tty.err;
    const auto piped = exsdk::test::run_process(args);
    EXPECT_EQ(piped.exit_code, 0);
    EXPECT_EQ(results(piped).size(), 4u);
    EXPECT_EQ(piped.err, "");
}

// "--base-url 127.0.0.1:1" said "is not an absolute URL: mismatch".
TEST_F(cli, a_base_url_without_a_scheme_says_how_to_write_it) {
    const auto r = run_raw({"woox", "server-time", "--base-url", "127.0.0.1:1"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(r.out, "");
    EXPECT_EQ(r.err, "exsdk: base URL '127.0.0.1:1' has no scheme: write http://127.0.0.1:1 or "
                     "https://127.0.0.1:1\n");
}

} // namespace

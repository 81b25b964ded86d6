// The mock_exchange program, spawned as a child process: first line, --help, flags, bad flags
// (exit 2), secrets never printed for loaded files, TLS with --ca-out, SIGTERM/SIGINT graceful
// exit 0. The binary's path comes from the build (MOCK_EXCHANGE_BINARY).
#include "support.hpp"
#include "ws_client.hpp"

#include <csignal>
#include <cstdio>
#include <fcntl.h>
#include <fstream>
#include <spawn.h>
#include <sstream>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace mocktest {
namespace {

struct child {
    pid_t pid = -1;
    int out = -1;
    int err = -1;

    child() = default;
    child(const child&) = delete;
    child& operator=(const child&) = delete;
    ~child() {
        if (pid > 0) {
            ::kill(pid, SIGKILL);
            int st = 0;
            ::waitpid(pid, &st, 0);
        }
        if (out >= 0) {
            ::close(out);
        }
        if (err >= 0) {
            ::close(err);
        }
    }

    /// Blocking: one line of stdout without the newline ("" at EOF).
    std::string line() {
        std::string s;
        char c;
        while (::read(out, &c, 1) == 1 && c != '\n') {
            s.push_back(c);
        }
        return s;
    }
    static std::string drain(int fd) {
        std::string s;
        char buf[4096];
        ssize_t n;
        while ((n = ::read(fd, buf, sizeof buf)) > 0) {
            s.append(buf, static_cast<std::size_t>(n));
        }
        return s;
    }
    /// Waits for the exit; returns the exit code (or 128 + signal).
    int wait() {
        int st = 0;
        ::waitpid(pid, &st, 0);
        pid = -1;
        return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    }
};

std::unique_ptr<child> spawn(std::vector<std::string> args) {
    args.insert(args.begin(), MOCK_EXCHANGE_BINARY);
    int out[2];
    int err[2];
    if (::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0) {
        ADD_FAILURE() << "pipe";
        return nullptr;
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, out[1], 1);
    posix_spawn_file_actions_adddup2(&fa, err[1], 2);
    std::vector<char*> argv;
    for (auto& a : args) {
        argv.push_back(a.data());
    }
    argv.push_back(nullptr);
    auto c = std::make_unique<child>();
    const int rc = posix_spawn(&c->pid, argv[0], &fa, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    ::close(out[1]);
    ::close(err[1]);
    c->out = out[0];
    c->err = err[0];
    EXPECT_EQ(rc, 0) << "posix_spawn " << argv[0];
    return c;
}

/// Runs to completion: (exit code, stdout, stderr).
std::tuple<int, std::string, std::string> run(std::vector<std::string> args) {
    auto c = spawn(std::move(args));
    auto out = child::drain(c->out);
    auto err = child::drain(c->err);
    return {c->wait(), out, err};
}

std::uint16_t port_of(const std::string& first_line, std::string_view scheme) {
    const std::string prefix = "listening on " + std::string(scheme) + "://127.0.0.1:";
    EXPECT_EQ(first_line.substr(0, prefix.size()), prefix) << first_line;
    return static_cast<std::uint16_t>(std::stoi(first_line.substr(prefix.size())));
}

std::string temp_file(const std::string& name, const std::string& content) {
    const auto path = ::testing::TempDir() + name;
    std::ofstream(path) << content;
    return path;
}

TEST(program, help_lists_every_flag) {
    auto [code, out, err] = run({"--help"});
    EXPECT_EQ(code, 0);
    for (const char* flag : {"--listen",
                             "--tls",
                             "--ca-out",
                             "--accounts",
                             "--clock",
                             "--ts-window-ms",
                             "--recv-window-ms",
                             "--recv-future-ms",
                             "--no-rate-limits",
                             "--limit",
                             "--bingx-uid-shared",
                             "--disabled-period-ms",
                             "--error-threshold",
                             "--error-window-ms",
                             "--error-history",
                             "--bingx-keys-per-uid",
                             "--stream-max-queued",
                             "--no-admin",
                             "--max-body-bytes",
                             "--max-header-bytes",
                             "--idle-timeout-ms",
                             "--header-timeout-ms",
                             "--body-timeout-ms",
                             "--write-timeout-ms",
                             "--close-timeout-ms",
                             "--max-connections",
                             "--woox-streams-per-ip",
                             "--bingx-streams-per-ip",
                             "--journal-capacity",
                             "--journal-max-bytes",
                             "--seed",
                             "--log-requests",
                             "--version",
                             "--help"}) {
        EXPECT_NE(out.find(flag), std::string::npos) << flag;
    }
}

TEST(program, bad_flags_exit_2_with_a_message) {
    for (std::vector<std::string> args :
         std::vector<std::vector<std::string>>{{"--bogus"},
                                               {"--listen", "nope"},
                                               {"--listen", "127.0.0.1:70000"},
                                               {"--listen"},
                                               {"--clock", "manual:abc"},
                                               {"--clock", "manual:-1"},
                                               {"--clock", "manual:9223372036854775807"},
                                               {"--clock", "sundial"},
                                               {"--limit", "woox.nope=1/1"},
                                               {"--limit", "bingx.uid=2"},
                                               {"--ts-window-ms", "-5"},
                                               {"--max-body-bytes", "0"},
                                               {"--bingx-keys-per-uid", "0"},
                                               {"--ca-out", "x.pem"},
                                               {"--tls=yes"},
                                               {"--accounts", "/nonexistent/accounts.json"}}) {
        auto [code, out, err] = run(args);
        EXPECT_EQ(code, 2) << args[0];
        EXPECT_NE(err.find("mock_exchange: "), std::string::npos) << err;
        EXPECT_TRUE(out.empty()) << out;
    }
    auto [code, out, err] = run({"--bogus"});
    EXPECT_NE(err.find("unknown option \"--bogus\""), std::string::npos) << err;
}

TEST(program, an_invalid_accounts_file_exits_2_naming_the_field) {
    const auto path = temp_file("mock_bad_accounts.json", R"({"woox":[{"userId":"x"}]})");
    auto [code, out, err] = run({"--accounts", path});
    EXPECT_EQ(code, 2);
    EXPECT_NE(err.find("woox[0].userId"), std::string::npos) << err;
}

TEST(program, serves_prints_demo_accounts_and_exits_0_on_sigterm) {
    auto c = spawn({"--listen", "127.0.0.1:0", "--clock", "manual:1700000000000"});
    const auto port = port_of(c->line(), "http");
    EXPECT_EQ(c->line(), "demo accounts (public demo values):");
    const auto accounts = c->line() + c->line();
    EXPECT_NE(accounts.find(std::string(demo::woox_secret)), std::string::npos) << accounts;
    http_client h("127.0.0.1", port);
    auto r = h.request("GET", "/__admin/clock");
    EXPECT_EQ(parse_json(r.body).at("now_ms").as_int64(), 1700000000000);
    EXPECT_EQ(h.request("GET", "/v3/public/systemInfo").status, 200u);
    ::kill(c->pid, SIGTERM);
    EXPECT_EQ(c->wait(), 0);
    EXPECT_TRUE(h.wait_closed()); // the open keep-alive connection was closed
}

TEST(program, sigint_is_graceful_too) {
    auto c = spawn({});
    const auto port = port_of(c->line(), "http");
    http_client h("127.0.0.1", port);
    EXPECT_EQ(h.request("GET", "/openApi/swap/v2/server/time").status, 200u);
    ::kill(c->pid, SIGINT);
    EXPECT_EQ(c->wait(), 0);
}

TEST(program, secrets_of_a_loaded_file_are_never_printed_or_logged) {
    const auto path = temp_file("mock_accounts.json", R"({"bingx":[{"uid":5,"apiKeys":[
        {"apiKey":"file-key","secret":"FILE-SECRET-VALUE","permissions":["READ"]}]}]})");
    auto c = spawn({"--accounts", path, "--log-requests"});
    const auto port = port_of(c->line(), "http");
    http_client h("127.0.0.1", port);
    auto params = bingx_signed("FILE-SECRET-VALUE",
                               "timestamp=" + std::to_string(exsdk::system_clock()->wall_ms()));
    auto r = h.request("POST", "/openApi/user/auth/userDataStream?" + params,
                       {{"X-BX-APIKEY", "file-key"}});
    EXPECT_EQ(r.status, 200u);
    EXPECT_NE(r.body.find("listenKey"), std::string::npos) << r.body;
    h.request("GET", "/__admin/accounts");
    ::kill(c->pid, SIGTERM);
    EXPECT_EQ(c->wait(), 0);
    const auto out = child::drain(c->out);
    const auto err = child::drain(c->err);
    EXPECT_NE(out.find("file-key"), std::string::npos) << out;
    EXPECT_EQ(out.find("FILE-SECRET-VALUE"), std::string::npos) << out;
    EXPECT_EQ(err.find("FILE-SECRET-VALUE"), std::string::npos) << err;
    EXPECT_NE(err.find("POST /openApi/user/auth/userDataStream"), std::string::npos) << err;
}

TEST(program, streams_their_limit_flag_and_log_lines) {
    auto c = spawn({"--log-requests", "--bingx-streams-per-ip", "1"});
    const auto port = port_of(c->line(), "http");
    http_client h("127.0.0.1", port);
    auto r = h.request("POST", "/openApi/user/auth/userDataStream",
                       {{"X-BX-APIKEY", std::string(demo::bingx_key)}});
    ASSERT_EQ(r.status, 200u) << r.body;
    const std::string key(parse_json(r.body).at("listenKey").as_string());
    ws_client a(port);
    ASSERT_TRUE(a.connect("/swap-market?listenKey=" + key));
    ws_client b(port);
    EXPECT_FALSE(b.connect("/market?listenKey=" + key));
    EXPECT_EQ(b.status(), 429u);
    r = h.request("POST", "/__admin/events", {},
                  R"({"exchange":"bingx","accountId":1001,"topic":"ORDER_TRADE_UPDATE"})");
    EXPECT_EQ(r.body, R"({"delivered":1})");
    auto ev = a.next();
    EXPECT_TRUE(ev.gzip);
    EXPECT_EQ(parse_json(ev.data).at("e").as_string(), "ORDER_TRADE_UPDATE");
    EXPECT_EQ(h.request("POST", "/__admin/streams/drop").body, R"({"dropped":1})");
    EXPECT_EQ(a.next().what, ws_event::kind::error);
    ::kill(c->pid, SIGTERM);
    EXPECT_EQ(c->wait(), 0);
    const auto err = child::drain(c->err);
    EXPECT_NE(err.find("bingx stream_connect GET /swap-market?listenKey=" + key +
                       " key=" + std::string(demo::bingx_key) + " -> 101"),
              std::string::npos)
        << err;
    EXPECT_NE(err.find("stream_connect GET /market?listenKey=" + key + " key=- -> 429"),
              std::string::npos)
        << err;
    EXPECT_NE(err.find("stream_close server /swap-market?listenKey=" + key), std::string::npos)
        << err;
    EXPECT_NE(err.find("code=1006 fault=drop"), std::string::npos) << err;
}

TEST(program, tls_with_ca_out) {
    const auto ca_path = ::testing::TempDir() + "mock_program_ca.pem";
    std::remove(ca_path.c_str());
    auto c = spawn({"--tls", "--ca-out", ca_path});
    const auto port = port_of(c->line(), "https");
    std::stringstream ss;
    ss << std::ifstream(ca_path).rdbuf();
    ASSERT_NE(ss.str().find("BEGIN CERTIFICATE"), std::string::npos);
    client_options o;
    o.tls = true;
    o.ca_pem = ss.str();
    http_client h("127.0.0.1", port, o);
    EXPECT_EQ(h.request("GET", "/v3/public/systemInfo").status, 200u);
    ::kill(c->pid, SIGTERM);
    EXPECT_EQ(c->wait(), 0);
    std::remove(ca_path.c_str());
}

TEST(program, flags_reach_the_server) {
    auto c = spawn({"--no-admin", "--limit", "woox.listen_key=1/10000", "--clock",
                    "manual:1700000000000", "--max-body-bytes", "100"});
    const auto port = port_of(c->line(), "http");
    http_client h("127.0.0.1", port);
    EXPECT_EQ(h.request("GET", "/__admin/health").status, 404u);
    const std::string body = R"({"type":"WEBSOCKET"})";
    auto post = [&] {
        return h.request("POST", "/v3/account/listenKey",
                         woox_headers(demo::woox_key, demo::woox_secret, 1700000000000, "POST",
                                      "/v3/account/listenKey", body),
                         body);
    };
    EXPECT_EQ(post().status, 200u);
    EXPECT_EQ(post().status, 429u);
    EXPECT_EQ(h.request("POST", "/v3/x", {}, std::string(101, 'x')).status, 413u);
    ::kill(c->pid, SIGTERM);
    EXPECT_EQ(c->wait(), 0);

    auto d = spawn({"--no-rate-limits", "--clock=manual:1700000000000"});
    http_client h2("127.0.0.1", port_of(d->line(), "http"));
    for (int i = 0; i < 10; ++i) {
        EXPECT_EQ(h2.request("POST", "/v3/account/listenKey",
                             woox_headers(demo::woox_key, demo::woox_secret, 1700000000000, "POST",
                                          "/v3/account/listenKey", body),
                             body)
                      .status,
                  200u);
    }
    ::kill(d->pid, SIGTERM);
    EXPECT_EQ(d->wait(), 0);
}

// One clear line: what failed, where, why (once, not "Address already in use: Address already
// in use"), and what to do.
TEST(program, address_in_use_exits_1_with_one_clear_line) {
    auto c = spawn({});
    const auto port = port_of(c->line(), "http");
    const std::string where = "127.0.0.1:" + std::to_string(port);
    auto [code, out, err] = run({"--listen", where});
    EXPECT_EQ(code, 1);
    EXPECT_EQ(err, "mock_exchange: mock server: cannot listen on " + where +
                       " (bind): Address already in use (another process listens on that port: "
                       "choose another with --listen HOST:PORT, or port 0 for a free one)\n");
    ::kill(c->pid, SIGTERM);
    EXPECT_EQ(c->wait(), 0);
}

TEST(program, version_is_the_projects) {
    auto [code, out, err] = run({"--version"});
    EXPECT_EQ(code, 0);
    EXPECT_EQ(out, std::string("mock_exchange ") + EXSDK_PROJECT_VERSION + "\n");
    EXPECT_EQ(err, "");
}

} // namespace
} // namespace mocktest

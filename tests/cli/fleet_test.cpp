// The fleet test (issue 14): 4 `exsdk` processes x 250 calls on one BingX UID and 4 x 250 on one
// WOO X account, at once, against one `mock_exchange` program with its limits on, sharing their
// limits through one redis-server. All real processes and sockets.
//
// Scaled: 50 calls per 500 ms for the clients (--limit), so that 1000 calls per exchange take
// about 10 s instead of hours at the documented limits. The mock counts the same 50 in 400 ms:
// the exchange measures arrivals, which trail the reserved starts by the processes' scheduling
// and the queueing of each burst (a few ms, tens of ms on a loaded 2-core machine), and the
// clients' 1 % margin (5 ms) is too thin for that; so the clients accept up to 50 ms of
// lateness (--redis-max-lateness 50: a call later than that queues again) and the mock's window
// is 100 ms shorter: the lateness plus up to 50 ms between the go and the arrival (a process
// descheduled after its go, the first call's TCP connect; a CI run with another build on the
// same 2 cores once showed a first burst 55 ms late and the next on time, 100 calls in 450 ms). The
// short run uses the documented limits on the clients, the same 10 % allowance on both sides.
//
// Checked from the mock's journal: no 100410 / -1003 answer, no window of the mock's length with
// more than its limit of calls, and the achieved rate in steady state (up to the median call,
// see achieved_fraction) at least 95 % of the clients' limit. Then the same with Redis killed
// halfway: `fail` ends the remaining calls with limiter_unavailable and nothing more reaches the
// mock; `--redis-fallback 1/4` finishes every call at a quarter of the limit per process. Each test
// prints its figures.
#include "support/process.hpp"
#include "support/redis_server.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <map>
#include <memory>
#include <poll.h>
#include <sstream>
#include <string>
#include <vector>

namespace {

namespace json = boost::json;
namespace http = boost::beast::http;
using exsdk::test::child_process;
using exsdk::test::process_result;

const std::string exsdk_path = EXSDK_CLI_PATH;
const std::string mock_path = MOCK_EXCHANGE_BINARY;

const std::string woox_key = "AbmyVJGUpN064ks5ELjLfA==";
const std::string woox_secret = "QHKRXHPAW1MC9YGZMAT8YDJG2HPR";
const std::string bingx_key = "bingx-demo-api-key-0001";
const std::string bingx_secret =
    "mheO6dR8ovSsxZQCOYEFCtelpuxcWGTfHw7te326y6jOwq5WpvFQ9JNljoTwBXZGv5It07m9RXSPpDQEK2w";

constexpr int processes = 4;
constexpr int calls = 250;

// The mock_exchange program, started with `flags`; stopped (SIGTERM) at the end.
class mock_program {
public:
    explicit mock_program(const std::vector<std::string>& flags) {
        std::vector<std::string> argv{mock_path, "--listen", "127.0.0.1:0"};
        argv.insert(argv.end(), flags.begin(), flags.end());
        proc_ = std::make_unique<child_process>(argv);
        const auto line = proc_->read_stdout_line();
        if (!line || !line->starts_with("listening on ")) {
            throw std::runtime_error("mock_exchange did not start: " + line.value_or(""));
        }
        url_ = line->substr(13);
        port_ = static_cast<unsigned short>(std::stoi(url_.substr(url_.rfind(':') + 1)));
    }
    ~mock_program() {
        proc_->signal(SIGTERM);
        (void)proc_->wait();
    }
    const std::string& url() const { return url_; }

    /// GET /__admin/journal: every request the mock answered.
    json::array journal() const {
        boost::asio::io_context ioc;
        boost::asio::ip::tcp::socket s(ioc);
        s.connect({boost::asio::ip::make_address("127.0.0.1"), port_});
        http::request<http::empty_body> req{http::verb::get, "/__admin/journal", 11};
        req.set(http::field::host, "127.0.0.1");
        http::write(s, req);
        boost::beast::flat_buffer buf;
        http::response_parser<http::string_body> parser;
        parser.body_limit(64 << 20);
        http::read(s, buf, parser);
        return json::parse(parser.get().body()).as_object().at("entries").as_array();
    }

private:
    std::unique_ptr<child_process> proc_;
    std::string url_;
    unsigned short port_ = 0;
};

struct exchange_run {
    std::string name; ///< "bingx" / "woox"
    std::vector<std::string> command;
    std::string client_limits; ///< --limit value ("" for the documented limits)
    std::size_t limit_n = 0;   ///< the clients' limit
    std::int64_t limit_ms = 0;
    std::size_t mock_n = 0; ///< the mock's window, checked in the journal
    std::int64_t mock_ms = 0;
    std::int64_t limit_code = 0; ///< 100410 or -1003
    std::vector<std::string> client_flags = {};
};

struct process_outcome {
    int exit_code = -1;
    std::map<std::string, int> results; ///< "ok" or the error code -> count
};

process_outcome outcome_of(const process_result& r, std::vector<std::string> lines_read = {}) {
    process_outcome o;
    o.exit_code = r.exit_code;
    std::istringstream in(r.out);
    for (std::string line; std::getline(in, line);) {
        lines_read.push_back(line);
    }
    for (const auto& line : lines_read) {
        const auto v = json::parse(line).as_object();
        if (v.at("ok").as_bool()) {
            ++o.results["ok"];
        } else {
            ++o.results[std::string(v.at("error").as_object().at("code").as_string())];
        }
    }
    return o;
}

std::vector<std::string> cli_args(const exchange_run& x, const std::string& mock_url,
                                  const std::string& redis_url, int n,
                                  const std::vector<std::string>& extra) {
    std::vector<std::string> a{exsdk_path};
    a.insert(a.end(), x.command.begin(), x.command.end());
    a.insert(a.end(),
             {"--repeat", std::to_string(n), "--base-url", mock_url, "--redis", redis_url});
    if (!x.client_limits.empty()) {
        a.insert(a.end(), {"--limit", x.client_limits});
    }
    a.insert(a.end(), x.client_flags.begin(), x.client_flags.end());
    if (x.name == "bingx") {
        a.insert(a.end(), {"--api-key", bingx_key, "--secret", bingx_secret});
    } else {
        a.insert(a.end(), {"--api-key", woox_key, "--secret", woox_secret});
    }
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
}

struct journal_view {
    std::vector<std::int64_t> ok_times; ///< arrival (ms) of each successful authenticated POST
    std::size_t posts = 0;
    std::size_t limit_answers = 0;        ///< 100410 / -1003
    std::size_t max_in_window = 0;        ///< most POSTs within any window of the mock's length
    std::size_t max_in_client_window = 0; ///< ... within the clients' window (informational)
};

// The most calls in any window (t - ms, t]; `where` gets the window's first call's index.
std::size_t max_in_any_window(const std::vector<std::int64_t>& sorted, std::int64_t ms,
                              std::size_t* where = nullptr) {
    std::size_t best = 0;
    std::size_t lo = 0;
    for (std::size_t hi = 0; hi < sorted.size(); ++hi) {
        while (sorted[hi] - sorted[lo] >= ms) {
            ++lo;
        }
        if (hi - lo + 1 > best) {
            best = hi - lo + 1;
            if (where != nullptr) {
                *where = lo;
            }
        }
    }
    return best;
}

journal_view view_of(const json::array& journal, const exchange_run& x) {
    journal_view v;
    std::vector<std::int64_t> all;
    for (const auto& e : journal) {
        const auto& o = e.as_object();
        if (o.at("exchange").as_string() != x.name || o.at("method").as_string() != "POST") {
            continue;
        }
        ++v.posts;
        all.push_back(o.at("time_ms").as_int64());
        const auto code = o.at("code").as_int64();
        if (code == x.limit_code) {
            ++v.limit_answers;
        } else if (code == 0 && o.at("http_status").as_int64() == 200) {
            v.ok_times.push_back(o.at("time_ms").as_int64());
        }
    }
    std::sort(all.begin(), all.end());
    std::sort(v.ok_times.begin(), v.ok_times.end());
    std::size_t worst = 0;
    v.max_in_window = max_in_any_window(all, x.mock_ms, &worst);
    if (v.limit_answers > 0 && all.size() < 100) {
        std::string list;
        for (const auto& e : journal) {
            const auto& o = e.as_object();
            if (o.at("exchange").as_string() == x.name && o.at("method").as_string() == "POST") {
                list += std::to_string(o.at("time_ms").as_int64() - all.front()) + ":" +
                        std::to_string(o.at("code").as_int64()) + " ";
            }
        }
        std::printf("fleet %s: POSTs (ms:code) %s\n", x.name.c_str(), list.c_str());
    }
    if (v.max_in_window > x.mock_n) {
        // For the log of a failed run: the arrivals (ms after the first) around the window.
        std::string around;
        for (std::size_t i = worst > 60 ? worst - 60 : 0;
             i < std::min(all.size(), worst + v.max_in_window + 10); ++i) {
            around += std::to_string(all[i] - all.front()) + (i + 1 == worst ? " | " : " ");
        }
        std::printf("fleet %s: window over the limit at %lld ms: %s\n", x.name.c_str(),
                    static_cast<long long>(all[worst] - all.front()), around.c_str());
    }
    v.max_in_client_window = max_in_any_window(all, x.limit_ms);
    return v;
}

// The achieved rate over the limit: the calls after the first window's burst, per second of the
// span they took. Over the whole run, a single call that queued again (its process stalled past
// max_lateness) starts one window after everyone else and stretches the span by a window
// (-5 %); the steady state (up to the median call) is what the limiter sustains.
double achieved_fraction(const std::vector<std::int64_t>& t, const exchange_run& x,
                         std::size_t upto = 0) {
    const std::size_t n = upto == 0 ? t.size() : std::min(upto, t.size());
    if (n <= x.limit_n || t[n - 1] == t.front()) {
        return 0;
    }
    const double rate =
        static_cast<double>(n - x.limit_n) / (static_cast<double>(t[n - 1] - t.front()) / 1000.0);
    return rate / (static_cast<double>(x.limit_n) * 1000.0 / static_cast<double>(x.limit_ms));
}

double steady_fraction(const std::vector<std::int64_t>& t, const exchange_run& x) {
    return achieved_fraction(t, x, t.size() / 2);
}

// A call may start up to 50 ms after its reserved start (the mock's window is 100 ms shorter);
// later, it queues again.
const std::vector<std::string> scaled_lateness{"--redis-max-lateness", "50"};

exchange_run scaled_bingx() {
    return {"bingx",
            {"bingx", "listen-key", "generate"},
            "bingx.uid=50/500,bingx.ip_group=20000/10000,bingx.ip_endpoint=3000/10000",
            50,
            500,
            50,
            400,
            100410,
            scaled_lateness};
}
exchange_run scaled_woox() {
    return {"woox",
            {"woox", "listen-key", "create"},
            "woox.listen_key=50/500",
            50,
            500,
            50,
            400,
            -1003,
            scaled_lateness};
}
// The mock at the scaled limits. Its rule that blocks an API key for 8 minutes after 20 error
// answers is off: a broken run then fails in seconds instead of hanging (zero limit answers
// are asserted anyway).
const std::vector<std::string> scaled_mock{"--limit",
                                           "bingx.uid=50/400",
                                           "--limit",
                                           "bingx.ip_group=20000/10000",
                                           "--limit",
                                           "bingx.ip_endpoint=3000/10000",
                                           "--limit",
                                           "woox.listen_key=50/400",
                                           "--error-threshold",
                                           "0",
                                           "--journal-capacity",
                                           "100000"};

using clock_type = std::chrono::steady_clock;

double seconds_since(clock_type::time_point t0) {
    return std::chrono::duration<double>(clock_type::now() - t0).count();
}

TEST(fleet, four_processes_per_exchange_share_the_limits_through_redis) {
    exsdk::test::redis_server redis;
    mock_program mock(scaled_mock);
    const std::vector<exchange_run> runs{scaled_bingx(), scaled_woox()};
    const auto t0 = clock_type::now();
    std::vector<std::unique_ptr<child_process>> procs;
    for (const auto& x : runs) {
        for (int p = 0; p < processes; ++p) {
            procs.push_back(
                std::make_unique<child_process>(cli_args(x, mock.url(), redis.url(), calls, {})));
        }
    }
    std::vector<process_outcome> outs;
    for (auto& p : procs) {
        outs.push_back(outcome_of(p->wait()));
    }
    const double runtime = seconds_since(t0);
    const auto journal = mock.journal();
    for (std::size_t i = 0; i < outs.size(); ++i) {
        EXPECT_EQ(outs[i].exit_code, 0) << "process " << i;
        EXPECT_EQ(outs[i].results["ok"], calls) << "process " << i;
    }
    for (const auto& x : runs) {
        const auto v = view_of(journal, x);
        const double achieved = steady_fraction(v.ok_times, x);
        std::printf("fleet %s: %d processes x %d calls in %.1f s, %zu POSTs, %zu x %lld, at most "
                    "%zu in %lld ms (mock) / %zu in %lld ms (clients), achieved %.1f %% of %zu "
                    "per %lld ms (whole run %.1f %%)\n",
                    x.name.c_str(), processes, calls, runtime, v.posts, v.limit_answers,
                    static_cast<long long>(x.limit_code), v.max_in_window,
                    static_cast<long long>(x.mock_ms), v.max_in_client_window,
                    static_cast<long long>(x.limit_ms), achieved * 100, x.limit_n,
                    static_cast<long long>(x.limit_ms), achieved_fraction(v.ok_times, x) * 100);
        EXPECT_EQ(v.limit_answers, 0u) << x.name;
        EXPECT_EQ(v.posts, static_cast<std::size_t>(processes * calls)) << x.name;
        EXPECT_LE(v.max_in_window, x.mock_n) << x.name;
        EXPECT_GE(achieved, 0.95) << x.name;
    }
    EXPECT_LT(runtime, 60.0);
}

TEST(fleet, documented_limits_short_run) {
    // The documented limits on the clients (their defaults): BingX 2 / s per UID, WOO X 5 / 10 s
    // per account; 4 processes x 3 BingX calls, 4 x 2 WOO X calls. The mock counts the same
    // numbers in windows 10 % shorter (as tests/cli's bingx_repeat_is_paced_by_the_limiter does)
    // and the clients accept 10 % of lateness: a process scheduled a few ms late must not fake
    // a violation on a loaded machine.
    exsdk::test::redis_server redis;
    mock_program mock({"--limit", "bingx.uid=2/900", "--limit", "woox.listen_key=5/9000",
                       "--journal-capacity", "100000"});
    exchange_run bingx{"bingx", {"bingx", "listen-key", "generate"}, "", 2, 1000, 2, 900,
                       100410,  {"--redis-max-lateness", "100"}};
    exchange_run woox{"woox", {"woox", "listen-key", "create"}, "", 5, 10000, 5, 9000,
                      -1003,  {"--redis-max-lateness", "1000"}};
    const auto t0 = clock_type::now();
    std::vector<std::unique_ptr<child_process>> procs;
    for (int p = 0; p < processes; ++p) {
        procs.push_back(
            std::make_unique<child_process>(cli_args(bingx, mock.url(), redis.url(), 3, {})));
        procs.push_back(
            std::make_unique<child_process>(cli_args(woox, mock.url(), redis.url(), 2, {})));
    }
    for (auto& p : procs) {
        const auto o = outcome_of(p->wait());
        EXPECT_EQ(o.exit_code, 0);
    }
    const double runtime = seconds_since(t0);
    const auto journal = mock.journal();
    for (const auto* x : {&bingx, &woox}) {
        const auto v = view_of(journal, *x);
        std::printf("fleet documented %s: %zu POSTs in %.1f s, %zu x %lld, at most %zu in %lld "
                    "ms, achieved %.1f %% of %zu per %lld ms\n",
                    x->name.c_str(), v.posts, runtime, v.limit_answers,
                    static_cast<long long>(x->limit_code), v.max_in_window,
                    static_cast<long long>(x->mock_ms), steady_fraction(v.ok_times, *x) * 100,
                    x->limit_n, static_cast<long long>(x->limit_ms));
        EXPECT_EQ(v.limit_answers, 0u) << x->name;
        EXPECT_LE(v.max_in_window, x->mock_n) << x->name;
    }
    EXPECT_EQ(view_of(journal, bingx).posts, 12u);
    EXPECT_EQ(view_of(journal, woox).posts, 8u);
    EXPECT_GE(steady_fraction(view_of(journal, bingx).ok_times, bingx), 0.95);
}

// Starts the scaled fleet, kills Redis once the first process has half its results, and lets
// every process finish.
struct killed_run {
    std::vector<process_outcome> outs;
    json::array journal;
    double runtime = 0;
    std::int64_t killed_at_ms = 0; // epoch ms
};

killed_run run_with_redis_killed_halfway(const std::vector<std::string>& extra) {
    exsdk::test::redis_server redis;
    mock_program mock(scaled_mock);
    const std::vector<exchange_run> runs{scaled_bingx(), scaled_woox()};
    killed_run out;
    const auto t0 = clock_type::now();
    std::vector<std::unique_ptr<child_process>> procs;
    for (const auto& x : runs) {
        for (int p = 0; p < processes; ++p) {
            procs.push_back(std::make_unique<child_process>(
                cli_args(x, mock.url(), redis.url(), calls, extra)));
        }
    }
    // Half of the fleet's results, counted across every process's output as it comes.
    std::vector<std::vector<std::string>> lines(procs.size());
    std::size_t results = 0;
    while (results < procs.size() * calls / 2) {
        std::vector<pollfd> fds;
        for (auto& p : procs) {
            fds.push_back({p->eof() ? -1 : p->stdout_fd(), POLLIN, 0});
        }
        if (::poll(fds.data(), fds.size(), -1) < 0) {
            continue; // EINTR
        }
        for (std::size_t i = 0; i < procs.size(); ++i) {
            if (fds[i].fd >= 0 && fds[i].revents != 0) {
                for (auto& l : procs[i]->read_available_stdout_lines()) {
                    lines[i].push_back(std::move(l));
                    ++results;
                }
            }
        }
    }
    redis.kill();
    out.killed_at_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count();
    for (std::size_t i = 0; i < procs.size(); ++i) {
        out.outs.push_back(outcome_of(procs[i]->wait(), lines[i]));
    }
    out.runtime = seconds_since(t0);
    out.journal = mock.journal();
    return out;
}

TEST(fleet, redis_killed_halfway_fail_policy) {
    const auto r = run_with_redis_killed_halfway({});
    int ok = 0, unavailable = 0;
    for (const auto& o : r.outs) {
        for (const auto& [code, n] : o.results) {
            EXPECT_TRUE(code == "ok" || code == "limiter_unavailable") << code;
        }
        ok += o.results.count("ok") ? o.results.at("ok") : 0;
        unavailable +=
            o.results.count("limiter_unavailable") ? o.results.at("limiter_unavailable") : 0;
        // A process whose calls all came before the kill succeeded; any other one failed.
        EXPECT_EQ(o.exit_code, o.results.count("limiter_unavailable") ? 1 : 0);
    }
    EXPECT_EQ(ok + unavailable, 2 * processes * calls);
    std::size_t posts = 0;
    for (const auto& x : {scaled_bingx(), scaled_woox()}) {
        const auto v = view_of(r.journal, x);
        posts += v.posts;
        EXPECT_EQ(v.limit_answers, 0u) << x.name;
        EXPECT_LE(v.max_in_window, x.mock_n) << x.name;
        std::printf("fleet fail policy %s: %zu POSTs, %zu x %lld, at most %zu in %lld ms\n",
                    x.name.c_str(), v.posts, v.limit_answers, static_cast<long long>(x.limit_code),
                    v.max_in_window, static_cast<long long>(x.mock_ms));
    }
    // Nothing is sent without the fleet's limits: every request the mock saw is a success the
    // processes reported, and none arrived long after the kill.
    EXPECT_EQ(posts, static_cast<std::size_t>(ok));
    std::int64_t last = 0;
    for (const auto& e : r.journal) {
        last = std::max(last, e.as_object().at("time_ms").as_int64());
    }
    std::printf("fleet fail policy: %d ok, %d limiter_unavailable, %.1f s, last request %lld ms "
                "after the kill\n",
                ok, unavailable, r.runtime, static_cast<long long>(last - r.killed_at_ms));
    EXPECT_GE(ok, processes * calls); // half of the fleet's 2 x 4 x 250
    EXPECT_GT(unavailable, 0);
}

TEST(fleet, redis_killed_halfway_local_fallback) {
    const auto r = run_with_redis_killed_halfway({"--redis-fallback", "1/4"});
    for (const auto& o : r.outs) {
        EXPECT_EQ(o.exit_code, 0);
        EXPECT_EQ(o.results.size(), 1u);
        EXPECT_EQ(o.results.count("ok") ? o.results.at("ok") : 0, calls);
    }
    for (const auto& x : {scaled_bingx(), scaled_woox()}) {
        const auto v = view_of(r.journal, x);
        // After the kill: each process alone at floor(50 / 4) = 12 per 505 ms.
        std::vector<std::int64_t> after;
        for (auto t : v.ok_times) {
            if (t > r.killed_at_ms + x.limit_ms * 2) {
                after.push_back(t);
            }
        }
        const double achieved_after = achieved_fraction(after, x);
        std::printf("fleet local_fallback %s: %zu POSTs in %.1f s, %zu x %lld, at most %zu in "
                    "%lld ms, after the switch %.1f %% of the limit (12 of 50 per process still "
                    "calling)\n",
                    x.name.c_str(), v.posts, r.runtime, v.limit_answers,
                    static_cast<long long>(x.limit_code), v.max_in_window,
                    static_cast<long long>(x.mock_ms), achieved_after * 100);
        EXPECT_EQ(v.limit_answers, 0u) << x.name;
        EXPECT_EQ(v.posts, static_cast<std::size_t>(processes * calls)) << x.name;
        EXPECT_LE(v.max_in_window, x.mock_n) << x.name;
    }
}

} // namespace

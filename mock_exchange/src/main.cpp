// mock_exchange: the mock WOO X + BingX exchange as a program. See docs/mock-exchange.md.
//
//   mock_exchange [--listen 127.0.0.1:0] [--tls --ca-out ca.pem] [--clock manual:START_MS] ...
//
// The first stdout line is exactly "listening on http://HOST:PORT" (or https), flushed, so
// scripts can wait for it. Serves until SIGINT or SIGTERM, then shuts down gracefully, exit 0.
// Bad flags: a message on stderr and exit 2. Start-up failure (address in use...): exit 1.
#include <exsdk/manual_clock.hpp>
#include <exsdk/mock/server.hpp>
#include <exsdk/version.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <charconv>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>

namespace {

namespace mock = exsdk::mock;
using namespace std::chrono_literals;

constexpr std::string_view usage = R"(usage: mock_exchange [options]

The mock WOO X (/v3/...) and BingX (/openApi/...) exchange, with their websocket account
streams (/v3/private, /market, /swap-market) and an admin API (/__admin/...).
Prints "listening on http://HOST:PORT" first, then serves until SIGINT/SIGTERM.

Listener:
  --listen HOST:PORT         listen address (default 127.0.0.1:0, an ephemeral port;
                             IPv6 as [::1]:PORT)
  --tls                      serve HTTPS only, with a CA and certificate generated at start-up
                             (SAN IP:127.0.0.1, DNS:localhost)
  --ca-out FILE              with --tls: write the issuing CA certificate (PEM) to FILE
  --max-connections N        close connections beyond N as they arrive (default 10000)
  --max-body-bytes N         larger bodies get 413 and a closed connection (default 1048576)
  --max-header-bytes N       larger header blocks get 431 (default 16384)
  --idle-timeout-ms N        close a connection idle between requests this long (default 60000)
  --header-timeout-ms N      close a client that takes this long to send its headers, or the
                             TLS handshake (default 10000)
  --body-timeout-ms N        ... to send its body (default 30000)
  --write-timeout-ms N       ... to take our answer (default 30000)
  --close-timeout-ms N       cut a websocket this long after a close frame the client does not
                             answer (default 5000)
  --woox-streams-per-ip N    open WOO X private streams per client IP (default 100; more: 429)
  --bingx-streams-per-ip N   open BingX account streams per client IP (default 60; more: 429)

Accounts and clock:
  --accounts FILE            accounts JSON (see docs/mock-exchange.md); default: the demo
                             accounts, printed at start-up
  --clock system|manual[:START_MS]
                             system time (default), or a manual clock starting at START_MS
                             (default: now) that moves only through POST /__admin/clock
  --seed N                   listen-key generator seed (default: random)

Checks:
  --ts-window-ms N           WOO X: reject |server - x-api-timestamp| > N (default 5000)
  --recv-window-ms N         BingX: recvWindow when the request sends none (default 5000)
  --recv-future-ms N         BingX: reject timestamps more than N ms ahead (default 1000)

Rate limits (sliding windows; only authenticated requests count):
  --no-rate-limits           switch every limit, disabled period and error block off
  --limit NAME=N/WINDOW_MS   override one limit; N=0 or "NAME=off" switches it off. NAME is
                             woox.listen_key (5/10000), woox.credentials (10/60000),
                             bingx.uid (2/1000), bingx.ip_group (2000/10000),
                             bingx.ip_endpoint (300/10000)
  --bingx-uid-shared         one 2/s UID window for POST, PUT and DELETE together (default:
                             one per method, as documented)
  --disabled-period-ms N     BingX disabled period after a limit is exceeded (default 5000)
  --error-threshold N        BingX: more than N error answers per API key and endpoint ...
                             (default 20; 0 switches the rule off)
  --error-window-ms N        ... within this window block the endpoint (default 480000)
  --error-history N          errors remembered per API key and endpoint for that rule
                             (default 10000; the oldest is forgotten beyond)

Bounds (docs/mock-exchange.md, "Bounded memory"):
  --bingx-keys-per-uid N     live BingX listen keys per UID; one more generated retires the
                             least recently generated or extended one (default 1000)
  --stream-max-queued N      frames waiting for one stream socket whose client does not read;
                             one more cuts the socket (default 10000)

Other:
  --no-admin                 do not serve /__admin/ (404)
  --journal-capacity N       keep the last N requests in the journal (default 100000; 0: off)
  --journal-max-bytes N      ... and at most N bytes of them (default 67108864; 0: off)
  --log-requests             print one line per request to stderr (never secrets)
  --version                  the version, then exit
  --help                     this text
)";

struct usage_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

template <class T>
T parse_number(std::string_view flag, std::string_view text) {
    T v{};
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc{} || p != text.data() + text.size() || text.empty()) {
        throw usage_error(std::string(flag) + ": \"" + std::string(text) +
                          "\" is not a valid non-negative number");
    }
    return v;
}

std::chrono::milliseconds parse_ms(std::string_view flag, std::string_view text) {
    return std::chrono::milliseconds(parse_number<std::uint64_t>(flag, text));
}

std::string read_file(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    if (!f) {
        throw usage_error("--accounts: cannot open \"" + path + "\"");
    }
    std::ostringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

void parse_listen(mock::config& cfg, std::string_view v) {
    const auto colon = v.rfind(':');
    if (colon == std::string_view::npos || colon == 0) {
        throw usage_error("--listen: expected HOST:PORT, got \"" + std::string(v) + "\"");
    }
    std::string_view host = v.substr(0, colon);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
        host = host.substr(1, host.size() - 2);
    }
    const auto port = parse_number<std::uint32_t>("--listen", v.substr(colon + 1));
    if (port > 65535) {
        throw usage_error("--listen: port out of range");
    }
    cfg.host = std::string(host);
    cfg.port = static_cast<std::uint16_t>(port);
}

void parse_limit(mock::config& cfg, std::string_view v) {
    const auto eq = v.find('=');
    if (eq == std::string_view::npos) {
        throw usage_error("--limit: expected NAME=N/WINDOW_MS, got \"" + std::string(v) + "\"");
    }
    const auto name = v.substr(0, eq);
    const auto value = v.substr(eq + 1);
    exsdk::rate_limit* target = name == "woox.listen_key"     ? &cfg.limits.woox_listen_key
                                : name == "woox.credentials"  ? &cfg.limits.woox_credentials
                                : name == "bingx.uid"         ? &cfg.limits.bingx_uid
                                : name == "bingx.ip_group"    ? &cfg.limits.bingx_ip_group
                                : name == "bingx.ip_endpoint" ? &cfg.limits.bingx_ip_endpoint
                                                              : nullptr;
    if (target == nullptr) {
        throw usage_error("--limit: unknown limit \"" + std::string(name) +
                          "\" (woox.listen_key, woox.credentials, bingx.uid, bingx.ip_group, "
                          "bingx.ip_endpoint)");
    }
    if (value == "off") {
        *target = {};
        return;
    }
    const auto slash = value.find('/');
    if (slash == std::string_view::npos) {
        throw usage_error("--limit " + std::string(name) + ": expected N/WINDOW_MS or off");
    }
    target->requests = parse_number<std::size_t>("--limit", value.substr(0, slash));
    target->window = parse_ms("--limit", value.substr(slash + 1));
    if (target->requests > 0 && target->window.count() == 0) {
        throw usage_error("--limit " + std::string(name) + ": the window must be > 0 ms");
    }
}

struct options {
    mock::config cfg;
    std::string accounts_file;
    bool log_requests = false;
    bool help = false;
    bool version = false;
};

options parse(int argc, char** argv) {
    options o;
    for (int i = 1; i < argc; ++i) {
        std::string_view arg = argv[i];
        std::string_view inline_value;
        bool has_inline = false;
        if (arg.starts_with("--")) {
            if (const auto eq = arg.find('='); eq != std::string_view::npos) {
                inline_value = arg.substr(eq + 1);
                arg = arg.substr(0, eq);
                has_inline = true;
            }
        }
        auto value = [&]() -> std::string_view {
            if (has_inline) {
                return inline_value;
            }
            if (i + 1 >= argc) {
                throw usage_error(std::string(arg) + ": missing value");
            }
            return argv[++i];
        };
        auto flag = [&] {
            if (has_inline) {
                throw usage_error(std::string(arg) + ": takes no value");
            }
        };
        auto& c = o.cfg;
        if (arg == "--help" || arg == "-h") {
            o.help = true;
        } else if (arg == "--version") {
            flag();
            o.version = true;
        } else if (arg == "--listen") {
            parse_listen(c, value());
        } else if (arg == "--tls") {
            flag();
            c.tls = true;
        } else if (arg == "--ca-out") {
            c.ca_out = std::string(value());
        } else if (arg == "--accounts") {
            o.accounts_file = std::string(value());
        } else if (arg == "--clock") {
            const auto v = value();
            if (v == "system") {
                c.clock = exsdk::system_clock();
            } else if (v == "manual") {
                c.clock = std::make_shared<exsdk::manual_clock>(exsdk::system_clock()->wall_ms());
            } else if (v.starts_with("manual:")) {
                const auto start = parse_number<std::int64_t>("--clock manual", v.substr(7));
                if (start < 0 || start > exsdk::mock::max_clock_ms) {
                    throw usage_error("--clock manual: START_MS must be 0.." +
                                      std::to_string(exsdk::mock::max_clock_ms) +
                                      " (2200-01-01T00:00:00Z)");
                }
                c.clock = std::make_shared<exsdk::manual_clock>(start);
            } else {
                throw usage_error("--clock: expected system, manual or manual:START_MS");
            }
        } else if (arg == "--ts-window-ms") {
            c.woox_timestamp_window = parse_ms(arg, value());
        } else if (arg == "--recv-window-ms") {
            c.bingx_default_recv_window = parse_ms(arg, value());
        } else if (arg == "--recv-future-ms") {
            c.bingx_max_future = parse_ms(arg, value());
        } else if (arg == "--no-rate-limits") {
            flag();
            c.limits.enabled = false;
        } else if (arg == "--limit") {
            parse_limit(c, value());
        } else if (arg == "--bingx-uid-shared") {
            flag();
            c.limits.bingx_uid_shared_across_methods = true;
        } else if (arg == "--disabled-period-ms") {
            c.limits.bingx_disabled_period = parse_ms(arg, value());
        } else if (arg == "--error-threshold") {
            c.limits.bingx_error_threshold = parse_number<std::size_t>(arg, value());
        } else if (arg == "--error-window-ms") {
            c.limits.bingx_error_window = parse_ms(arg, value());
        } else if (arg == "--error-history") {
            c.limits.bingx_error_history = parse_number<std::size_t>(arg, value());
        } else if (arg == "--bingx-keys-per-uid") {
            c.bingx_max_listen_keys_per_uid = parse_number<std::size_t>(arg, value());
            if (c.bingx_max_listen_keys_per_uid == 0) {
                throw usage_error("--bingx-keys-per-uid: must be >= 1");
            }
        } else if (arg == "--no-admin") {
            flag();
            c.admin = false;
        } else if (arg == "--max-body-bytes") {
            c.max_body_bytes = parse_number<std::size_t>(arg, value());
            if (c.max_body_bytes == 0) {
                throw usage_error("--max-body-bytes: must be > 0");
            }
        } else if (arg == "--max-header-bytes") {
            c.max_header_bytes = parse_number<std::size_t>(arg, value());
            if (c.max_header_bytes < 256) {
                throw usage_error("--max-header-bytes: must be >= 256");
            }
        } else if (arg == "--idle-timeout-ms") {
            c.idle_timeout = parse_ms(arg, value());
        } else if (arg == "--header-timeout-ms") {
            c.header_timeout = parse_ms(arg, value());
        } else if (arg == "--body-timeout-ms") {
            c.body_timeout = parse_ms(arg, value());
        } else if (arg == "--write-timeout-ms") {
            c.write_timeout = parse_ms(arg, value());
        } else if (arg == "--close-timeout-ms") {
            c.close_timeout = parse_ms(arg, value());
        } else if (arg == "--max-connections") {
            c.max_connections = parse_number<std::size_t>(arg, value());
        } else if (arg == "--woox-streams-per-ip") {
            c.woox_max_streams_per_ip = parse_number<std::size_t>(arg, value());
        } else if (arg == "--bingx-streams-per-ip") {
            c.bingx_max_streams_per_ip = parse_number<std::size_t>(arg, value());
        } else if (arg == "--stream-max-queued") {
            c.stream_max_queued_frames = parse_number<std::size_t>(arg, value());
            if (c.stream_max_queued_frames == 0) {
                throw usage_error("--stream-max-queued: must be >= 1");
            }
        } else if (arg == "--journal-capacity") {
            c.journal_capacity = parse_number<std::size_t>(arg, value());
        } else if (arg == "--journal-max-bytes") {
            c.journal_max_bytes = parse_number<std::size_t>(arg, value());
        } else if (arg == "--seed") {
            c.seed = parse_number<std::uint64_t>(arg, value());
        } else if (arg == "--log-requests") {
            flag();
            o.log_requests = true;
        } else {
            throw usage_error("unknown option \"" + std::string(argv[i]) + "\"");
        }
    }
    if (!o.cfg.ca_out.empty() && !o.cfg.tls) {
        throw usage_error("--ca-out needs --tls");
    }
    if (!o.accounts_file.empty()) {
        try {
            o.cfg.accounts = mock::accounts::from_json(read_file(o.accounts_file));
        } catch (const std::invalid_argument& e) {
            throw usage_error("--accounts " + o.accounts_file + ": " + e.what());
        }
    }
    return o;
}

std::string join(const std::vector<std::string>& v, std::string_view empty) {
    if (v.empty()) {
        return std::string(empty);
    }
    std::string out;
    for (const auto& s : v) {
        out += out.empty() ? "" : ",";
        out += s;
    }
    return out;
}

/// Demo accounts are public values, so their secrets are printed; a loaded file's never are.
void print_accounts(const mock::accounts& a, bool secrets) {
    std::cout << (secrets ? "demo accounts (public demo values):\n" : "accounts:\n");
    for (const auto& acc : a.woox) {
        for (const auto& k : acc.api_keys) {
            std::cout << "  woox  userId=" << acc.user_id << " accountName=" << acc.account_name
                      << " apiKey=" << k.api_key;
            if (secrets) {
                std::cout << " secret=" << k.secret;
            }
            std::cout << " permissions=" << join(k.permissions, "-")
                      << " allowedIPs=" << join(k.allowed_ips, "any") << '\n';
        }
    }
    for (const auto& acc : a.bingx) {
        for (const auto& k : acc.api_keys) {
            std::cout << "  bingx uid=" << acc.uid << " apiKey=" << k.api_key;
            if (secrets) {
                std::cout << " secret=" << k.secret;
            }
            std::cout << " permissions=" << join(k.permissions, "-")
                      << " allowedIPs=" << join(k.allowed_ips, "any") << '\n';
        }
    }
    std::cout.flush();
}

} // namespace

int main(int argc, char** argv) {
    std::signal(SIGPIPE, SIG_IGN);
    options opts;
    try {
        opts = parse(argc, argv);
    } catch (const usage_error& e) {
        std::cerr << "mock_exchange: " << e.what() << "\n(see mock_exchange --help)\n";
        return 2;
    }
    if (opts.help) {
        std::cout << usage;
        return 0;
    }
    if (opts.version) {
        std::cout << "mock_exchange " << exsdk::version() << '\n';
        return 0;
    }
    if (opts.log_requests) {
        opts.cfg.on_request = [](const mock::journal_entry& e) {
            // Stream entries name their kind: "stream_close server /v3/private?key=.. -> 0
            // code=1001" (method = who closed, code = the close code).
            std::fprintf(stderr, "%lld %s %s %s%s%s %s key=%s -> %d code=%lld%s%s\n",
                         static_cast<long long>(e.time_ms), e.peer.c_str(),
                         e.exchange.empty() ? "-" : e.exchange.c_str(),
                         e.kind == "rest" ? "" : e.kind.c_str(), e.kind == "rest" ? "" : " ",
                         e.method.empty() ? "-" : e.method.c_str(), e.target.c_str(),
                         e.api_key.empty() ? "-" : e.api_key.c_str(), e.http_status,
                         static_cast<long long>(e.code),
                         e.fault.empty() ? "" : " fault=", e.fault.c_str());
        };
    }
    const bool demo = opts.accounts_file.empty();
    try {
        boost::asio::io_context ioc(1);
        mock::server srv(ioc.get_executor(), opts.cfg);
        srv.start();
        std::cout << "listening on " << srv.base_url() << std::endl; // flushed: scripts wait on it
        if (opts.cfg.tls) {
            std::cout << (opts.cfg.ca_out.empty()
                              ? std::string("CA not written (use --ca-out FILE)")
                              : "CA written to " + opts.cfg.ca_out)
                      << '\n';
        }
        print_accounts(srv.get_accounts(), demo);
        boost::asio::signal_set signals(ioc, SIGINT, SIGTERM);
        signals.async_wait([&](const boost::system::error_code& ec, int sig) {
            if (!ec) {
                std::cerr << "mock_exchange: signal " << sig << ", shutting down\n";
                srv.stop();
            }
        });
        ioc.run();
        std::cerr << "mock_exchange: stopped\n";
        return 0;
    } catch (const std::invalid_argument& e) {
        std::cerr << "mock_exchange: " << e.what() << '\n';
        return 2;
    } catch (const std::system_error& e) {
        std::cerr << "mock_exchange: " << e.what();
        if (e.code() == std::errc::address_in_use) {
            std::cerr << " (another process listens on that port: choose another with --listen "
                         "HOST:PORT, or port 0 for a free one)";
        } else if (e.code() == std::errc::permission_denied) {
            std::cerr << " (ports below 1024 need privileges: choose another with --listen)";
        }
        std::cerr << '\n';
        return 1;
    } catch (const std::exception& e) {
        std::cerr << "mock_exchange: " << e.what() << '\n';
        return 1;
    }
}

#include "support/redis_server.hpp"

#include <arpa/inet.h>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <hiredis/hiredis.h>
#include <netinet/in.h>
#include <stdexcept>
#include <sys/socket.h>
#include <unistd.h>

namespace exsdk::test {

namespace {

// A port nobody listens on now (the kernel's choice for an ephemeral bind).
std::uint16_t free_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) {
        throw std::runtime_error("socket() failed");
    }
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    socklen_t len = sizeof(a);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
        ::close(fd);
        throw std::runtime_error("bind() failed");
    }
    ::close(fd);
    return ntohs(a.sin_port);
}

std::string find_redis_server() {
    for (const char* p : {"/usr/bin/redis-server", "/usr/local/bin/redis-server"}) {
        if (::access(p, X_OK) == 0) {
            return p;
        }
    }
    throw std::runtime_error("redis-server is not installed (scripts/bootstrap installs it)");
}

redis_value convert(const redisReply* r) {
    redis_value v;
    switch (r->type) {
    case REDIS_REPLY_INTEGER:
        v.type = redis_value::kind::integer;
        v.integer = r->integer;
        break;
    case REDIS_REPLY_STRING:
        v.type = redis_value::kind::string;
        v.text.assign(r->str, r->len);
        break;
    case REDIS_REPLY_STATUS:
        v.type = redis_value::kind::status;
        v.text.assign(r->str, r->len);
        break;
    case REDIS_REPLY_ERROR:
        v.type = redis_value::kind::error;
        v.text.assign(r->str, r->len);
        break;
    case REDIS_REPLY_ARRAY:
        v.type = redis_value::kind::array;
        for (std::size_t i = 0; i < r->elements; ++i) {
            v.elements.push_back(convert(r->element[i]));
        }
        break;
    default: break;
    }
    return v;
}

} // namespace

redis_server::redis_server(options o) : opts_(std::move(o)) {
    std::string tmpl = (std::filesystem::temp_directory_path() / "exsdk-redis-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) {
        throw std::runtime_error("mkdtemp failed");
    }
    dir_ = tmpl;
    if (!opts_.tls_cert_pem.empty()) {
        std::ofstream(dir_ + "/server.pem") << opts_.tls_cert_pem;
        std::ofstream(dir_ + "/server.key") << opts_.tls_key_pem;
    }
    // A port taken between free_port() and the server's bind makes it exit: try others.
    for (int attempt = 0;; ++attempt) {
        port_ = free_port();
        tls_port_ = opts_.tls_cert_pem.empty() ? 0 : free_port();
        try {
            launch();
            return;
        } catch (const std::runtime_error&) {
            if (attempt == 4) {
                std::filesystem::remove_all(dir_);
                throw;
            }
        }
    }
}

redis_server::~redis_server() {
    kill();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
}

void redis_server::launch() {
    std::vector<std::string> argv{find_redis_server(),
                                  "--port",
                                  std::to_string(port_),
                                  "--bind",
                                  "127.0.0.1",
                                  "--dir",
                                  dir_,
                                  "--save",
                                  "",
                                  "--appendonly",
                                  "no",
                                  "--daemonize",
                                  "no",
                                  "--logfile",
                                  "",
                                  "--databases",
                                  "16"};
    if (!opts_.password.empty()) {
        argv.insert(argv.end(), {"--requirepass", opts_.password});
    }
    if (!opts_.user.empty()) {
        argv.insert(argv.end(),
                    {"--user", opts_.user, "on", ">" + opts_.user_password, "~*", "&*", "+@all"});
    }
    if (tls_port_ != 0) {
        argv.insert(argv.end(), {"--tls-port", std::to_string(tls_port_), "--tls-cert-file",
                                 dir_ + "/server.pem", "--tls-key-file", dir_ + "/server.key",
                                 "--tls-auth-clients", "no"});
    }
    child_ = std::make_unique<child_process>(argv);
    // Ready when it says so (its log goes to stdout); end of output first: it exited.
    for (;;) {
        auto line = child_->read_stdout_line();
        if (!line) {
            auto r = child_->wait();
            child_.reset();
            throw std::runtime_error("redis-server did not start: " + r.out + r.err);
        }
        if (line->find("Ready to accept connections") != std::string::npos) {
            return;
        }
    }
}

void redis_server::kill() {
    if (child_) {
        child_->signal(SIGKILL);
        (void)child_->wait();
        child_.reset();
    }
}

void redis_server::start() {
    if (!child_) {
        launch();
    }
}

std::string redis_server::url(std::string_view userinfo, int db) const {
    return "redis://" + (userinfo.empty() ? std::string() : std::string(userinfo) + "@") +
           "127.0.0.1:" + std::to_string(port_) + "/" + std::to_string(db);
}

std::string redis_server::tls_url(std::string_view userinfo, int db) const {
    return "rediss://" + (userinfo.empty() ? std::string() : std::string(userinfo) + "@") +
           "127.0.0.1:" + std::to_string(tls_port_) + "/" + std::to_string(db);
}

redis_value redis_server::command(std::initializer_list<std::string_view> args, int db) const {
    redisContext* c = redisConnect("127.0.0.1", port_);
    if (c == nullptr || c->err != 0) {
        std::string why = c ? c->errstr : "out of memory";
        redisFree(c);
        throw std::runtime_error("cannot connect to the test's redis-server: " + why);
    }
    auto run = [c](std::vector<std::string_view> a) {
        std::vector<const char*> argv;
        std::vector<std::size_t> lens;
        for (auto s : a) {
            argv.push_back(s.data());
            lens.push_back(s.size());
        }
        auto* r = static_cast<redisReply*>(
            redisCommandArgv(c, static_cast<int>(a.size()), argv.data(), lens.data()));
        if (r == nullptr) {
            throw std::runtime_error(std::string("redis command failed: ") + c->errstr);
        }
        redis_value v = convert(r);
        freeReplyObject(r);
        return v;
    };
    redis_value out;
    try {
        if (!opts_.password.empty()) {
            run({"AUTH", opts_.password});
        }
        if (db != 0) {
            const std::string n = std::to_string(db);
            run({"SELECT", n});
        }
        out = run(std::vector<std::string_view>(args));
    } catch (...) {
        redisFree(c);
        throw;
    }
    redisFree(c);
    return out;
}

} // namespace exsdk::test

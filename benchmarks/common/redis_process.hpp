// Runs Debian's redis-server as a child process for the benchmarks: a free 127.0.0.1 port, a
// temporary directory, no persistence; ready when it says so; stopped with SIGTERM (or when
// this process dies). available() tells whether the program is installed at all.
#pragma once

#include <arpa/inet.h>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <netinet/in.h>
#include <stdexcept>
#include <string>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace bench {

class redis_process {
public:
    static constexpr const char* program = "/usr/bin/redis-server";

    static bool available() { return access(program, X_OK) == 0; }

    redis_process() {
        std::string dir = (std::filesystem::temp_directory_path() / "exsdk-bench-redis-XXXXXX");
        if (mkdtemp(dir.data()) == nullptr) {
            throw std::runtime_error("mkdtemp failed");
        }
        dir_ = dir;
        port_ = free_port();
        std::vector<std::string> all{
            program,  "--port", std::to_string(port_), "--bind", "127.0.0.1", "--dir", dir_,
            "--save", "",       "--appendonly",        "no",     "--logfile", ""};
        std::vector<char*> argv;
        for (auto& a : all) {
            argv.push_back(a.data());
        }
        argv.push_back(nullptr);
        int fds[2];
        if (pipe(fds) != 0) {
            throw std::runtime_error("pipe failed");
        }
        const pid_t parent = getpid();
        pid_ = fork();
        if (pid_ == 0) {
            prctl(PR_SET_PDEATHSIG, SIGTERM);
            if (getppid() != parent) {
                _exit(1);
            }
            dup2(fds[1], 1);
            close(fds[0]);
            close(fds[1]);
            execv(program, argv.data());
            _exit(127);
        }
        close(fds[1]);
        if (pid_ < 0) {
            close(fds[0]);
            throw std::runtime_error("cannot start redis-server");
        }
        // Its log goes to stdout: ready at "Ready to accept connections". Then the pipe stays
        // open and unread (it logs little at its default level).
        std::string line;
        char c = 0;
        bool ready = false;
        while (!ready && read(fds[0], &c, 1) == 1) {
            if (c != '\n') {
                line.push_back(c);
                continue;
            }
            ready = line.find("Ready to accept connections") != std::string::npos;
            line.clear();
        }
        out_ = fds[0];
        if (!ready) {
            stop();
            throw std::runtime_error("redis-server did not start");
        }
    }
    redis_process(const redis_process&) = delete;
    redis_process& operator=(const redis_process&) = delete;
    ~redis_process() { stop(); }

    std::string url() const { return "redis://127.0.0.1:" + std::to_string(port_) + "/0"; }

    void stop() {
        if (pid_ > 0) {
            kill(pid_, SIGTERM);
            int status = 0;
            while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
            }
            pid_ = -1;
        }
        if (out_ >= 0) {
            close(out_);
            out_ = -1;
        }
        if (!dir_.empty()) {
            std::error_code ignored;
            std::filesystem::remove_all(dir_, ignored);
            dir_.clear();
        }
    }

private:
    static unsigned short free_port() {
        const int fd = socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof(a);
        if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0 ||
            getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
            throw std::runtime_error("no free port");
        }
        close(fd);
        return ntohs(a.sin_port);
    }

    pid_t pid_ = -1;
    int out_ = -1;
    unsigned short port_ = 0;
    std::string dir_;
};

} // namespace bench

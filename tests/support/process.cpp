#include "support/process.hpp"

#include <array>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <string_view>
#include <sys/wait.h>
#include <system_error>
#include <unistd.h>

extern char** environ;

namespace exsdk::test {

namespace {

[[noreturn]] void throw_errno(const char* what, int err = errno) {
    throw std::system_error(err, std::generic_category(), what);
}

std::vector<std::string> child_environment(const std::map<std::string, std::string>& add) {
    std::vector<std::string> env;
    for (char** e = environ; *e != nullptr; ++e) {
        const std::string_view entry(*e);
        if (!entry.starts_with("EXSDK_")) {
            env.emplace_back(entry);
        }
    }
    for (const auto& [k, v] : add) {
        env.push_back(k + "=" + v);
    }
    return env;
}

} // namespace

child_process::child_process(const std::vector<std::string>& argv,
                             const std::map<std::string, std::string>& env, bool stderr_tty) {
    std::array<int, 2> out{-1, -1};
    std::array<int, 2> err{-1, -1};
    if (::pipe2(out.data(), O_CLOEXEC) != 0) {
        throw_errno("pipe2");
    }
    std::string tty_path;
    if (stderr_tty) {
        // The parent keeps the master; only the child opens the terminal, so the master reads
        // end (EIO) when the child exits.
        err[0] = ::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (err[0] < 0 || ::grantpt(err[0]) != 0 || ::unlockpt(err[0]) != 0) {
            throw_errno("posix_openpt");
        }
        tty_path = ::ptsname(err[0]);
    } else if (::pipe2(err.data(), O_CLOEXEC) != 0) {
        throw_errno("pipe2");
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    if (stderr_tty) {
        posix_spawn_file_actions_addopen(&actions, 2, tty_path.c_str(), O_RDWR | O_NOCTTY, 0);
    } else {
        posix_spawn_file_actions_adddup2(&actions, err[1], 2);
    }

    std::vector<char*> args;
    for (const auto& a : argv) {
        args.push_back(const_cast<char*>(a.c_str()));
    }
    args.push_back(nullptr);
    const auto env_strings = child_environment(env);
    std::vector<char*> envp;
    for (const auto& e : env_strings) {
        envp.push_back(const_cast<char*>(e.c_str()));
    }
    envp.push_back(nullptr);

    const int rc = ::posix_spawn(&pid_, args[0], &actions, nullptr, args.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    ::close(out[1]);
    if (err[1] >= 0) {
        ::close(err[1]);
    }
    out_fd_ = out[0];
    err_fd_ = err[0];
    if (rc != 0) {
        ::close(out_fd_);
        ::close(err_fd_);
        throw_errno("posix_spawn", rc);
    }
}

child_process::~child_process() {
    if (!waited_ && pid_ > 0) {
        ::kill(pid_, SIGKILL);
        wait();
    }
}

void child_process::signal(int sig) const {
    ::kill(pid_, sig);
}

std::optional<std::string> child_process::read_stdout_line() {
    for (;;) {
        if (const auto nl = stdout_ahead_.find('\n'); nl != std::string::npos) {
            std::string line = stdout_ahead_.substr(0, nl);
            stdout_ahead_.erase(0, nl + 1);
            return line;
        }
        std::array<char, 4096> buf{};
        const ssize_t n = ::read(out_fd_, buf.data(), buf.size());
        if (n > 0) {
            stdout_ahead_.append(buf.data(), static_cast<std::size_t>(n));
        } else if (n == 0 || errno != EINTR) {
            return std::nullopt;
        }
    }
}

std::vector<std::string> child_process::read_available_stdout_lines() {
    std::vector<std::string> lines;
    std::array<char, 65536> buf{};
    const ssize_t n = ::read(out_fd_, buf.data(), buf.size());
    if (n > 0) {
        stdout_ahead_.append(buf.data(), static_cast<std::size_t>(n));
    } else if (n == 0 || errno != EINTR) {
        eof_ = true;
    }
    for (auto nl = stdout_ahead_.find('\n'); nl != std::string::npos;
         nl = stdout_ahead_.find('\n')) {
        lines.push_back(stdout_ahead_.substr(0, nl));
        stdout_ahead_.erase(0, nl + 1);
    }
    return lines;
}

process_result child_process::wait() {
    process_result r;
    r.out = std::move(stdout_ahead_);
    std::array<pollfd, 2> fds{pollfd{out_fd_, POLLIN, 0}, pollfd{err_fd_, POLLIN, 0}};
    std::array<std::string*, 2> sinks{&r.out, &r.err};
    int open = 2;
    while (open > 0) {
        if (::poll(fds.data(), fds.size(), -1) < 0) {
            if (errno == EINTR) {
                continue;
            }
            throw_errno("poll");
        }
        for (std::size_t i = 0; i < fds.size(); ++i) {
            if (fds[i].fd < 0 || fds[i].revents == 0) {
                continue;
            }
            std::array<char, 4096> buf{};
            const ssize_t n = ::read(fds[i].fd, buf.data(), buf.size());
            if (n > 0) {
                sinks[i]->append(buf.data(), static_cast<std::size_t>(n));
            } else if (n == 0 || errno != EINTR) {
                ::close(fds[i].fd);
                fds[i].fd = -1;
                --open;
            }
        }
    }
    out_fd_ = err_fd_ = -1;
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0) {
        if (errno != EINTR) {
            throw_errno("waitpid");
        }
    }
    waited_ = true;
    if (WIFEXITED(status)) {
        r.exit_code = WEXITSTATUS(status);
    } else if (WIFSIGNALED(status)) {
        r.term_signal = WTERMSIG(status);
    }
    return r;
}

process_result run_process(const std::vector<std::string>& argv,
                           const std::map<std::string, std::string>& env, bool stderr_tty) {
    child_process c(argv, env, stderr_tty);
    return c.wait();
}

} // namespace exsdk::test

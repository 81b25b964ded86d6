// Runs the mock_exchange program as a child process (so its allocations and CPU are not this
// process's), waits for its "listening on URL" line, and stops it with SIGTERM (or when this
// process dies).
#pragma once

#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <stdexcept>
#include <string>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace bench {

class mock_process {
public:
    mock_process(const std::string& program, const std::vector<std::string>& args) {
        int fds[2];
        if (pipe(fds) != 0) {
            throw std::runtime_error("pipe failed");
        }
        std::vector<std::string> all{program};
        all.insert(all.end(), args.begin(), args.end());
        std::vector<char*> argv;
        for (auto& a : all) {
            argv.push_back(a.data());
        }
        argv.push_back(nullptr);
        const pid_t parent = getpid();
        pid_ = fork();
        if (pid_ == 0) {
            // The child: only async-signal-safe calls until exec. It dies with this process
            // (PR_SET_PDEATHSIG), so a crashed benchmark leaves no mock behind.
            prctl(PR_SET_PDEATHSIG, SIGTERM);
            if (getppid() != parent) {
                _exit(1);
            }
            dup2(fds[1], 1);
            close(fds[0]);
            close(fds[1]);
            const int devnull = open("/dev/null", O_WRONLY);
            if (devnull >= 0) {
                dup2(devnull, 2);
                close(devnull);
            }
            execv(program.c_str(), argv.data());
            _exit(127);
        }
        close(fds[1]);
        out_ = fds[0];
        if (pid_ < 0) {
            close(out_);
            out_ = -1;
            throw std::runtime_error("cannot start " + program);
        }
        std::string line;
        char c = 0;
        while (read(out_, &c, 1) == 1 && c != '\n') {
            line.push_back(c);
        }
        const std::string prefix = "listening on ";
        if (line.rfind(prefix, 0) != 0) {
            stop();
            throw std::runtime_error(program + " did not start: \"" + line + "\"");
        }
        url_ = line.substr(prefix.size());
    }
    mock_process(const mock_process&) = delete;
    mock_process& operator=(const mock_process&) = delete;
    ~mock_process() { stop(); }

    const std::string& url() const { return url_; }
    pid_t pid() const { return pid_; }

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
    }

private:
    pid_t pid_ = -1;
    int out_ = -1;
    std::string url_;
};

} // namespace bench

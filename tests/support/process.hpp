// Runs a program as a child process (posix_spawn) with its stdout and stderr captured, for the
// CLI's black-box tests. The child's environment is the test's minus every EXSDK_* variable,
// plus what the test sets, so a developer's own credentials never leak into a test.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

namespace exsdk::test {

struct process_result {
    int exit_code = -1;  ///< the exit status, or -1 when the child was killed by a signal
    int term_signal = 0; ///< the signal that killed it, 0 if it exited
    std::string out;     ///< everything written to stdout
    std::string err;     ///< everything written to stderr
};

class child_process {
public:
    /// Starts `argv[0]` with `argv`; `env` is added to the (EXSDK_*-free) environment. With
    /// `stderr_tty`, the child's stderr is a pseudo-terminal (isatty() is true), read like the
    /// pipe (the terminal turns "\n" into "\r\n"). Throws std::system_error when the child
    /// cannot be started.
    child_process(const std::vector<std::string>& argv,
                  const std::map<std::string, std::string>& env = {}, bool stderr_tty = false);
    child_process(const child_process&) = delete;
    child_process& operator=(const child_process&) = delete;
    ~child_process(); ///< kills and reaps a child that was not waited for

    pid_t pid() const noexcept { return pid_; }
    /// Sends `sig` to the child.
    void signal(int sig) const;
    /// Blocks until the child wrote one more line to stdout and returns it without its newline;
    /// std::nullopt at end of output. Lines read here are not repeated by wait().
    std::optional<std::string> read_stdout_line();
    /// The read end of the child's stdout, to poll() several children at once.
    int stdout_fd() const noexcept { return out_fd_; }
    /// One read() of what the child wrote (call when stdout_fd() is readable): the complete
    /// lines among it, without newlines; empty at end of output (then eof() is true). Lines
    /// returned here are not repeated by wait().
    std::vector<std::string> read_available_stdout_lines();
    bool eof() const noexcept { return eof_; }
    /// Reads both pipes to the end, then reaps the child.
    process_result wait();

private:
    pid_t pid_ = -1;
    int out_fd_ = -1;
    int err_fd_ = -1;
    bool waited_ = false;
    std::string stdout_ahead_; // read by read_stdout_line() past its line
    bool eof_ = false;
};

/// Starts `argv` and waits for it.
process_result run_process(const std::vector<std::string>& argv,
                           const std::map<std::string, std::string>& env = {},
                           bool stderr_tty = false);

} // namespace exsdk::test

#include "support/prometheus_check.hpp"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sys/wait.h>
#include <unistd.h>

namespace exsdk::test {

prometheus_verdict check_prometheus_text(std::string_view text) {
    prometheus_verdict v;
    char path[] = "/tmp/exsdk_prometheus_XXXXXX";
    const int fd = ::mkstemp(path);
    if (fd < 0) {
        v.output = "cannot create a temporary file";
        return v;
    }
    ::close(fd);
    {
        std::ofstream f(path, std::ios::binary | std::ios::trunc);
        f.write(text.data(), static_cast<std::streamsize>(text.size()));
    }
    const std::string cmd =
        std::string("/usr/bin/python3 ") + EXSDK_PROMETHEUS_CHECK + " " + path + " 2>&1";
    if (FILE* p = ::popen(cmd.c_str(), "r")) {
        char buf[4096];
        std::size_t n = 0;
        while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) {
            v.output.append(buf, n);
        }
        const int status = ::pclose(p);
        v.ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    } else {
        v.output = "cannot run /usr/bin/python3 (scripts/bootstrap installs it)";
    }
    ::unlink(path);
    return v;
}

} // namespace exsdk::test

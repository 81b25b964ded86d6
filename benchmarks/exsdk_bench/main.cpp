// exsdk_bench [--smoke] [--mock-program PATH] [Google Benchmark flags...]
//   --smoke          every benchmark briefly (CI): proves it runs, measures nothing reliable
//   --mock-program   the mock_exchange program for the out-of-process memory measurements
//                    (default: ../mock_exchange/mock_exchange next to this binary)
#include "benchmarks.hpp"

#include <benchmark/benchmark.h>

#include <csignal>
#include <cstring>
#include <filesystem>
#include <vector>

int main(int argc, char** argv) {
    std::signal(SIGPIPE, SIG_IGN);
    bench::options o;
    std::vector<char*> rest{argv[0]};
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--smoke") == 0) {
            o.smoke = true;
        } else if (std::strcmp(argv[i], "--mock-program") == 0 && i + 1 < argc) {
            o.mock_program = argv[++i];
        } else {
            rest.push_back(argv[i]);
        }
    }
    if (o.mock_program.empty()) {
        const auto self = std::filesystem::read_symlink("/proc/self/exe");
        o.mock_program = (self.parent_path().parent_path() / "mock_exchange" / "mock_exchange");
    }
    bench::register_signing(o);
    bench::register_limiter(o);
    bench::register_loopback(o);
    bench::register_memory(o);
    bench::register_long_run(o);
    bench::register_redis(o);
    bench::register_logging(o);

    int n = static_cast<int>(rest.size());
    rest.push_back(nullptr);
    benchmark::Initialize(&n, rest.data());
    if (benchmark::ReportUnrecognizedArguments(n, rest.data())) {
        return 2;
    }
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}

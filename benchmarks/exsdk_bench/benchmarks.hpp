// exsdk_bench: the in-process measurements (Google Benchmark). Each area registers its
// benchmarks with iteration counts chosen by the mode: full, or --smoke (every benchmark briefly,
// to prove it still runs; no timing is asserted anywhere).
#pragma once

#include "../common/bench_util.hpp"

#include <string>

namespace bench {

struct options {
    bool smoke = false;
    /// The mock_exchange program, for measurements that need the mock in another process
    /// (memory: the mock's own allocations must not be counted).
    std::string mock_program;
};

void register_signing(const options& o);
void register_limiter(const options& o);
void register_loopback(const options& o);
void register_memory(const options& o);
void register_long_run(const options& o);
void register_redis(const options& o);
void register_logging(const options& o);

} // namespace bench

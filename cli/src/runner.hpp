// Runs a parsed `exsdk` invocation: one io_context on the calling thread, one SDK client for the
// command's exchange, the command's calls as coroutines, one JSON line per result on stdout.
// SIGINT/SIGTERM cancel every call in flight (Asio per-operation cancellation); the cancelled
// calls are reported as results with the error code "cancelled".
#pragma once

#include "arguments.hpp"

#include <cstdio>

namespace exsdk::cli {

/// Exit statuses of the program.
inline constexpr int exit_ok = 0;     ///< every call succeeded
inline constexpr int exit_failed = 1; ///< at least one call failed (its JSON line says why)
inline constexpr int exit_usage = 2;  ///< bad command line or unusable settings

/// Runs `inv`, printing results to `out` and set-up errors (bad base URL, unreadable CA file)
/// as one line on `err`. Returns the exit status.
int run_invocation(const invocation& inv, std::FILE* out, std::FILE* err);

} // namespace exsdk::cli

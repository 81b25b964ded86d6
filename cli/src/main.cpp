// exsdk: check WOO X and BingX API keys and listen keys from a shell. See docs/cli.md.
//
//   exsdk woox listen-key create --api-key KEY --secret SECRET
//   exsdk bingx listen-key extend KEY --base-url http://127.0.0.1:PORT
//
// One JSON object per result on stdout; exit status 0 (all ok), 1 (a call failed), 2 (usage).
#include "arguments.hpp"
#include "runner.hpp"

#include <exsdk/version.hpp>

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <string_view>
#include <vector>

int main(int argc, char** argv) {
    using namespace exsdk::cli;
    try {
        const std::vector<std::string_view> args(argv + (argc > 0 ? 1 : 0), argv + argc);
        // --version anywhere before "--": the version from the CMake project, then exit.
        for (const auto a : args) {
            if (a == "--") {
                break;
            }
            if (a == "--version") {
                std::printf("exsdk %s\n", exsdk::version());
                return exit_ok;
            }
        }
        const env_lookup env = [](std::string_view name) -> std::optional<std::string> {
            const char* v = std::getenv(std::string(name).c_str());
            if (v == nullptr) {
                return std::nullopt;
            }
            return std::string(v);
        };
        auto parsed = parse_arguments(args, env);
        if (const auto* help = std::get_if<help_request>(&parsed)) {
            std::fputs(help->text.c_str(), stdout);
            return exit_ok;
        }
        if (const auto* usage = std::get_if<usage_error>(&parsed)) {
            std::fprintf(stderr, "exsdk: %s\n", usage->message.c_str());
            return exit_usage;
        }
        return run_invocation(std::get<invocation>(parsed), stdout, stderr);
    } catch (const std::exception& e) {
        // Not expected: the SDK reports failures as values. One line, no stack trace.
        std::fprintf(stderr, "exsdk: internal error: %s\n", e.what());
        return exit_failed;
    }
}

// bench_exsdk_client: the cross-process comparison's exsdk side. The same four calls as the bare
// client and the ccxt script, through one exsdk::woox::client and one exsdk::bingx::client
// (limits off, no retries, up to --concurrency pooled connections each), signed per call with
// the current time; with --ca (and an https:// URL), over TLS verified against that CA.
//
//   bench_exsdk_client --url URL [--ca FILE] [--cycles N] [--cold N] [--warmup N]
//                      [--warmup-max N] [--concurrency N]
//       cold, warm-up, sequential and concurrent phases (JSON lines, see load.hpp); the clients
//       connect on their first call, within the cold phase
#include "../common/load.hpp"
#include "../common/sdk_calls.hpp"

namespace {

using namespace bench;

int run(int argc, char** argv) {
    load_options o;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string_view k = argv[i];
        if (!load_flag(o, k, argv[i + 1])) {
            throw std::invalid_argument("unknown flag " + std::string(k));
        }
    }
    check_load_options(o);
    asio::io_context ioc(1);
    sdk_clients clients(ioc.get_executor(), o.url, o.ca_pem,
                        std::max<std::size_t>(o.concurrency, 1));
    // Each worker extends the BingX key its own last generate returned.
    std::vector<std::string> keys(std::max<std::size_t>(o.concurrency, 1));
    auto fn = [&](std::size_t worker, call c) -> asio::awaitable<std::string> {
        co_return co_await sdk_call(clients, c, keys[worker]);
    };
    return run_load(ioc, "exsdk", o, fn);
}

} // namespace

int main(int argc, char** argv) {
    try {
        return run(argc, argv);
    } catch (const std::exception& e) {
        std::cerr << "bench_exsdk_client: " << e.what() << '\n';
        return 1;
    }
}

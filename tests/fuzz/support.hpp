// Shared pieces of the libFuzzer targets: a property check that aborts with a message (so the
// fuzzer reports it as a crash with the input), JSON validity, the demo credentials, and a
// fresh sans-io mock exchange per input (state + router on a manual clock, no sockets), so every
// finding reproduces from its input alone.
#pragma once

#include "router.hpp"
#include "state.hpp"

#include <exsdk/manual_clock.hpp>
#include <exsdk/mock/accounts.hpp>
#include <exsdk/mock/config.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace exsdk::fuzz {

/// The mock's manual clock in every target: 2023-11-14T22:13:20Z (the seeds are signed at it).
inline constexpr std::int64_t t0_ms = 1'700'000'000'000;

/// The mock's demo accounts (mock::accounts::demo(); the spec's signing test vectors). The seeds
/// are signed with them.
namespace demo {
struct key {
    std::string api_key;
    std::string secret;
    std::int64_t account_id = 0; ///< WOO X userId / BingX uid
};
const key& woox();       ///< userId 12523, READ + TRADE
const key& woox_trade(); ///< userId 12523, TRADE only, 127.0.0.1 only
const key& bingx();      ///< uid 1001
const key& bingx2();     ///< uid 1002
/// The demo secret of a demo API key (WOO X or BingX); "" for any other key.
std::string_view secret_of(std::string_view api_key) noexcept;
} // namespace demo

/// A property failed: prints `what` and `detail`, then aborts (libFuzzer keeps the input).
[[noreturn]] void fail(std::string_view what, std::string_view detail = {});
inline void check(bool ok, std::string_view what, std::string_view detail = {}) {
    if (!ok) {
        fail(what, detail);
    }
}

/// True when `text` is one valid JSON value (UTF-8, as RFC 8259 requires).
bool valid_json(std::string_view text);

/// A mock exchange without I/O: the demo accounts, a manual clock at t0_ms, a small journal.
struct mock_instance {
    mock_instance();

    std::shared_ptr<manual_clock> clock;
    mock::config cfg;
    std::unique_ptr<mock::detail::shared_state> state;
    std::unique_ptr<mock::detail::router> router;
};

} // namespace exsdk::fuzz

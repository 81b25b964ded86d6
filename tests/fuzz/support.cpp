#include "support.hpp"

#include <boost/json/parse.hpp>

#include <cstdio>
#include <cstdlib>

namespace exsdk::fuzz {

std::string_view demo::secret_of(std::string_view api_key) noexcept {
    if (api_key == woox_key) {
        return woox_secret;
    }
    if (api_key == woox_trade_key) {
        return woox_trade_secret;
    }
    if (api_key == bingx_key) {
        return bingx_secret;
    }
    if (api_key == bingx_key2) {
        return bingx_secret2;
    }
    return {};
}

void fail(std::string_view what, std::string_view detail) {
    std::fprintf(stderr, "\nPROPERTY FAILED: %.*s\n%.*s\n", static_cast<int>(what.size()),
                 what.data(), static_cast<int>(detail.size()), detail.data());
    std::abort();
}

bool valid_json(std::string_view text) {
    boost::system::error_code ec;
    (void)boost::json::parse(text, ec);
    return !ec;
}

mock_instance::mock_instance() : clock(std::make_shared<manual_clock>(t0_ms)) {
    cfg.clock = clock;
    cfg.seed = 1;
    cfg.journal_capacity = 32;
    state = std::make_unique<mock::detail::shared_state>(cfg);
    router = std::make_unique<mock::detail::router>(*state, [] { return std::size_t{1}; });
}

} // namespace exsdk::fuzz

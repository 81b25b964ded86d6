#include "support.hpp"

#include <boost/json/parse.hpp>

#include <cstdio>
#include <cstdlib>

namespace exsdk::fuzz {

namespace {

const mock::accounts& demo_accounts() {
    static const auto a = mock::accounts::demo();
    return a;
}

demo::key demo_key(const mock::api_key_entry& e, std::int64_t account_id) {
    return {e.api_key, e.secret, account_id};
}

} // namespace

const demo::key& demo::woox() {
    static const auto k =
        demo_key(demo_accounts().woox.at(0).api_keys.at(0), demo_accounts().woox.at(0).user_id);
    return k;
}

const demo::key& demo::woox_trade() {
    static const auto k =
        demo_key(demo_accounts().woox.at(0).api_keys.at(1), demo_accounts().woox.at(0).user_id);
    return k;
}

const demo::key& demo::bingx() {
    static const auto k =
        demo_key(demo_accounts().bingx.at(0).api_keys.at(0), demo_accounts().bingx.at(0).uid);
    return k;
}

const demo::key& demo::bingx2() {
    static const auto k =
        demo_key(demo_accounts().bingx.at(1).api_keys.at(0), demo_accounts().bingx.at(1).uid);
    return k;
}

std::string_view demo::secret_of(std::string_view api_key) noexcept {
    for (const auto& a : demo_accounts().woox) {
        for (const auto& k : a.api_keys) {
            if (k.api_key == api_key) {
                return k.secret;
            }
        }
    }
    for (const auto& a : demo_accounts().bingx) {
        for (const auto& k : a.api_keys) {
            if (k.api_key == api_key) {
                return k.secret;
            }
        }
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

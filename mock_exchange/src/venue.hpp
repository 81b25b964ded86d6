// The two exchanges the mock reproduces, and their one spelling: "woox" and "bingx" as they
// appear in the admin API, the journal, the metrics labels, the accounts file and push_event().
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace exsdk::mock::detail {

enum class venue : std::uint8_t { woox, bingx };

inline constexpr std::array<venue, 2> all_venues = {venue::woox, venue::bingx};

/// "woox" or "bingx".
constexpr std::string_view to_string(venue v) noexcept {
    return v == venue::woox ? "woox" : "bingx";
}

/// The venue called `name` ("woox" or "bingx", exactly), nullopt for anything else.
constexpr std::optional<venue> parse_venue(std::string_view name) noexcept {
    for (const auto v : all_venues) {
        if (name == to_string(v)) {
            return v;
        }
    }
    return std::nullopt;
}

} // namespace exsdk::mock::detail

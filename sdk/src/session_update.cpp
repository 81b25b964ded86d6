#include <exsdk/session_update.hpp>

#include <algorithm>
#include <cmath>

namespace exsdk {

const char* to_string(session_status s) noexcept {
    switch (s) {
    case session_status::event: return "event";
    case session_status::connected: return "connected";
    case session_status::disconnected: return "disconnected";
    case session_status::reconnecting: return "reconnecting";
    case session_status::key_rotated: return "key_rotated";
    case session_status::gap: return "gap";
    }
    return "unknown";
}

clock::duration reconnect_policy::delay(std::size_t attempt) const noexcept {
    const double factor =
        std::pow(std::max(multiplier, 1.0), static_cast<double>(attempt > 0 ? attempt - 1 : 0));
    const double ns = std::chrono::duration<double, std::nano>(initial).count() * factor;
    const double cap = std::chrono::duration<double, std::nano>(max).count();
    return std::chrono::duration_cast<clock::duration>(
        std::chrono::duration<double, std::nano>(std::min(ns, cap)));
}

} // namespace exsdk

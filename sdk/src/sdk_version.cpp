#include <exsdk/version.hpp>

namespace exsdk {
const char* version() noexcept {
    return "0.1.0";
}
} // namespace exsdk

#include <exsdk/version.hpp>

#ifndef EXSDK_VERSION
#error "EXSDK_VERSION is set by sdk/CMakeLists.txt from the project's version"
#endif

namespace exsdk {
const char* version() noexcept {
    return EXSDK_VERSION;
}
} // namespace exsdk

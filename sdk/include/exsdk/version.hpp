#pragma once

namespace exsdk {
/// The library version ("0.1.0"): the CMake project's version (exsdk::foundation).
const char* version() noexcept;
} // namespace exsdk

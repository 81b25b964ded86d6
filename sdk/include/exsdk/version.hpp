#pragma once

namespace exsdk {
/// The library version ("0.1.0").
const char* version() noexcept;
} // namespace exsdk

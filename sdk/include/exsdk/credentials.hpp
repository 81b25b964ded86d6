// API credentials. The secret is held in exsdk::secret, which never prints its value.
#pragma once

#include <iosfwd>
#include <string>
#include <string_view>

namespace exsdk {

/// A secret string: printing it (operator<<) shows "***", never the value.
class secret {
public:
    secret() = default;
    explicit secret(std::string value) : value_(std::move(value)) {}
    secret(const secret&) = default;
    secret& operator=(const secret&) = default;
    secret(secret&&) noexcept = default;
    secret& operator=(secret&&) noexcept = default;
    ~secret();

    /// The secret itself: only signers call this.
    std::string_view reveal() const noexcept { return value_; }
    bool empty() const noexcept { return value_.empty(); }

    friend std::ostream& operator<<(std::ostream& os, const secret& s);

private:
    std::string value_;
};

struct credentials {
    std::string api_key;
    exsdk::secret secret;

    friend std::ostream& operator<<(std::ostream& os, const credentials& c);
};

} // namespace exsdk

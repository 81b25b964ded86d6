#include <exsdk/credentials.hpp>

#include <openssl/crypto.h>

#include <ostream>

namespace exsdk {

secret::~secret() {
    if (!value_.empty()) {
        OPENSSL_cleanse(value_.data(), value_.size());
    }
}

std::ostream& operator<<(std::ostream& os, const secret& s) {
    return os << (s.empty() ? "(none)" : "***");
}

std::ostream& operator<<(std::ostream& os, const credentials& c) {
    return os << "{api_key: " << c.api_key << ", secret: " << c.secret << '}';
}

} // namespace exsdk

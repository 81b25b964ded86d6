#include "detail/limit_names.hpp"

#include <exsdk/hex.hpp>

#include <openssl/evp.h>

#include <array>
#include <span>
#include <stdexcept>
#include <unistd.h>

namespace exsdk::detail {

std::string default_limit_account(std::string_view api_key) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int size = 0;
    if (EVP_Digest(api_key.data(), api_key.size(), digest.data(), &size, EVP_sha256(), nullptr) !=
        1) {
        throw std::runtime_error("exsdk: SHA-256 failed");
    }
    return "key-" + to_hex(std::span<const unsigned char>(digest.data(), 8));
}

std::string default_ip_name() {
    std::array<char, 256> name{};
    if (::gethostname(name.data(), name.size() - 1) != 0 || name[0] == '\0') {
        return "localhost";
    }
    return name.data();
}

} // namespace exsdk::detail

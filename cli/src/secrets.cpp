// Which secrets the CLI must never print (redaction of usage errors and of results), and the
// environment variables credentials come from.
#include "arguments.hpp"

#include <charconv>

namespace exsdk::cli {

std::vector<std::string> url_passwords(std::string_view url) {
    std::vector<std::string> out;
    const auto scheme = url.find("://");
    const auto at = url.rfind('@');
    if (scheme == std::string_view::npos || at == std::string_view::npos || at < scheme) {
        return out;
    }
    const auto info = url.substr(scheme + 3, at - scheme - 3);
    const auto colon = info.find(':');
    if (colon == std::string_view::npos) {
        return out;
    }
    const std::string typed(info.substr(colon + 1));
    std::string decoded;
    for (std::size_t i = 0; i < typed.size(); ++i) {
        int v = 0;
        if (typed[i] == '%' && i + 2 < typed.size() &&
            std::from_chars(typed.data() + i + 1, typed.data() + i + 3, v, 16).ptr ==
                typed.data() + i + 3) {
            decoded += static_cast<char>(v);
            i += 2;
        } else {
            decoded += typed[i];
        }
    }
    out.push_back(typed);
    if (decoded != typed) {
        out.push_back(decoded);
    }
    return out;
}

std::string_view api_key_env(exchange_id e) noexcept {
    return e == exchange_id::woox ? "EXSDK_WOOX_API_KEY" : "EXSDK_BINGX_API_KEY";
}

std::string_view secret_env(exchange_id e) noexcept {
    return e == exchange_id::woox ? "EXSDK_WOOX_SECRET" : "EXSDK_BINGX_SECRET";
}

std::string redact(std::string text, std::span<const std::string> secrets) {
    for (const auto& s : secrets) {
        // Real secrets are long random strings; masking every "ab" of a message would only
        // garble it, so very short values are left alone.
        if (s.size() < min_redacted_size) {
            continue;
        }
        for (auto pos = text.find(s); pos != std::string::npos; pos = text.find(s, pos + 3)) {
            text.replace(pos, s.size(), "***");
        }
    }
    return text;
}

std::vector<std::string> known_secrets(std::span<const std::string_view> args,
                                       const env_lookup& env) {
    std::vector<std::string> out;
    for (std::size_t i = 0; i < args.size(); ++i) {
        if (args[i] == "--secret" && i + 1 < args.size()) {
            out.emplace_back(args[i + 1]);
        } else if (args[i].starts_with("--secret=")) {
            out.emplace_back(args[i].substr(9));
        }
    }
    for (auto e : {exchange_id::woox, exchange_id::bingx}) {
        if (auto s = env(secret_env(e))) {
            out.push_back(std::move(*s));
        }
    }
    auto redis_password = [&out](std::string_view url) {
        for (auto& p : url_passwords(url)) {
            out.push_back(std::move(p));
        }
    };
    for (std::size_t i = 0; i < args.size(); ++i) {
        if (args[i] == "--redis" && i + 1 < args.size()) {
            redis_password(args[i + 1]);
        } else if (args[i].starts_with("--redis=")) {
            redis_password(args[i].substr(8));
        }
    }
    if (auto url = env(redis_url_env)) {
        redis_password(*url);
    }
    return out;
}

} // namespace exsdk::cli

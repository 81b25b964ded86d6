#include <exsdk/woox/protocol.hpp>
#include <exsdk/woox/requests.hpp>

#include <array>
#include <charconv>

namespace exsdk::woox::requests {

void create_listen_key(http_request& into) {
    into.clear(http_method::post);
    into.target.assign(protocol::listen_key_path);
    into.body.assign(protocol::listen_key_body);
    into.content_type = "application/json";
}

http_request create_listen_key() {
    http_request r;
    create_listen_key(r);
    return r;
}

void api_key_permissions(http_request& into, std::int64_t page, std::int64_t size) {
    std::array<char, 24> p{};
    std::array<char, 24> n{};
    const char* const page_end = std::to_chars(p.data(), p.data() + p.size(), page).ptr;
    const char* const size_end = std::to_chars(n.data(), n.data() + n.size(), size).ptr;
    into.clear(http_method::get);
    into.target.reserve(protocol::credentials_path.size() + 64);
    into.target.append(protocol::credentials_path)
        .append("?")
        .append(protocol::page_param)
        .append("=")
        .append(p.data(), static_cast<std::size_t>(page_end - p.data()))
        .append("&")
        .append(protocol::size_param)
        .append("=")
        .append(n.data(), static_cast<std::size_t>(size_end - n.data()));
}

http_request api_key_permissions(std::int64_t page, std::int64_t size) {
    http_request r;
    api_key_permissions(r, page, size);
    return r;
}

http_request system_info() {
    return http_request::get(protocol::system_info_path);
}

} // namespace exsdk::woox::requests

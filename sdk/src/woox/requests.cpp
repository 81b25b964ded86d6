#include <exsdk/woox/protocol.hpp>
#include <exsdk/woox/requests.hpp>

namespace exsdk::woox::requests {

http_request create_listen_key() {
    http_request r;
    r.method = http_method::post;
    r.target = protocol::listen_key_path;
    r.body = protocol::listen_key_body;
    r.content_type = "application/json";
    return r;
}

http_request api_key_permissions(std::int64_t page, std::int64_t size) {
    http_request r;
    r.method = http_method::get;
    r.target.reserve(protocol::credentials_path.size() + 32);
    r.target.append(protocol::credentials_path)
        .append("?")
        .append(protocol::page_param)
        .append("=")
        .append(std::to_string(page))
        .append("&")
        .append(protocol::size_param)
        .append("=")
        .append(std::to_string(size));
    return r;
}

http_request system_info() {
    return http_request::get(protocol::system_info_path);
}

} // namespace exsdk::woox::requests

#include <exsdk/bingx/protocol.hpp>
#include <exsdk/bingx/requests.hpp>

namespace exsdk::bingx::requests {

namespace {
detail::http_request user_data_stream(detail::http_method m) {
    detail::http_request r;
    r.method = m;
    r.target = protocol::user_data_stream_path;
    return r;
}
} // namespace

detail::http_request generate_listen_key() {
    return user_data_stream(detail::http_method::post);
}
detail::http_request extend_listen_key() {
    return user_data_stream(detail::http_method::put);
}
detail::http_request delete_listen_key() {
    return user_data_stream(detail::http_method::del);
}

detail::http_request server_time() {
    detail::http_request r;
    r.method = detail::http_method::get;
    r.target = protocol::server_time_path;
    return r;
}

} // namespace exsdk::bingx::requests

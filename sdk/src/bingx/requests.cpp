#include <exsdk/bingx/protocol.hpp>
#include <exsdk/bingx/requests.hpp>

#include <algorithm>
#include <array>
#include <charconv>

namespace exsdk::bingx::requests {

namespace {

// The decimal text of `v` in `buf`.
std::string_view decimal(std::array<char, 24>& buf, std::int64_t v) {
    const auto end = std::to_chars(buf.data(), buf.data() + buf.size(), v).ptr;
    return {buf.data(), static_cast<std::size_t>(end - buf.data())};
}

void user_data_stream(http_request& into, http_method m, std::optional<std::string_view> listen_key,
                      std::int64_t timestamp_ms, std::optional<std::int64_t> rw) {
    if (!listen_key) {
        with_query(into, m, protocol::user_data_stream_path, {}, timestamp_ms, rw);
        return;
    }
    const std::array<param, 1> params{param{protocol::listen_key_param, *listen_key}};
    with_query(into, m, protocol::user_data_stream_path, params, timestamp_ms, rw);
}

} // namespace

void with_query(http_request& into, http_method m, std::string_view path,
                std::span<const param> params, std::int64_t timestamp_ms,
                std::optional<std::int64_t> recv_window_ms) {
    std::array<char, 24> ts{}, rw{};
    std::array<param, 16> all{};
    std::size_t n = 0;
    for (const auto& p : params) {
        all.at(n++) = p;
    }
    all.at(n++) = {protocol::timestamp_param, decimal(ts, timestamp_ms)};
    if (recv_window_ms) {
        all.at(n++) = {protocol::recv_window_param, decimal(rw, *recv_window_ms)};
    }
    std::sort(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(n),
              [](const param& a, const param& b) { return a.first < b.first; });
    into.clear(m);
    // Room for the signature too: signing appends to this target without reallocating.
    into.target.reserve(path.size() + 192);
    into.target.append(path).push_back('?');
    for (std::size_t i = 0; i < n; ++i) {
        if (i != 0) {
            into.target.push_back('&');
        }
        into.target.append(all[i].first).push_back('=');
        into.target.append(all[i].second);
    }
}

http_request with_query(http_method m, std::string_view path, std::span<const param> params,
                        std::int64_t timestamp_ms, std::optional<std::int64_t> recv_window_ms) {
    http_request r;
    with_query(r, m, path, params, timestamp_ms, recv_window_ms);
    return r;
}

void generate_listen_key(http_request& into, std::int64_t timestamp_ms,
                         std::optional<std::int64_t> recv_window_ms) {
    user_data_stream(into, http_method::post, std::nullopt, timestamp_ms, recv_window_ms);
}

void extend_listen_key(http_request& into, std::string_view listen_key, std::int64_t timestamp_ms,
                       std::optional<std::int64_t> recv_window_ms) {
    user_data_stream(into, http_method::put, listen_key, timestamp_ms, recv_window_ms);
}

void delete_listen_key(http_request& into, std::string_view listen_key, std::int64_t timestamp_ms,
                       std::optional<std::int64_t> recv_window_ms) {
    user_data_stream(into, http_method::del, listen_key, timestamp_ms, recv_window_ms);
}

http_request generate_listen_key(std::int64_t timestamp_ms,
                                 std::optional<std::int64_t> recv_window_ms) {
    http_request r;
    generate_listen_key(r, timestamp_ms, recv_window_ms);
    return r;
}

http_request extend_listen_key(std::string_view listen_key, std::int64_t timestamp_ms,
                               std::optional<std::int64_t> recv_window_ms) {
    http_request r;
    extend_listen_key(r, listen_key, timestamp_ms, recv_window_ms);
    return r;
}

http_request delete_listen_key(std::string_view listen_key, std::int64_t timestamp_ms,
                               std::optional<std::int64_t> recv_window_ms) {
    http_request r;
    delete_listen_key(r, listen_key, timestamp_ms, recv_window_ms);
    return r;
}

http_request server_time() {
    return http_request::get(protocol::server_time_path);
}

} // namespace exsdk::bingx::requests

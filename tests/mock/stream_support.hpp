// Helpers of the websocket stream tests: a fixture that issues listen keys over REST (signed with
// the spec's test vectors) and opens sockets with the tests' own websocket client.
#pragma once

#include "support.hpp"
#include "ws_client.hpp"

#include <exsdk/mock/stream_push.hpp>

#include <string>
#include <string_view>

namespace mocktest {

class stream_fixture : public mock_fixture {
protected:
    void SetUp() override { start(); }

    /// A fresh WOO X authKey for `key` (POST /v3/account/listenKey).
    std::string woox_key(std::string_view key = demo::woox_key,
                         std::string_view secret = demo::woox_secret) {
        auto c = client();
        auto r = woox(c, "POST", "/v3/account/listenKey", R"({"type":"WEBSOCKET"})", key, secret);
        EXPECT_EQ(r.status, 200u) << r.body;
        return std::string(parse_json(r.body).at("data").at("authKey").as_string());
    }

    /// A fresh BingX listenKey (POST userDataStream, signed).
    std::string bingx_key(std::string_view key = demo::bingx_key,
                          std::string_view secret = demo::bingx_secret) {
        auto c = client();
        auto r = bingx(c, "POST", "/openApi/user/auth/userDataStream", {}, key, secret);
        EXPECT_EQ(r.status, 200u) << r.body;
        return std::string(parse_json(r.body).at("listenKey").as_string());
    }

    http_response bingx_extend(std::string_view listen_key) {
        auto c = client();
        return bingx(c, "PUT", "/openApi/user/auth/userDataStream",
                     "listenKey=" + std::string(listen_key));
    }

    http_response bingx_delete(std::string_view listen_key) {
        auto c = client();
        return bingx(c, "DELETE", "/openApi/user/auth/userDataStream",
                     "listenKey=" + std::string(listen_key));
    }

    ws_client ws(std::string local_address = {}) {
        ws_options o;
        o.local_address = std::move(local_address);
        return ws_client(port(), o);
    }

    /// A connected socket (fails the test when the upgrade is refused).
    ws_client open(std::string_view target) {
        auto c = ws();
        EXPECT_TRUE(c.connect(target)) << target << " -> " << c.status() << " " << c.body();
        return c;
    }
    ws_client open_woox(std::string_view auth_key) {
        return open("/v3/private?key=" + std::string(auth_key));
    }
    ws_client open_swap(std::string_view listen_key) {
        return open("/swap-market?listenKey=" + std::string(listen_key));
    }
    ws_client open_spot(std::string_view listen_key) {
        return open("/market?listenKey=" + std::string(listen_key));
    }

    /// Admin API call on a fresh connection.
    http_response admin(std::string_view method, std::string_view path, std::string_view b = {}) {
        auto c = client();
        return c.request(method, path, {{"Content-Type", "application/json"}}, b);
    }

    std::size_t push(std::string exchange, std::string topic, std::string data,
                     std::string api_key = {}, std::int64_t account_id = 0) {
        exsdk::mock::stream_push p;
        p.exchange = std::move(exchange);
        p.topic = std::move(topic);
        p.data = std::move(data);
        p.api_key = std::move(api_key);
        p.account_id = account_id;
        if (p.api_key.empty() && p.account_id == 0) {
            p.api_key = p.exchange == "woox" ? demo::woox_key : demo::bingx_key;
        }
        return server().push_event(p);
    }

    /// The journal entries of `kind`.
    std::vector<exsdk::mock::journal_entry> entries(std::string_view kind) {
        std::vector<exsdk::mock::journal_entry> out;
        for (auto& e : server().journal()) {
            if (e.kind == kind) {
                out.push_back(std::move(e));
            }
        }
        return out;
    }
};

/// The JSON of a frame (text, or gunzipped binary).
inline boost::json::value frame_json(const ws_event& ev) {
    EXPECT_TRUE(ev.is_message()) << "not a frame: " << ev.error << ev.reason;
    return parse_json(ev.data);
}

} // namespace mocktest

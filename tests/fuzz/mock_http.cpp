// The mock exchange's request handling, sans-io, from raw bytes: the bytes go through Beast's
// request parser with the server's limits, become the request the connection coroutine builds,
// then take the server's path (413/431/400 for bad framing, the websocket seam's admission for
// upgrades, router.route() for WOO X, BingX and the admin API, handle() after a delay fault).
// Several pipelined requests per input reach stateful paths (a key created, then extended, the
// journal read back). The first byte holds options: bit 0 re-signs every exchange request with
// the demo secret of its API key, so mutated queries and bodies get past the signature check to
// the parameter checks behind it.
//
// Properties: no exception escapes (a parser throws nothing at bad input); every status is
// 100..599; no 5xx unless a pending fault asked for it (bad client input is never the server's
// error); every JSON answer is valid JSON (RFC 8259, so valid UTF-8 too).
#include "exchange_api.hpp"
#include "query.hpp"
#include "support.hpp"

#include <exsdk/bingx/protocol.hpp>
#include <exsdk/hmac_sha256.hpp>
#include <exsdk/woox/protocol.hpp>

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace {

namespace http = boost::beast::http;
namespace d = exsdk::mock::detail;
using exsdk::fuzz::check;

/// The request of a parsed message, as connection.cpp's connection coroutine fills it.
struct filled {
    std::vector<d::header_field> headers;
    std::string signature; ///< re-signed: the new x-api-signature value
    std::string target;    ///< re-signed: the new BingX target
    d::request req;
};

void fill(const http::request<http::string_body>& msg, filled& f) {
    f.headers.clear();
    for (const auto& h : msg) {
        f.headers.push_back({h.name_string(), h.value()});
    }
    f.req = {};
    f.req.method = msg.method_string();
    f.req.set_target(msg.target());
    f.req.body = msg.body();
    f.req.peer = "127.0.0.1";
    f.req.headers = f.headers;
}

/// Signs the request again as a client holding the demo secret of its API key would.
void resign(filled& f) {
    const auto area = d::classify(f.req.path);
    if (area == d::area::woox) {
        const auto key = f.req.header(exsdk::woox::protocol::api_key_header);
        const auto ts = f.req.header(exsdk::woox::protocol::timestamp_header);
        const auto secret = exsdk::fuzz::demo::secret_of(key.value_or(""));
        if (secret.empty() || !ts) {
            return;
        }
        f.signature =
            exsdk::hmac_sha256(secret).sign_hex({*ts, f.req.method, f.req.target, f.req.body});
        for (auto& h : f.headers) {
            if (d::iequals(h.name, exsdk::woox::protocol::signature_header)) {
                h.value = f.signature;
            }
        }
    } else if (area == d::area::bingx) {
        const auto key = f.req.header(exsdk::bingx::protocol::api_key_header);
        const auto secret = exsdk::fuzz::demo::secret_of(key.value_or(""));
        if (secret.empty()) {
            return;
        }
        // The query without its signature components, signed raw, the signature appended.
        std::string query;
        std::string_view rest = f.req.query;
        for (;;) {
            const auto amp = rest.find('&');
            const auto part = rest.substr(0, amp);
            if (!part.empty() &&
                part.substr(0, part.find('=')) != exsdk::bingx::protocol::signature_param) {
                query.append(query.empty() ? "" : "&").append(part);
            }
            if (amp == std::string_view::npos) {
                break;
            }
            rest.remove_prefix(amp + 1);
        }
        f.target.assign(f.req.path).append("?").append(query);
        f.target.append(query.empty() ? "" : "&").append(exsdk::bingx::protocol::signature_param);
        f.target.append("=").append(exsdk::hmac_sha256(secret).sign_hex({query}));
        f.req.set_target(f.target);
    }
}

/// Checks one answer (faulted: a pending fault may have written it).
void check_answer(const d::response& res, bool faulted, std::string_view target) {
    check(res.status >= 100 && res.status <= 599, "status outside 100..599", target);
    if (faulted) {
        return; // a fault's status and body are the test's choice
    }
    check(res.status < 500, "a 5xx answer to a client's request",
          std::string(target) + " -> " + res.body);
    if (res.content_type == "application/json" && !res.body.empty()) {
        check(exsdk::fuzz::valid_json(res.body), "an answer that is not valid JSON", res.body);
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) {
        return 0;
    }
    const bool resign_requests = (data[0] & 1U) != 0;
    std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
    exsdk::fuzz::mock_instance mock;
    filled f;
    d::response res;
    for (int n = 0; n < 16 && !in.empty(); ++n) {
        http::request_parser<http::string_body> parser;
        parser.header_limit(static_cast<std::uint32_t>(mock.cfg.max_header_bytes));
        parser.body_limit(mock.cfg.max_body_bytes);
        parser.eager(true);
        boost::system::error_code ec;
        // Every byte left is handed to the parser at once, so "need more" means the client sends
        // nothing more (calling put() again with the same bytes breaks Beast's contract: it
        // asserts, as found by this target).
        while (!parser.is_done()) {
            std::size_t used = 0;
            if (!in.empty()) {
                used = parser.put(boost::asio::buffer(in.data(), in.size()), ec);
                in.remove_prefix(used);
            }
            if (ec && ec != http::error::need_more) {
                break;
            }
            if (ec || used == 0) {
                ec = {};
                parser.put_eof(ec);
                if (ec) {
                    return 0; // a partial message: the server closes without an answer
                }
                break;
            }
        }
        res.clear();
        if (ec == http::error::body_limit) {
            fill(parser.get(), f);
            f.req.body = {};
            mock.router->body_too_large(f.req, res);
            check(res.status == 413 && res.close, "body over the limit not answered 413");
            return 0;
        }
        if (ec) {
            return 0; // 400 / 431 from the connection itself, then close
        }
        const auto& msg = parser.get();
        fill(msg, f);
        if (resign_requests) {
            resign(f);
        }
        if (const auto kind = d::stream_route(f.req.path);
            kind && boost::beast::websocket::is_upgrade(msg)) {
            auto rec = mock.state->streams.admit(*mock.state, *kind, f.req, res);
            if (rec) {
                return 0; // a websocket session takes the connection over
            }
            check(res.close && (res.status == 401 || res.status == 404 || res.status == 429),
                  "a refused upgrade that is not 401/404/429 + close", f.req.target);
            check_answer(res, false, f.req.target);
            return 0;
        }
        bool faulted = false;
        {
            std::lock_guard lock(mock.state->mutex);
            faulted = !mock.state->faults.empty();
        }
        const auto decision = mock.router->route(f.req, res);
        if (decision.what == d::decision::kind::drop) {
            return 0;
        }
        if (decision.what == d::decision::kind::delay) {
            mock.router->handle(f.req, res, "delay");
        }
        check_answer(res, faulted, f.req.target);
        if (!msg.keep_alive() || res.close) {
            return 0;
        }
    }
    return 0;
}

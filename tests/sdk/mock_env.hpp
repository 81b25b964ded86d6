// An embedded mock exchange on the test's own io_context, sharing one manual clock with the SDK
// clients under test: every scenario runs in virtual time, deterministically, without sleeps.
#pragma once

#include "support/virtual_time.hpp"

#include <exsdk/bingx/config.hpp>
#include <exsdk/manual_clock.hpp>
#include <exsdk/mock/server.hpp>
#include <exsdk/mock/stream_push.hpp>
#include <exsdk/woox/config.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include <gtest/gtest.h>

#include <optional>

namespace exsdk::test {

inline constexpr std::int64_t t0_ms = 1'700'000'000'000;

inline credentials woox_demo() {
    return {"AbmyVJGUpN064ks5ELjLfA==", secret("QHKRXHPAW1MC9YGZMAT8YDJG2HPR")};
}
inline credentials woox_trade_only() {
    return {"WooxTradeOnlyDemoKey0001==", secret("WOOXTRADEONLYDEMOSECRET00001")};
}
inline credentials bingx_demo() {
    return {
        "bingx-demo-api-key-0001",
        secret(
            "mheO6dR8ovSsxZQCOYEFCtelpuxcWGTfHw7te326y6jOwq5WpvFQ9JNljoTwBXZGv5It07m9RXSPpDQEK2w")};
}

struct mock_env {
    boost::asio::io_context ioc;
    std::shared_ptr<manual_clock> clk = std::make_shared<manual_clock>(t0_ms);
    std::optional<mock::server> srv;

    explicit mock_env(mock::config cfg = {}) {
        cfg.clock = clk;
        cfg.seed = 42;
        srv.emplace(ioc.get_executor(), std::move(cfg));
        srv->start();
    }
    mock_env(const mock_env&) = delete;
    mock_env& operator=(const mock_env&) = delete;
    ~mock_env() {
        srv->stop();
        drain(ioc);
    }

    mock::server& mock() { return *srv; }

    woox::config woox_config(credentials c = woox_demo()) {
        woox::config cfg;
        cfg.base_url = srv->base_url();
        cfg.credentials = std::move(c);
        cfg.clock = clk;
        cfg.retry.jitter_seed = 7;
        return cfg;
    }

    bingx::config bingx_config(credentials c = bingx_demo()) {
        bingx::config cfg;
        cfg.base_url = srv->base_url();
        cfg.credentials = std::move(c);
        cfg.clock = clk;
        cfg.retry.jitter_seed = 7;
        return cfg;
    }

    /// Runs `op` to completion in virtual time (at most `limit` of it) and returns its result.
    template <class T>
    T run(boost::asio::awaitable<T> op, clock::duration limit = std::chrono::hours(1)) {
        std::optional<T> out;
        boost::asio::co_spawn(
            ioc, [&]() -> boost::asio::awaitable<void> { out.emplace(co_await std::move(op)); },
            boost::asio::detached);
        if (!run_virtual(
                ioc, *clk, [&] { return out.has_value(); }, limit)) {
            ADD_FAILURE() << "the operation did not complete";
            return T(exsdk::error(exsdk::errc::timeout, "did not complete in virtual time"));
        }
        return std::move(*out);
    }

    /// The mock's websocket URL for `path` ("/v3/private", "/market", "/swap-market").
    std::string ws_url(std::string_view path) const {
        std::string u = srv->base_url();
        u.replace(0, 4, "ws");
        return u + std::string(path);
    }

    /// Journal entries with the given exchange code.
    std::size_t answered(std::int64_t code) {
        std::size_t n = 0;
        for (const auto& e : srv->journal()) {
            n += e.code == code ? 1 : 0;
        }
        return n;
    }
};

/// One event for the mock's account streams.
inline mock::stream_push push(std::string exchange, std::string api_key, std::string topic,
                              std::string data) {
    mock::stream_push p;
    p.exchange = std::move(exchange);
    p.api_key = std::move(api_key);
    p.topic = std::move(topic);
    p.data = std::move(data);
    return p;
}

} // namespace exsdk::test

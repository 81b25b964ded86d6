// A listen-key session's run() plus a consumer recording every update with its virtual time,
// against the mock exchange of mock_env: the session tests' driver.
#pragma once

#include "mock_env.hpp"

#include <exsdk/bingx/listen_key_session.hpp>
#include <exsdk/woox/listen_key_session.hpp>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>

#include <optional>
#include <utility>
#include <vector>

namespace exsdk::test {

template <class Session>
struct update_of;
template <>
struct update_of<exsdk::woox::listen_key_session> {
    using type = exsdk::woox::session_update;
};
template <>
struct update_of<exsdk::bingx::listen_key_session> {
    using type = exsdk::bingx::session_update;
};

// A session's run() plus a consumer recording every update with its virtual time.
template <class Session>
struct running {
    using update = typename update_of<Session>::type;
    mock_env& env;
    Session& session;
    boost::asio::cancellation_signal stop_signal;
    std::optional<exsdk::result<void>> ended;
    std::vector<std::pair<exsdk::clock::time_point, update>> updates;
    bool consumer_done = false;

    running(mock_env& e, Session& s) : env(e), session(s) {
        boost::asio::co_spawn(
            env.ioc, session.run(),
            boost::asio::bind_cancellation_slot(
                stop_signal.slot(), [this](std::exception_ptr ep, exsdk::result<void> r) {
                    EXPECT_FALSE(ep);
                    ended = std::move(r);
                }));
        boost::asio::co_spawn(
            env.ioc,
            [this]() -> boost::asio::awaitable<void> {
                for (;;) {
                    auto u = co_await session.next();
                    if (!u) {
                        break;
                    }
                    updates.emplace_back(env.clk->now(), std::move(*u));
                }
                consumer_done = true;
            },
            boost::asio::detached);
    }

    std::size_t count(session_status s) const {
        std::size_t n = 0;
        for (const auto& [t, u] : updates) {
            n += u.status == s ? 1 : 0;
        }
        return n;
    }

    bool wait_connected(std::size_t n = 1) {
        return exsdk::test::run_virtual(
            env.ioc, *env.clk, [&] { return count(exsdk::session_status::connected) >= n; },
            std::chrono::hours(1));
    }

    void stop() {
        stop_signal.emit(boost::asio::cancellation_type::terminal);
        EXPECT_TRUE(exsdk::test::run_virtual(
            env.ioc, *env.clk, [&] { return ended.has_value() && consumer_done; },
            std::chrono::minutes(1)));
    }
};

} // namespace exsdk::test

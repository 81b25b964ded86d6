// detail::async_semaphore: FIFO permits (priority waiters first) with per-operation cancellation.
#include "detail/async_semaphore.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/io_context.hpp>

#include <gtest/gtest.h>

#include <vector>

namespace asio = boost::asio;

namespace {

TEST(async_semaphore, grants_in_fifo_order) {
    asio::io_context ioc;
    exsdk::detail::async_semaphore sem(ioc.get_executor(), 1);
    ASSERT_TRUE(sem.try_acquire());
    EXPECT_FALSE(sem.try_acquire());
    std::vector<int> order;
    for (int i = 0; i < 3; ++i) {
        sem.async_acquire([&, i](boost::system::error_code ec) {
            EXPECT_FALSE(ec);
            order.push_back(i);
        });
    }
    ioc.poll();
    EXPECT_TRUE(order.empty());
    EXPECT_EQ(sem.waiting(), 3u);
    for (int i = 0; i < 3; ++i) {
        sem.release();
        ioc.poll();
    }
    EXPECT_EQ(order, (std::vector<int>{0, 1, 2}));
    sem.release();
    EXPECT_EQ(sem.available(), 1u);
}

TEST(async_semaphore, priority_waiters_go_first_and_fifo_among_themselves) {
    asio::io_context ioc;
    exsdk::detail::async_semaphore sem(ioc.get_executor(), 1);
    ASSERT_TRUE(sem.try_acquire());
    std::vector<int> order;
    for (int i = 0; i < 4; ++i) {
        const bool priority = i >= 2; // 0, 1 normal; 2, 3 priority
        sem.async_acquire(
            [&, i](boost::system::error_code ec) {
                EXPECT_FALSE(ec);
                order.push_back(i);
            },
            priority);
    }
    for (int i = 0; i < 4; ++i) {
        sem.release();
        ioc.poll();
    }
    EXPECT_EQ(order, (std::vector<int>{2, 3, 0, 1}));
}

// The sequence that breaks Asio 1.81's buffered channel: the only waiter is cancelled, then a
// permit is returned. Here the permit must stay available.
TEST(async_semaphore, cancelled_waiter_takes_nothing) {
    asio::io_context ioc;
    exsdk::detail::async_semaphore sem(ioc.get_executor(), 1);
    ASSERT_TRUE(sem.try_acquire());
    asio::cancellation_signal sig;
    boost::system::error_code result;
    sem.async_acquire(asio::bind_cancellation_slot(
        sig.slot(), [&](boost::system::error_code ec) { result = ec; }));
    ioc.poll();
    sig.emit(asio::cancellation_type::terminal);
    ioc.poll();
    EXPECT_EQ(result, asio::error::operation_aborted);
    EXPECT_EQ(sem.waiting(), 0u);
    sem.release();
    EXPECT_EQ(sem.available(), 1u);
    EXPECT_TRUE(sem.try_acquire());
}

} // namespace

#include "support/virtual_time.hpp"

namespace exsdk::test {

std::size_t drain(boost::asio::io_context& ioc) {
    std::size_t total = 0;
    for (;;) {
        if (ioc.stopped()) {
            ioc.restart();
        }
        const std::size_t n = ioc.poll();
        if (n == 0) {
            return total;
        }
        total += n;
    }
}

bool run_virtual(boost::asio::io_context& ioc, manual_clock& clk, const std::function<bool()>& done,
                 clock::duration limit) {
    const auto end = clk.now() + limit;
    for (;;) {
        drain(ioc);
        if (done()) {
            return true;
        }
        const auto next = clk.next_deadline();
        if (!next || *next > end) {
            return done();
        }
        clk.advance_to_next();
    }
}

void advance(boost::asio::io_context& ioc, manual_clock& clk, clock::duration d) {
    const auto end = clk.now() + d;
    for (;;) {
        drain(ioc);
        const auto next = clk.next_deadline();
        if (!next || *next > end) {
            break;
        }
        clk.advance_to_next();
    }
    if (clk.now() < end) {
        clk.advance(end - clk.now());
    }
    drain(ioc);
}

} // namespace exsdk::test

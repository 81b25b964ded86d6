// The Redis limit store's per-call limiter (redis_call_limiter.hpp): reserve, wait, confirm,
// release; the local fallback per call; holds.
#include "redis/redis_call_limiter.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <optional>
#include <string_view>

namespace exsdk::detail::redis {

using boost::system::error_code;
using std::chrono::microseconds;

namespace {

// "<prefix><number>" in a buffer of its own (member ids, times): no heap per call.
class number_text {
public:
    number_text(std::string_view prefix, std::int64_t n) {
        const auto p = std::min(prefix.size(), buf_.size() - 24);
        std::copy_n(prefix.data(), p, buf_.data());
        const auto r = std::to_chars(buf_.data() + p, buf_.data() + buf_.size(), n);
        size_ = static_cast<std::size_t>(r.ptr - buf_.data());
    }
    std::string_view view() const { return {buf_.data(), size_}; }

private:
    std::array<char, 64> buf_{};
    std::size_t size_ = 0;
};

class redis_call_limiter final : public call_limiter,
                                 public std::enable_shared_from_this<redis_call_limiter> {
public:
    using store_impl = store_state;

    redis_call_limiter(std::shared_ptr<store_impl> store,
                       std::vector<std::shared_ptr<store_limit>> limits)
        : store_(std::move(store)), limits_(std::move(limits)), script_(scripts_of(limits_)),
          command_(script_, store_->slack()) {
        for (const auto& l : limits_) {
            fallback_ok_ = fallback_ok_ && l->fallback != nullptr;
            fallback_[fallback_size_++] = l->fallback.get();
        }
    }

    asio::awaitable<error_code> acquire() override {
        return detail::on_strand(store_->strand, acquire_body(shared_from_this()));
    }

    asio::awaitable<void> hold_for(clock::duration wait) override {
        return detail::on_strand(store_->strand, hold_body(shared_from_this(), wait));
    }

    std::string failure_reason() const override { return store_->get_reason(); }

private:
    static asio::awaitable<error_code> acquire_body(std::shared_ptr<redis_call_limiter> self) {
        co_await asio::this_coro::throw_if_cancelled(false);
        auto& st = *self->store_;
        if (st.stopped) {
            co_return self->unavailable();
        }
        if (st.local) {
            co_return co_await self->acquire_local();
        }
        // The per-call arguments, formatted on the stack.
        number_text member(st.member_prefix, static_cast<std::int64_t>(st.next_member++));
        std::optional<std::int64_t> confirm;
        bool rechecked = false;
        for (;;) {
            const auto sent = st.clk->now();
            const auto now = st.script_now();
            const number_text now_text({}, now.value_or(0));
            const number_text confirm_text({}, confirm.value_or(0));
            auto [ec, rep] = co_await st.eval([&](std::string& out, bool by_body) {
                self->command_.append(out, by_body, now ? now_text.view() : std::string_view(),
                                      member.view(),
                                      confirm ? confirm_text.view() : std::string_view());
            });
            const auto cs = co_await asio::this_coro::cancellation_state;
            if (cs.cancelled() != asio::cancellation_type::none) {
                self->release(member.view()); // the script may have run: give it back
                co_return make_error_code(errc::cancelled);
            }
            std::optional<acquire_reply> a;
            if (!ec) {
                auto parsed = parse_acquire(rep.view());
                if (parsed) {
                    a = *parsed;
                } else {
                    // A server that answers errors cannot be relied on: treat it as lost.
                    st.conn->reset(parsed.error().message);
                    st.set_reason("Redis limit store " + st.url_text + ": " +
                                  parsed.error().message);
                }
            } else {
                st.set_reason(
                    "Redis limit store " + st.url_text + " unavailable: " +
                    (st.conn->last_error().empty() ? ec.message() : st.conn->last_error()));
            }
            if (!a) {
                self->release(member.view());
                co_return co_await self->on_failure();
            }
            const auto received = st.clk->now();
            if (a->confirmed) {
                break;
            }
            const auto start = st.to_local(*a, received);
            if (start <= received) {
                // A start granted now goes now, unless the answer took longer than the margin
                // to arrive (a descheduled process): then the server checks the lateness once.
                if (rechecked || received - sent <= self->command_.late_tolerance()) {
                    break;
                }
                rechecked = true;
                confirm = a->start_us;
                continue;
            }
            timer t(st.strand, st.clk);
            t.expires_at(start);
            store_state::waiter w{&t};
            st.waiters.push_back(&w);
            auto [wait_ec] = co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
            std::erase(st.waiters, &w);
            if (w.lost) {
                const auto state = co_await asio::this_coro::cancellation_state;
                if (state.cancelled() != asio::cancellation_type::none) {
                    co_return make_error_code(errc::cancelled);
                }
                co_return co_await self->on_failure(); // Redis went away during the wait
            }
            if (wait_ec) {
                self->release(member.view());
                co_return make_error_code(errc::cancelled);
            }
            // Confirm before going: a hold may have come in meanwhile (then the reservation
            // moves behind it), a descheduled process may be late for its turn (then it queues
            // again), and Redis must still be there.
            confirm = a->start_us;
        }
        st.acquires.fetch_add(1, std::memory_order_relaxed);
        co_return error_code{};
    }

    // Redis failed this call: the policy decides.
    asio::awaitable<error_code> on_failure() {
        auto& st = *store_;
        if (st.cfg.on_failure != redis_failure_policy::local_fallback || st.stopped) {
            co_return unavailable();
        }
        st.enter_fallback();
        co_return co_await acquire_local();
    }

    asio::awaitable<error_code> acquire_local() {
        if (!fallback_ok_) {
            store_->set_reason("Redis unavailable and the local_fallback share of this call's "
                               "limits is below one request per window");
            co_return unavailable();
        }
        auto ec = co_await sliding_window_limiter::acquire_all({fallback_.data(), fallback_size_});
        if (!ec) {
            store_->local_acquires.fetch_add(1, std::memory_order_relaxed);
        }
        co_return ec;
    }

    error_code unavailable() {
        store_->unavailable.fetch_add(1, std::memory_order_relaxed);
        return make_error_code(errc::limiter_unavailable);
    }

    void release(std::string_view member) {
        std::string cmd;
        append_release(cmd, script_, member);
        store_->conn->send(std::move(cmd));
    }

    static asio::awaitable<void> hold_body(std::shared_ptr<redis_call_limiter> self,
                                           clock::duration wait) {
        co_await asio::this_coro::throw_if_cancelled(false);
        auto& st = *self->store_;
        if (self->fallback_[0] != nullptr) {
            self->fallback_[0]->hold_until(st.clk->now() + wait);
        }
        if (st.stopped || st.local) {
            co_return;
        }
        const auto us = std::chrono::duration_cast<microseconds>(wait);
        (void)co_await st.eval([&](std::string& out, bool by_body) {
            append_hold(out, by_body, self->script_.front(), st.script_now(), us, st.slack());
        });
    }

    static std::vector<script_limit>
    scripts_of(const std::vector<std::shared_ptr<store_limit>>& limits) {
        std::vector<script_limit> out;
        for (const auto& l : limits) {
            out.push_back(l->script);
        }
        return out;
    }

    std::shared_ptr<store_impl> store_;
    std::vector<std::shared_ptr<store_limit>> limits_;
    std::vector<script_limit> script_;
    acquire_command command_;
    std::array<sliding_window_limiter*, sliding_window_limiter::max_limiters_per_call> fallback_{};
    std::size_t fallback_size_ = 0;
    bool fallback_ok_ = true;
};

} // namespace

std::shared_ptr<call_limiter> make_call_limiter(std::shared_ptr<store_state> store,
                                                std::vector<std::shared_ptr<store_limit>> limits) {
    return std::make_shared<redis_call_limiter>(std::move(store), std::move(limits));
}

} // namespace exsdk::detail::redis

#include "detail/pending_handler.hpp"

#include <exsdk/clock.hpp>
#include <exsdk/manual_clock.hpp>

#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/error.hpp>

#include <map>
#include <vector>

namespace exsdk {
namespace {

class real_clock final : public clock {
public:
    wall_time wall_now() const noexcept override { return std::chrono::system_clock::now(); }
    time_point now() const noexcept override { return std::chrono::steady_clock::now(); }
};

} // namespace

const std::shared_ptr<clock>& system_clock() {
    static const std::shared_ptr<clock> instance = std::make_shared<real_clock>();
    return instance;
}

// ---------------------------------------------------------------------------------------------
// manual_clock
// ---------------------------------------------------------------------------------------------

struct manual_clock::wait_list {
    // Key: (deadline ns, id): deadline order, ties in scheduling order.
    std::map<std::pair<std::int64_t, std::uint64_t>, detail::pending_handler> by_deadline;
    std::map<std::uint64_t, std::int64_t> deadline_of;
};

manual_clock::~manual_clock() = default;

manual_clock::manual_clock(wall_time start)
    : now_ns_(
          std::chrono::duration_cast<std::chrono::nanoseconds>(start.time_since_epoch()).count()),
      waits_(std::make_unique<wait_list>()) {}

clock::wall_time manual_clock::wall_now() const noexcept {
    return wall_time(std::chrono::duration_cast<wall_time::duration>(
        std::chrono::nanoseconds(now_ns_.load(std::memory_order_acquire))));
}

clock::time_point manual_clock::now() const noexcept {
    return time_point(std::chrono::duration_cast<time_point::duration>(
        std::chrono::nanoseconds(now_ns_.load(std::memory_order_acquire))));
}

void manual_clock::advance(duration d) {
    if (d <= duration::zero()) {
        return;
    }
    now_ns_.fetch_add(std::chrono::duration_cast<std::chrono::nanoseconds>(d).count(),
                      std::memory_order_acq_rel);
    fire_due();
}

void manual_clock::set(wall_time t) {
    now_ns_.store(
        std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count(),
        std::memory_order_release);
    fire_due();
}

std::optional<clock::time_point> manual_clock::next_deadline() const {
    std::lock_guard lock(mutex_);
    if (waits_->by_deadline.empty()) {
        return std::nullopt;
    }
    return time_point(std::chrono::duration_cast<time_point::duration>(
        std::chrono::nanoseconds(waits_->by_deadline.begin()->first.first)));
}

bool manual_clock::advance_to_next() {
    auto next = next_deadline();
    if (!next) {
        return false;
    }
    auto current = now();
    if (*next > current) {
        advance(*next - current);
    } else {
        fire_due();
    }
    return true;
}

std::size_t manual_clock::pending() const {
    std::lock_guard lock(mutex_);
    return waits_->by_deadline.size();
}

bool manual_clock::is_pending(std::uint64_t id) const {
    std::lock_guard lock(mutex_);
    return waits_->deadline_of.contains(id);
}

std::uint64_t manual_clock::schedule(time_point deadline, boost::asio::any_io_executor ex,
                                     wait_handler h) {
    const auto deadline_ns =
        std::chrono::duration_cast<std::chrono::nanoseconds>(deadline.time_since_epoch()).count();
    auto slot = boost::asio::get_associated_cancellation_slot(h);
    detail::pending_handler w(std::move(ex), std::move(h));
    if (deadline_ns <= now_ns_.load(std::memory_order_acquire)) {
        std::move(w).complete({});
        return 0;
    }
    std::lock_guard lock(mutex_);
    const std::uint64_t id = next_id_++;
    waits_->by_deadline.emplace(std::pair{deadline_ns, id}, std::move(w));
    waits_->deadline_of.emplace(id, deadline_ns);
    // Under the lock, so a concurrent advance() cannot complete (and clear the slot) first.
    if (slot.is_connected()) {
        slot.assign([this, id](boost::asio::cancellation_type type) {
            if (type != boost::asio::cancellation_type::none) {
                cancel(id);
            }
        });
    }
    return id;
}

std::size_t manual_clock::cancel(std::uint64_t id) {
    std::optional<detail::pending_handler> w;
    {
        std::lock_guard lock(mutex_);
        auto it = waits_->deadline_of.find(id);
        if (it == waits_->deadline_of.end()) {
            return 0;
        }
        auto node = waits_->by_deadline.extract(std::pair{it->second, id});
        waits_->deadline_of.erase(it);
        w.emplace(std::move(node.mapped()));
    }
    std::move(*w).complete(boost::asio::error::operation_aborted);
    return 1;
}

void manual_clock::fire_due() {
    std::vector<detail::pending_handler> due;
    {
        std::lock_guard lock(mutex_);
        const auto now_ns = now_ns_.load(std::memory_order_acquire);
        while (!waits_->by_deadline.empty() && waits_->by_deadline.begin()->first.first <= now_ns) {
            auto node = waits_->by_deadline.extract(waits_->by_deadline.begin());
            waits_->deadline_of.erase(node.key().second);
            due.push_back(std::move(node.mapped()));
        }
    }
    for (auto& w : due) {
        std::move(w).complete({});
    }
}

} // namespace exsdk

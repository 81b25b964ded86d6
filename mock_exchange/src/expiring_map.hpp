// expiring_map: a hash map whose entries end on the mock's clock (rate windows, disabled
// periods, error counters per UID, IP or API key). Each entry has a check time; sweep(now, next)
// asks next(value, now) about the entries whose check time has come: nullopt erases the entry
// (its windows are over), a time is when to ask again. A sweep does only the due work, O(k log n)
// for the k entries due, so a request never scans the whole map, and a manual clock advanced far
// empties the map at the next sweep.
// Not thread-safe: it lives in the shared state, under its mutex.
#pragma once

#include <exsdk/clock.hpp>

#include <cstddef>
#include <functional>
#include <optional>
#include <queue>
#include <unordered_map>
#include <utility>
#include <vector>

namespace exsdk::mock::detail {

template <class Key, class Value, class Hash = std::hash<Key>, class KeyEqual = std::equal_to<>>
class expiring_map {
public:
    using time_point = clock::time_point;
    using map_type = std::unordered_map<Key, Value, Hash, KeyEqual>;

    template <class K>
    Value* find(const K& k) {
        auto it = map_.find(k);
        return it == map_.end() ? nullptr : &it->second;
    }

    /// The entry for `k`; a new one is first checked at `check_at`.
    template <class K>
    Value& get(const K& k, time_point check_at) {
        auto it = map_.find(k);
        if (it == map_.end()) {
            it = map_.emplace(Key(k), Value{}).first;
            checks_.emplace(check_at, it->first);
        }
        return it->second;
    }

    /// Erases the due entries that are over; `next(Value&, time_point now)` returns nullopt
    /// when the entry is over, else when to check it again.
    template <class Next>
    void sweep(time_point now, Next&& next) {
        while (!checks_.empty() && checks_.top().first <= now) {
            Key k = checks_.top().second;
            checks_.pop();
            auto it = map_.find(k);
            if (it == map_.end()) {
                continue;
            }
            if (auto again = next(it->second, now)) {
                checks_.emplace(std::max(*again, now + std::chrono::milliseconds(1)), std::move(k));
            } else {
                map_.erase(it);
            }
        }
    }

    std::size_t size() const noexcept { return map_.size(); }
    void clear() {
        map_.clear();
        checks_ = {};
    }
    const map_type& entries() const noexcept { return map_; }

private:
    using check = std::pair<time_point, Key>;
    map_type map_;
    /// One pending check per entry, earliest first.
    std::priority_queue<check, std::vector<check>, std::greater<>> checks_;
};

} // namespace exsdk::mock::detail

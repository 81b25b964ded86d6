// journal_log: the mock's journal, bounded in entries and in bytes (config journal_capacity and
// journal_max_bytes; either 0 switches it off). The oldest entries leave first; the newest one is
// always kept, even when it alone is larger than the byte budget (a target is at most
// max_header_bytes long). Bytes are the entry's footprint: the struct plus its strings' heap
// buffers. Not thread-safe: it lives in the shared state, under its mutex.
#pragma once

#include <exsdk/mock/journal.hpp>

#include <cstddef>
#include <deque>
#include <string>

namespace exsdk::mock::detail {

class journal_log {
public:
    journal_log(std::size_t max_entries, std::size_t max_bytes)
        : max_entries_(max_entries), max_bytes_(max_bytes) {}

    bool enabled() const noexcept { return max_entries_ != 0 && max_bytes_ != 0; }

    void push(journal_entry e) {
        if (!enabled()) {
            return;
        }
        const std::size_t n = footprint(e);
        while (!entries_.empty() && (entries_.size() >= max_entries_ || bytes_ + n > max_bytes_)) {
            bytes_ -= footprint(entries_.front());
            entries_.pop_front();
        }
        bytes_ += n;
        entries_.push_back(std::move(e));
    }

    void clear() noexcept {
        entries_.clear();
        bytes_ = 0;
    }

    std::size_t size() const noexcept { return entries_.size(); }
    std::size_t bytes() const noexcept { return bytes_; }
    auto begin() const noexcept { return entries_.begin(); }
    auto end() const noexcept { return entries_.end(); }

    /// What one entry holds: the struct and the heap buffers of its strings.
    static std::size_t footprint(const journal_entry& e) noexcept {
        const auto heap = [](const std::string& s) {
            return s.capacity() > std::string().capacity() ? s.capacity() + 1 : 0;
        };
        return sizeof(journal_entry) + heap(e.exchange) + heap(e.kind) + heap(e.method) +
               heap(e.target) + heap(e.api_key) + heap(e.peer) + heap(e.fault);
    }

private:
    std::size_t max_entries_;
    std::size_t max_bytes_;
    std::deque<journal_entry> entries_;
    std::size_t bytes_ = 0;
};

} // namespace exsdk::mock::detail

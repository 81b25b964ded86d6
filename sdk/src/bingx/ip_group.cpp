#include <exsdk/bingx/ip_group.hpp>

#include <tuple>

namespace exsdk::bingx {

ip_group::ip_group(rate_limit group, rate_limit endpoint, std::shared_ptr<clock> clk)
    : endpoint_limit_(endpoint), clock_(std::move(clk)), group_(group, clock_) {}

sliding_window_limiter& ip_group::endpoint(std::string_view method_and_path) {
    std::lock_guard lock(mutex_);
    auto it = endpoints_.find(method_and_path);
    if (it == endpoints_.end()) {
        it = endpoints_
                 .emplace(std::string(method_and_path),
                          std::make_unique<sliding_window_limiter>(endpoint_limit_, clock_))
                 .first;
    }
    return *it->second;
}

std::shared_ptr<ip_group> ip_group::shared(const std::string& host_key, rate_limit group,
                                           rate_limit endpoint, const std::shared_ptr<clock>& clk) {
    using key =
        std::tuple<std::string, const clock*, std::size_t, std::int64_t, std::size_t, std::int64_t>;
    static std::mutex registry_mutex;
    static std::map<key, std::weak_ptr<ip_group>> registry;
    const key k{host_key,          clk.get(),
                group.requests,    group.window.count(),
                endpoint.requests, endpoint.window.count()};
    std::lock_guard lock(registry_mutex);
    // Forget groups no client uses any more.
    std::erase_if(registry, [](const auto& entry) { return entry.second.expired(); });
    if (auto existing = registry[k].lock()) {
        return existing;
    }
    auto created = std::make_shared<ip_group>(group, endpoint, clk);
    registry[k] = created;
    return created;
}

} // namespace exsdk::bingx

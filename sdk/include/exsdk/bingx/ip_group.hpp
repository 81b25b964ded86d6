// BingX's account IP group limits (2000 requests / 10 s per IP over the group, 300 / 10 s per
// endpoint per IP) are shared by every client in the process that talks to the same host, so
// they live here, process-wide, and each client holds a reference.
#pragma once

#include <exsdk/clock.hpp>
#include <exsdk/rate_limit.hpp>
#include <exsdk/sliding_window_limiter.hpp>

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

namespace exsdk::bingx {

class ip_group {
public:
    ip_group(rate_limit group, rate_limit endpoint, std::shared_ptr<clock> clk);

    /// The process-wide group for `host_key` ("open-api.bingx.com:443") on clock `clk` with these
    /// limits: every client asking with the same arguments gets the same object.
    static std::shared_ptr<ip_group> shared(const std::string& host_key, rate_limit group,
                                            rate_limit endpoint, const std::shared_ptr<clock>& clk);

    /// The limiter over every request of the group.
    sliding_window_limiter& group() noexcept { return group_; }
    /// The limiter of one endpoint ("POST /openApi/user/auth/userDataStream").
    sliding_window_limiter& endpoint(std::string_view method_and_path);

private:
    rate_limit endpoint_limit_;
    std::shared_ptr<clock> clock_;
    sliding_window_limiter group_;
    std::mutex mutex_;
    std::map<std::string, std::unique_ptr<sliding_window_limiter>, std::less<>> endpoints_;
};

} // namespace exsdk::bingx

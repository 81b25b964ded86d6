#include <exsdk/error.hpp>

#include <boost/throw_exception.hpp>

#include <cstdio>
#include <ostream>
#include <sstream>
#include <utility>

namespace exsdk {
namespace {

class category_impl final : public boost::system::error_category {
public:
    // A fixed id makes codes compare equal across shared-library boundaries.
    constexpr category_impl() noexcept : error_category(0x9e3779b97f4a7c15ULL) {}
    const char* name() const noexcept override { return "exsdk"; }
    std::string message(int ev) const override { return to_string(static_cast<errc>(ev)); }
};

constexpr category_impl category_instance;

} // namespace

const boost::system::error_category& error_category() noexcept {
    return category_instance;
}

const char* to_string(errc e) noexcept {
    switch (e) {
    case errc::unauthorized: return "unauthorized";
    case errc::invalid_signature: return "invalid_signature";
    case errc::timestamp_rejected: return "timestamp_rejected";
    case errc::ip_not_allowed: return "ip_not_allowed";
    case errc::permission_denied: return "permission_denied";
    case errc::not_found: return "not_found";
    case errc::rate_limited: return "rate_limited";
    case errc::banned: return "banned";
    case errc::bad_request: return "bad_request";
    case errc::server_error: return "server_error";
    case errc::network: return "network";
    case errc::timeout: return "timeout";
    case errc::protocol: return "protocol";
    case errc::cancelled: return "cancelled";
    case errc::invalid_argument: return "invalid_argument";
    case errc::events_dropped: return "events_dropped";
    case errc::limiter_unavailable: return "limiter_unavailable";
    case errc::unexpected_response: return "unexpected_response";
    }
    return "unknown";
}

namespace {

// "850 us", "12.3 ms", "2.01 s": three significant digits at most, never scientific.
void write_duration(std::ostream& os, std::chrono::nanoseconds d) {
    const double ns = static_cast<double>(d.count());
    const auto [value, unit] = ns < 1e6   ? std::pair{ns / 1e3, " us"}
                               : ns < 1e9 ? std::pair{ns / 1e6, " ms"}
                                          : std::pair{ns / 1e9, " s"};
    char buf[32];
    const int decimals = value < 10 ? 2 : value < 100 ? 1 : 0;
    const int n = std::snprintf(buf, sizeof buf, "%.*f", decimals, value);
    os.write(buf, n > 0 ? n : 0) << unit;
}

} // namespace

std::ostream& operator<<(std::ostream& os, const error& e) {
    os << (e.code.category() == error_category() ? e.code.message() : e.code.to_string());
    if (e.exchange_code != 0 || e.http_status != 0) {
        os << " (";
        if (e.exchange_code != 0) {
            os << "exchange " << e.exchange_code << (e.http_status != 0 ? ", " : "");
        }
        if (e.http_status != 0) {
            os << "HTTP " << e.http_status;
        }
        os << ')';
    }
    if (!e.message.empty()) {
        os << ": " << e.message;
    }
    if (e.retry_after) {
        os << " [retry after "
           << std::chrono::duration_cast<std::chrono::milliseconds>(
                  e.retry_after->time_since_epoch())
                  .count()
           << " ms]";
    }
    if (!e.operation.empty()) {
        os << " [" << e.operation;
        if (!e.method.empty()) {
            os << ' ' << e.method << ' ' << e.path;
        }
        os << "; " << e.attempts << (e.attempts == 1 ? " attempt" : " attempts") << " in ";
        write_duration(os, e.elapsed);
        if (e.http_status != 0) {
            os << (e.exchange_answer ? "; the exchange's answer" : "; not the exchange's answer");
        }
        os << ']';
    }
    return os;
}

std::string to_string(const error& e) {
    std::ostringstream os;
    os << e;
    return os.str();
}

exception::exception(exsdk::error e)
    : boost::system::system_error(e.code, to_string(e)), error_(std::move(e)) {}

void throw_exception_from_error(const error& e, const boost::source_location& loc) {
    boost::throw_exception(exception(e), loc);
}

} // namespace exsdk

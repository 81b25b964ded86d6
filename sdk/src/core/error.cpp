#include <exsdk/error.hpp>

#include <boost/throw_exception.hpp>

#include <ostream>
#include <sstream>

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
    }
    return "unknown";
}

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

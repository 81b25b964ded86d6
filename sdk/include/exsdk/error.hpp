// exsdk::errc, the project's error category, and exsdk::error: what every SDK call reports on
// failure. Errors are values: calls return exsdk::result<T> and never throw on the hot path.
#pragma once

#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>

#include <chrono>
#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>

namespace exsdk {

/// Why a call failed, independent of the exchange. Compare with `err.code == errc::rate_limited`.
enum class errc : int {
    unauthorized = 1,   ///< missing, unknown or revoked API key
    invalid_signature,  ///< the exchange rejected the signature
    timestamp_rejected, ///< request timestamp outside the exchange's window (clock skew)
    ip_not_allowed,     ///< the caller's IP is not on the key's whitelist
    permission_denied,  ///< the API key lacks the permission the endpoint needs
    not_found,          ///< the object (listen key, ...) does not exist or expired
    rate_limited,       ///< over a rate limit; `error::retry_after` says when, if the exchange did
    banned,             ///< the exchange banned the caller (HTTP 418); never retried
    bad_request,        ///< the exchange rejected a parameter
    server_error,       ///< 5xx or the exchange's internal-error code
    network,            ///< connect, TLS, read or write failed
    timeout,            ///< a configured timeout expired
    protocol,           ///< the answer could not be parsed or was not what the API documents
    cancelled,          ///< the caller cancelled the operation
    invalid_argument,   ///< the call was rejected locally before anything was sent
    /// A stream's next() with overflow_policy::drop: events were dropped because next() did not
    /// keep up (the message says how many); the next call returns the events after the gap.
    events_dropped,
    /// the shared rate-limit store (Redis) cannot be reached and its failure policy is `fail`
    limiter_unavailable,
    /// An answer that is not the exchange's own: no envelope of the exchange (an HTML page, an
    /// empty body where one is required, a proxy's or load balancer's answer, a body of another
    /// content type). `http_status` says which status came with it; the call retries 408, 429 and
    /// 5xx except 501, 505 and 511; sessions back off and retry, never drop their key on it.
    unexpected_response,
};

/// The category of exsdk::errc ("exsdk").
const boost::system::error_category& error_category() noexcept;

inline boost::system::error_code make_error_code(errc e) noexcept {
    return {static_cast<int>(e), error_category()};
}

/// A failed call: the project's error code, everything the exchange said about it, and where it
/// happened (the context fields, set by the REST clients). Never contains a secret, an API key or
/// a signature; a listen key only where the caller gave it (extend/delete's path).
struct error {
    boost::system::error_code
        code; ///< always in exsdk::error_category(); converts to std::error_code
    std::int64_t exchange_code = 0; ///< the exchange's numeric code (-1003, 100410, ...), 0 if none
    std::string message;            ///< the exchange's message, or a diagnostic for local failures
    int http_status = 0;            ///< HTTP status of the answer, 0 when there was no answer
    /// When the exchange said a retry is allowed (BingX "unblocked after" / "can retry after
    /// time").
    std::optional<std::chrono::system_clock::time_point> retry_after;

    // Context: empty/0 for errors that are not about one REST call (streams, local checks of
    // other objects).
    std::string operation; ///< the call: "bingx.extend_listen_key", "woox.create_listen_key"
    std::string method;    ///< HTTP method of its last request ("PUT"), "" when none was built
    /// Path and query of its last request without the signature, timestamp and recvWindow
    /// parameters ("/openApi/user/auth/userDataStream?listenKey=..."), "" when none was built.
    std::string path;
    std::uint32_t attempts = 0;         ///< requests sent for the call, retries included
    std::chrono::nanoseconds elapsed{}; ///< from the call's start to its end (the client's clock)
    /// True when the answer carried the exchange's own envelope, so `code` and `exchange_code`
    /// are the exchange's word; false for local failures, network errors and answers that are not
    /// the exchange's (errc::unexpected_response).
    bool exchange_answer = false;

    error() = default;
    error(errc e, std::string msg = {}) : code(make_error_code(e)), message(std::move(msg)) {}

    /// True when `code` equals `e`.
    bool is(errc e) const noexcept { return code == make_error_code(e); }

    friend std::ostream& operator<<(std::ostream& os, const error& e);
};

/// Human-readable one-line description: "rate_limited (exchange 100410, HTTP 200): rate limited",
/// then the context when there is one: " [bingx.generate_listen_key POST
/// /openApi/user/auth/userDataStream; 3 attempts in 2.01 s; the exchange's answer]".
std::string to_string(const error& e);

/// The name of an errc value ("rate_limited").
const char* to_string(errc e) noexcept;

/// Thrown by result<T>::value() on an error, and by constructors given what cannot work (a
/// client's unparsable base_url, an API key with control characters). Calls never throw it:
/// they return their errors as values.
class exception : public boost::system::system_error {
public:
    explicit exception(error e);
    const exsdk::error& get_error() const noexcept { return error_; }

private:
    exsdk::error error_;
};

/// Found by ADL from boost::system::result<T, exsdk::error>::value().
[[noreturn]] void throw_exception_from_error(const error& e, const boost::source_location& loc);

/// What every SDK call returns.
template <class T>
using result = boost::system::result<T, error>;

} // namespace exsdk

namespace boost::system {
template <>
struct is_error_code_enum<exsdk::errc> : std::true_type {};
} // namespace boost::system

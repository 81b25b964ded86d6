// detail::logger: an object's view of its log_config (exsdk/log.hpp), plus the scrubbing every
// logged path and message goes through. Private to the SDK.
//
// Cost when off: on() is one comparison of a byte; call sites build fields only after it said
// yes. Immutable after construction, so any thread may use it.
#pragma once

#include <exsdk/clock.hpp>
#include <exsdk/log.hpp>

#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>

namespace exsdk::detail {

class logger {
public:
    logger() = default;
    /// `source` must be static text ("woox.client").
    logger(const log_config& cfg, std::string_view source, std::shared_ptr<clock> clk);

    bool on(log_level l) const noexcept { return l >= min_; }
    /// Passes one event to the sink (call only after on(l)). An exception thrown by the sink is
    /// swallowed: logging never changes what the SDK does.
    void write(log_level l, std::string_view name,
               std::initializer_list<log_field> fields) const noexcept;

    const log_config& config() const noexcept { return cfg_; }
    clock::duration slow_limiter_wait() const noexcept { return cfg_.slow_limiter_wait; }

private:
    log_config cfg_;
    log_level min_ = log_level::off;
    std::string_view source_;
    std::shared_ptr<clock> clock_;
};

/// A listen key (or any credential-like value) shortened for logs: "a8ea75...(64)".
std::string shorten_key(std::string_view key);

/// The path and query of `target` without the signature, timestamp and recvWindow parameters;
/// with `shorten_keys`, the values of listenKey/key parameters shortened (shorten_key()).
std::string display_path(std::string_view target, bool shorten_keys);

/// The value of the listenKey or key parameter of `target` ("" when none).
std::string_view key_param(std::string_view target);

/// `text` for a log: signature values removed, every occurrence of `key` (a listen key, when
/// longer than 8 characters) shortened.
std::string loggable_text(std::string text, std::string_view key);

/// Milliseconds of `d` as a double (latency fields).
double to_ms(clock::duration d) noexcept;

} // namespace exsdk::detail

// RESP, the Redis wire protocol, through hiredis (private to exsdk::redis): commands formatted by
// redisFormatCommandArgv, replies parsed by hiredis's incremental reader. No I/O here: the
// connection feeds the reader what it read from its own Asio socket.
#pragma once

#include <exsdk/error.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

struct redisReply;
struct redisReader;

namespace exsdk::detail::redis {

/// A read-only view of one reply or one element of an array reply.
class reply_view {
public:
    explicit reply_view(const redisReply* r) noexcept : r_(r) {}

    bool is_error() const noexcept;
    bool is_nil() const noexcept;
    bool is_integer() const noexcept;
    bool is_array() const noexcept;
    /// A bulk string or a status ("+OK").
    bool is_string() const noexcept;
    /// The text of a string, status or error reply ("" otherwise).
    std::string_view str() const noexcept;
    std::int64_t integer() const noexcept;
    std::size_t size() const noexcept; ///< elements of an array
    reply_view operator[](std::size_t i) const noexcept;

private:
    const redisReply* r_;
};

/// One whole reply, owned.
class reply {
public:
    reply() = default;
    explicit reply(redisReply* r) noexcept;
    reply(reply&&) noexcept = default;
    reply& operator=(reply&&) noexcept = default;
    ~reply() = default;

    explicit operator bool() const noexcept { return r_ != nullptr; }
    reply_view view() const noexcept { return reply_view(r_.get()); }

private:
    struct deleter {
        void operator()(redisReply* r) const noexcept;
    };
    std::unique_ptr<redisReply, deleter> r_;
};

/// Appends `args` as one RESP command ("*3\r\n$3\r\nSET\r\n...") to `out`.
void append_command(std::string& out, std::span<const std::string_view> args);

/// hiredis's incremental reply parser.
class reader {
public:
    reader();
    reader(const reader&) = delete;
    reader& operator=(const reader&) = delete;
    ~reader();

    /// Hands bytes read from the socket to the parser.
    void feed(const char* data, std::size_t size);
    /// The next complete reply; nullopt when more bytes are needed; errc::protocol on garbage.
    result<std::optional<reply>> next();

private:
    redisReader* r_;
};

} // namespace exsdk::detail::redis

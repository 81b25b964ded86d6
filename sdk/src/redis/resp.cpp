#include "redis/resp.hpp"

#include <array>
#include <hiredis/hiredis.h>
#include <new>
#include <vector>

namespace exsdk::detail::redis {

bool reply_view::is_error() const noexcept {
    return r_ != nullptr && r_->type == REDIS_REPLY_ERROR;
}
bool reply_view::is_nil() const noexcept {
    return r_ == nullptr || r_->type == REDIS_REPLY_NIL;
}
bool reply_view::is_integer() const noexcept {
    return r_ != nullptr && r_->type == REDIS_REPLY_INTEGER;
}
bool reply_view::is_array() const noexcept {
    return r_ != nullptr && r_->type == REDIS_REPLY_ARRAY;
}
bool reply_view::is_string() const noexcept {
    return r_ != nullptr && (r_->type == REDIS_REPLY_STRING || r_->type == REDIS_REPLY_STATUS);
}
std::string_view reply_view::str() const noexcept {
    if (r_ == nullptr || r_->str == nullptr ||
        (r_->type != REDIS_REPLY_STRING && r_->type != REDIS_REPLY_STATUS &&
         r_->type != REDIS_REPLY_ERROR)) {
        return {};
    }
    return {r_->str, r_->len};
}
std::int64_t reply_view::integer() const noexcept {
    return is_integer() ? r_->integer : 0;
}
std::size_t reply_view::size() const noexcept {
    return is_array() ? r_->elements : 0;
}
reply_view reply_view::operator[](std::size_t i) const noexcept {
    return reply_view(i < size() ? r_->element[i] : nullptr);
}

reply::reply(redisReply* r) noexcept : r_(r) {}

void reply::deleter::operator()(redisReply* r) const noexcept {
    freeReplyObject(r);
}

void append_command(std::string& out, std::span<const std::string_view> args) {
    // The limiter's commands have a few dozen arguments: no heap for the argument vectors.
    constexpr std::size_t inline_args = 64;
    std::array<const char*, inline_args> argv_inline{};
    std::array<std::size_t, inline_args> lengths_inline{};
    std::vector<const char*> argv_heap;
    std::vector<std::size_t> lengths_heap;
    const char** argv = argv_inline.data();
    std::size_t* lengths = lengths_inline.data();
    if (args.size() > inline_args) {
        argv_heap.resize(args.size());
        lengths_heap.resize(args.size());
        argv = argv_heap.data();
        lengths = lengths_heap.data();
    }
    for (std::size_t i = 0; i < args.size(); ++i) {
        argv[i] = args[i].data();
        lengths[i] = args[i].size();
    }
    char* cmd = nullptr;
    const int n = redisFormatCommandArgv(&cmd, static_cast<int>(args.size()), argv, lengths);
    if (n < 0 || cmd == nullptr) {
        throw std::bad_alloc();
    }
    out.append(cmd, static_cast<std::size_t>(n));
    redisFreeCommand(cmd);
}

reader::reader() : r_(redisReaderCreate()) {
    if (r_ == nullptr) {
        throw std::bad_alloc();
    }
}

reader::~reader() {
    redisReaderFree(r_);
}

void reader::feed(const char* data, std::size_t size) {
    if (redisReaderFeed(r_, data, size) != REDIS_OK) {
        throw std::bad_alloc();
    }
}

result<std::optional<reply>> reader::next() {
    void* r = nullptr;
    if (redisReaderGetReply(r_, &r) != REDIS_OK) {
        return error(errc::protocol, std::string("malformed Redis reply: ") + r_->errstr);
    }
    if (r == nullptr) {
        return std::optional<reply>();
    }
    return std::optional<reply>(reply(static_cast<redisReply*>(r)));
}

} // namespace exsdk::detail::redis

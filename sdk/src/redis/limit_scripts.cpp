#include "redis/limit_scripts.hpp"

#include <exsdk/hex.hpp>

#include <openssl/evp.h>

#include <array>
#include <stdexcept>

namespace exsdk::detail::redis {

namespace {

// Scripts read only KEYS they are given (cluster-safe) and numbers Redis formats with 17
// significant digits, so microsecond scores (~1.7e15, below 2^53) stay exact.

// Per limit: the N-th newest reservation (empty while fewer: then nothing needs pruning either,
// the set being shorter than N) and the newest (FIFO; the same one when N is 1). Starts at or
// before now - W are pruned once the set is full: they can no longer share a window with any
// start >= now. Few redis.call()s: each costs about a microsecond of the server's time.
constexpr std::string_view acquire_lua = R"lua(
local n = #KEYS / 2
local now
if ARGV[1] == '' then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000000 + tonumber(t[2])
else
  now = tonumber(ARGV[1])
end
local member = ARGV[2]
local hold = 0
for i = 1, n do
  local h = redis.call('GET', KEYS[n + i])
  if h then
    h = tonumber(h)
    if h > hold then hold = h end
  end
end
if ARGV[3] ~= '' then
  local reserved = tonumber(ARGV[3])
  local kept = hold <= reserved and now - reserved <= tonumber(ARGV[5])
  for i = 1, n do
    if kept and not redis.call('ZSCORE', KEYS[i], member) then kept = false end
  end
  if kept then return {1, reserved, now} end
  for i = 1, n do redis.call('ZREM', KEYS[i], member) end
end
local start = now
if hold > start then start = hold end
for i = 1, n do
  local key = KEYS[i]
  local limit = tonumber(ARGV[4 + 2 * i])
  local window = tonumber(ARGV[5 + 2 * i])
  local nth = redis.call('ZRANGE', key, -limit, -limit, 'WITHSCORES')
  if nth[2] then
    redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
    local t = tonumber(nth[2]) + window
    if t > start then start = t end
  end
  if limit > 1 then
    local newest = redis.call('ZRANGE', key, -1, -1, 'WITHSCORES')
    if newest[2] then
      local t = tonumber(newest[2])
      if t > start then start = t end
    end
  elseif nth[2] then
    local t = tonumber(nth[2])
    if t > start then start = t end
  end
end
local slack = tonumber(ARGV[4])
for i = 1, n do
  redis.call('ZADD', KEYS[i], start, member)
  redis.call('PEXPIRE', KEYS[i], math.ceil((start - now + tonumber(ARGV[5 + 2 * i])) / 1000) + slack)
end
return {0, start, now}
)lua";

constexpr std::string_view release_lua = R"lua(
for i = 1, #KEYS do redis.call('ZREM', KEYS[i], ARGV[1]) end
return 0
)lua";

constexpr std::string_view hold_lua = R"lua(
local now
if ARGV[1] == '' then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000000 + tonumber(t[2])
else
  now = tonumber(ARGV[1])
end
local till = now + tonumber(ARGV[2])
local current = tonumber(redis.call('GET', KEYS[1]) or 0)
if till > current then
  redis.call('SET', KEYS[1], till, 'PX', math.ceil((till - now) / 1000) + tonumber(ARGV[3]))
  return till
end
return current
)lua";

constexpr std::string_view record_lua = R"lua(
local now
if ARGV[1] == '' then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000000 + tonumber(t[2])
else
  now = tonumber(ARGV[1])
end
local window = tonumber(ARGV[2])
local newest = now
for j = 4, #ARGV, 2 do
  local t = now + tonumber(ARGV[j])
  if t > now - window then
    redis.call('ZADD', KEYS[1], t, ARGV[j + 1])
    if t > newest then newest = t end
  end
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local want = math.ceil((newest - now + window) / 1000) + tonumber(ARGV[3])
if redis.call('PTTL', KEYS[1]) < want then redis.call('PEXPIRE', KEYS[1], want) end
return 0
)lua";

std::string sha1_hex(std::string_view text) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int size = 0;
    if (EVP_Digest(text.data(), text.size(), digest.data(), &size, EVP_sha1(), nullptr) != 1) {
        throw std::runtime_error("exsdk: SHA-1 failed");
    }
    return to_hex(std::span<const unsigned char>(digest.data(), size));
}

std::string now_arg(script_now now) {
    return now ? std::to_string(*now) : std::string();
}

} // namespace

const script& acquire_script() {
    static const script s{acquire_lua, sha1_hex(acquire_lua)};
    return s;
}
const script& release_script() {
    static const script s{release_lua, sha1_hex(release_lua)};
    return s;
}
const script& hold_script() {
    static const script s{hold_lua, sha1_hex(hold_lua)};
    return s;
}
const script& record_script() {
    static const script s{record_lua, sha1_hex(record_lua)};
    return s;
}

void append_eval(std::string& out, const script& s, bool by_body,
                 std::span<const std::string_view> keys, std::span<const std::string_view> args) {
    // The acquire script's arguments fit on the stack; a long record goes to the heap.
    constexpr std::size_t inline_args = 64;
    const std::size_t total = keys.size() + args.size() + 3;
    std::array<std::string_view, inline_args> inline_argv{};
    std::vector<std::string_view> heap_argv;
    std::string_view* argv = inline_argv.data();
    if (total > inline_args) {
        heap_argv.resize(total);
        argv = heap_argv.data();
    }
    std::size_t n = 0;
    const std::string numkeys = std::to_string(keys.size());
    argv[n++] = by_body ? std::string_view("EVAL") : std::string_view("EVALSHA");
    argv[n++] = by_body ? s.body : std::string_view(s.sha1);
    argv[n++] = numkeys;
    for (auto k : keys) {
        argv[n++] = k;
    }
    for (auto a : args) {
        argv[n++] = a;
    }
    append_command(out, std::span<const std::string_view>(argv, n));
}

acquire_command::acquire_command(std::span<const script_limit> limits,
                                 std::chrono::milliseconds expiry_slack) {
    // Owned strings first, views into them after (no reallocation in between).
    for (const auto& l : limits) {
        strings_.push_back(l.key);
    }
    for (const auto& l : limits) {
        strings_.push_back(l.hold_key);
    }
    for (const auto& l : limits) {
        strings_.push_back(std::to_string(l.requests));
        strings_.push_back(std::to_string(l.window.count()));
    }
    numkeys_ = std::to_string(2 * limits.size());
    slack_ = std::to_string(expiry_slack.count());
    std::chrono::microseconds late = std::chrono::microseconds::max();
    for (const auto& l : limits) {
        late = std::min(late, l.max_lateness);
    }
    late_ = limits.empty() ? std::chrono::microseconds{} : late;
    late_text_ = std::to_string(late_.count());
    for (std::size_t i = 0; i < 2 * limits.size(); ++i) {
        keys_.push_back(strings_[i]);
    }
    for (std::size_t i = 2 * limits.size(); i < strings_.size(); ++i) {
        limits_.push_back(strings_[i]);
    }
}

void acquire_command::append(std::string& out, bool by_body, std::string_view now,
                             std::string_view member, std::string_view confirm) const {
    constexpr std::size_t max_args = 64;
    std::array<std::string_view, max_args> argv{};
    std::size_t n = 0;
    const script& s = acquire_script();
    argv[n++] = by_body ? std::string_view("EVAL") : std::string_view("EVALSHA");
    argv[n++] = by_body ? s.body : std::string_view(s.sha1);
    argv[n++] = numkeys_;
    for (auto k : keys_) {
        argv[n++] = k;
    }
    argv[n++] = now;
    argv[n++] = member;
    argv[n++] = confirm;
    argv[n++] = slack_;
    argv[n++] = late_text_;
    for (auto l : limits_) {
        argv[n++] = l;
    }
    append_command(out, std::span<const std::string_view>(argv.data(), n));
}

void append_release(std::string& out, std::span<const script_limit> limits,
                    std::string_view member) {
    std::vector<std::string_view> keys;
    keys.reserve(limits.size());
    for (const auto& l : limits) {
        keys.push_back(l.key);
    }
    const std::array<std::string_view, 1> args{member};
    // By body: a release is sent without waiting for its reply, so it cannot fall back from a
    // NOSCRIPT; it is rare (cancelled calls) and small.
    append_eval(out, release_script(), true, keys, args);
}

void append_hold(std::string& out, bool by_body, const script_limit& limit, script_now now,
                 std::chrono::microseconds wait, std::chrono::milliseconds expiry_slack) {
    const std::array<std::string_view, 1> keys{limit.hold_key};
    const std::string n = now_arg(now);
    const std::string w = std::to_string(wait.count());
    const std::string s = std::to_string(expiry_slack.count());
    const std::array<std::string_view, 3> args{n, w, s};
    append_eval(out, hold_script(), by_body, keys, args);
}

void append_record(std::string& out, const script_limit& limit, script_now now,
                   std::span<const std::pair<std::int64_t, std::string>> starts,
                   std::chrono::milliseconds expiry_slack) {
    const std::array<std::string_view, 1> keys{limit.key};
    std::vector<std::string> numbers;
    numbers.reserve(3 + starts.size());
    numbers.push_back(now_arg(now));
    numbers.push_back(std::to_string(limit.window.count()));
    numbers.push_back(std::to_string(expiry_slack.count()));
    for (const auto& s : starts) {
        numbers.push_back(std::to_string(s.first));
    }
    std::vector<std::string_view> args{numbers[0], numbers[1], numbers[2]};
    for (std::size_t i = 0; i < starts.size(); ++i) {
        args.push_back(numbers[3 + i]);
        args.push_back(starts[i].second);
    }
    // Recorded once per return from local_fallback: by body, like a release.
    append_eval(out, record_script(), true, keys, args);
}

result<acquire_reply> parse_acquire(reply_view r) {
    if (r.is_error()) {
        return error(errc::protocol, "Redis: " + std::string(r.str()));
    }
    if (!r.is_array() || r.size() != 3 || !r[0].is_integer() || !r[1].is_integer() ||
        !r[2].is_integer()) {
        return error(errc::protocol, "Redis: unexpected reply to the acquire script");
    }
    return acquire_reply{r[0].integer() == 1, r[1].integer(), r[2].integer()};
}

bool is_noscript(reply_view r) {
    return r.is_error() && r.str().starts_with("NOSCRIPT");
}

} // namespace exsdk::detail::redis

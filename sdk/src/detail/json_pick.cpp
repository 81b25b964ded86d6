#include "detail/json_pick.hpp"
#include "detail/json_sax.hpp"

#include <boost/json/basic_parser_impl.hpp>

#include <array>

namespace exsdk::detail {

namespace {

using string_view = sax_handler_base::string_view;
using error_code = sax_handler_base::error_code;

// Tracks where the parser is: the container kinds and object keys of the first two levels
// (deeper values are never picked), and the pick the current string value goes to.
class pick_handler : public sax_handler_base {
public:
    explicit pick_handler(std::span<json_pick> picks) : picks_(picks) {}

    bool root_is_object() const noexcept { return root_is_object_; }

    bool on_object_begin(error_code&) {
        if (depth_ == 0) {
            root_is_object_ = true;
        } else {
            value(json_pick::kind::object);
        }
        enter(true);
        return true;
    }
    bool on_object_end(std::size_t, error_code&) {
        leave();
        return true;
    }
    bool on_array_begin(error_code&) {
        if (depth_ > 0) {
            value(json_pick::kind::boolean, false); // an array: never a wanted kind
        }
        enter(false);
        return true;
    }
    bool on_array_end(std::size_t, error_code&) {
        leave();
        return true;
    }

    bool on_key_part(string_view s, std::size_t, error_code&) {
        append_key(s);
        return true;
    }
    bool on_key(string_view s, std::size_t, error_code&) {
        append_key(s);
        key_done_ = true;
        return true;
    }

    bool on_string_part(string_view s, std::size_t, error_code&) {
        if (auto* p = current(); p != nullptr && p->want == json_pick::kind::string) {
            if (!in_string_) {
                p->string.clear();
            }
            p->string.append(s.data(), s.size());
        }
        in_string_ = true;
        return true;
    }
    bool on_string(string_view s, std::size_t n, error_code& ec) {
        on_string_part(s, n, ec); // the last piece
        if (auto* p = current(); p != nullptr) {
            count(*p, p->want == json_pick::kind::string);
        }
        in_string_ = false;
        return true;
    }

    bool on_int64(std::int64_t i, string_view, error_code&) {
        if (auto* p = current(); p != nullptr) {
            p->integer = i;
            count(*p, p->want == json_pick::kind::integer);
        }
        return true;
    }
    bool on_uint64(std::uint64_t, string_view, error_code&) {
        // (only for values above INT64_MAX: never a wanted integer)
        return scalar();
    }
    bool on_double(double, string_view, error_code&) { return scalar(); }
    bool on_bool(bool b, error_code&) {
        if (auto* p = current(); p != nullptr) {
            p->boolean = b;
            count(*p, p->want == json_pick::kind::boolean);
        }
        return true;
    }
    bool on_null(error_code&) { return scalar(); }

private:
    static constexpr std::size_t levels = 2;

    struct level {
        bool is_object = false;
        std::array<char, 64> key{};
        std::size_t key_size = 0;
        bool key_too_long = false;
    };

    void enter(bool is_object) {
        if (depth_ < levels) {
            auto& l = levels_[depth_];
            l.is_object = is_object;
            l.key_size = 0;
            l.key_too_long = false;
        }
        key_done_ = false;
        ++depth_;
    }
    void leave() {
        --depth_;
        key_done_ = true; // the next key of the enclosing object starts afresh
    }

    void append_key(string_view s) {
        if (depth_ == 0 || depth_ > levels) {
            return;
        }
        auto& l = levels_[depth_ - 1];
        if (key_done_) { // a new key at this level
            l.key_size = 0;
            l.key_too_long = false;
            key_done_ = false;
        }
        if (l.key_size + s.size() > l.key.size()) {
            l.key_too_long = true; // longer than any wanted key
            return;
        }
        std::copy(s.begin(), s.end(), l.key.begin() + static_cast<std::ptrdiff_t>(l.key_size));
        l.key_size += s.size();
    }

    std::string_view key_at(std::size_t i) const {
        const auto& l = levels_[i];
        // (a key longer than the buffer matches no wanted key: an empty view with a flag)
        return l.key_too_long ? std::string_view() : std::string_view(l.key.data(), l.key_size);
    }

    // The pick whose path the value about to come sits at, if any.
    json_pick* current() {
        if (depth_ == 0 || depth_ > levels || !levels_[depth_ - 1].is_object) {
            return nullptr;
        }
        if (depth_ == 2 && !levels_[0].is_object) {
            return nullptr;
        }
        const std::string_view k1 = key_at(0);
        const std::string_view k2 = depth_ == 2 ? key_at(1) : std::string_view();
        for (auto& p : picks_) {
            if (levels_[0].key_too_long || (depth_ == 2 && levels_[1].key_too_long)) {
                return nullptr;
            }
            if (p.key == k1 && p.subkey.empty() == (depth_ == 1) &&
                (depth_ == 1 || p.subkey == k2)) {
                return &p;
            }
        }
        return nullptr;
    }

    static void count(json_pick& p, bool wanted_kind) {
        ++p.seen;
        p.matched = wanted_kind;
    }
    void value(json_pick::kind k, bool can_match = true) {
        if (auto* p = current(); p != nullptr) {
            count(*p, can_match && p->want == k);
        }
        key_done_ = true; // the next key at this level starts afresh
    }
    bool scalar() {
        if (auto* p = current(); p != nullptr) {
            count(*p, false);
        }
        return true;
    }

    std::span<json_pick> picks_;
    std::array<level, levels> levels_{};
    std::size_t depth_ = 0;
    bool key_done_ = false;
    bool in_string_ = false;
    bool root_is_object_ = false;
};

} // namespace

bool pick_json_members(std::string_view text, std::span<json_pick> picks) {
    for (auto& p : picks) {
        p.seen = 0;
        p.matched = false;
    }
    boost::json::basic_parser<pick_handler> parser(boost::json::parse_options{}, picks);
    error_code ec;
    const std::size_t n = parser.write_some(false, text.data(), text.size(), ec);
    return !ec && n == text.size() && parser.done() && parser.handler().root_is_object();
}

} // namespace exsdk::detail

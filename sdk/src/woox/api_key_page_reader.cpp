#include "detail/json_sax.hpp"
#include "woox/api_key_page_reader.hpp"

#include <exsdk/woox/protocol.hpp>

#include <boost/json/basic_parser_impl.hpp>

#include <array>
#include <cstdint>

namespace exsdk::detail {

namespace {

using string_view = sax_handler_base::string_view;
using error_code = sax_handler_base::error_code;

// Where a value sits: the members of the answer the reader knows.
enum class at {
    other,       // anything it ignores (and everything under it)
    root,        // the root object
    success,     // root.success
    data,        // root.data
    rows,        // data.rows
    meta,        // data.meta
    row,         // data.rows[i]
    name,        // row.accountName
    uid,         // row.userId
    key,         // row.apiKey
    permissions, // row.permissions
    ips,         // row.allowedIPs
    permission,  // row.permissions[j]
    ip,          // row.allowedIPs[j]
    total,       // meta.total
    per_page,    // meta.recordsPerPage
    current,     // meta.currentPage
};

class reader : public sax_handler_base {
public:
    // The page, when the whole answer had the expected shape.
    std::optional<woox::api_key_page> result() && {
        const bool complete = ok_ && root_ && success_ == 1 && data_ == 1 && rows_ == 1 &&
                              meta_ == 1 && total_ == 1 && per_page_ == 1 && current_ == 1;
        if (!complete) {
            return std::nullopt;
        }
        return std::move(page_);
    }

    bool on_object_begin(error_code&) {
        const at where = depth_ == 0 ? at::root : next();
        switch (where) {
        case at::root: root_ = true; break;
        case at::data: ok_ = ok_ && data_++ == 0; break;
        case at::meta: ok_ = ok_ && meta_++ == 0; break;
        case at::row:
            page_.rows.emplace_back();
            row_fields_ = 0;
            break;
        case at::other: break;
        default: ok_ = false; // an object where a scalar or an array belongs
        }
        push(where, true);
        return ok_;
    }
    bool on_object_end(std::size_t, error_code&) {
        if (overflow_ == 0 && stack_[depth_ - 1].where == at::row) {
            constexpr unsigned required = 0b1111; // name, uid, key, permissions
            ok_ = ok_ && (row_fields_ & required) == required;
        }
        pop();
        return ok_;
    }
    bool on_array_begin(error_code&) {
        const at where = next(); // (a root array: at::other, and no root object)
        switch (where) {
        case at::rows:
            ok_ = ok_ && rows_++ == 0;
            page_.rows.reserve(4); // (a page has a row or two, typically)
            break;
        case at::permissions:
            field(1U << 3U);
            page_.rows.back().permissions.reserve(3); // at most READ, TRADE, WITHDRAWAL
            break;
        case at::ips:
            field(1U << 4U);
            page_.rows.back().allowed_ips.emplace().reserve(2);
            break;
        case at::other: break;
        default: ok_ = false;
        }
        push(where, false);
        return ok_;
    }
    bool on_array_end(std::size_t, error_code&) {
        pop();
        return ok_;
    }

    bool on_key_part(string_view s, std::size_t, error_code&) {
        key_.append(s.data(), s.size());
        return true;
    }
    bool on_key(string_view s, std::size_t, error_code&) {
        key_.append(s.data(), s.size());
        if (overflow_ == 0) {
            stack_[depth_ - 1].key = classify(stack_[depth_ - 1].where, key_);
        }
        key_.clear();
        return true;
    }

    bool on_string_part(string_view s, std::size_t, error_code&) {
        if (!in_string_) {
            target_ = string_target(next());
            in_string_ = true;
        }
        if (target_ != nullptr) {
            target_->append(s.data(), s.size());
        }
        return ok_;
    }
    bool on_string(string_view s, std::size_t n, error_code& ec) {
        on_string_part(s, n, ec); // the last piece
        in_string_ = false;
        return ok_;
    }

    bool on_int64(std::int64_t i, string_view, error_code&) {
        switch (next()) {
        case at::uid:
            field(1U << 1U);
            page_.rows.back().user_id = i;
            break;
        case at::total: set(total_, page_.meta.total, i); break;
        case at::per_page: set(per_page_, page_.meta.records_per_page, i); break;
        case at::current: set(current_, page_.meta.current_page, i); break;
        case at::other: break;
        default: ok_ = false;
        }
        return ok_;
    }
    bool on_uint64(std::uint64_t, string_view, error_code&) { return scalar(); }
    bool on_double(double, string_view, error_code&) { return scalar(); }
    bool on_bool(bool b, error_code&) {
        const at where = next();
        if (where == at::success) {
            ok_ = ok_ && b && success_++ == 0;
        } else if (where != at::other) {
            ok_ = false;
        }
        return ok_;
    }
    bool on_null(error_code&) { return scalar(); }

private:
    struct frame {
        at where = at::other; // what this container is
        bool is_object = false;
        at key = at::other; // objects: what the current member is
    };

    // What the value about to come is, from its container and key.
    at next() const {
        if (depth_ == 0 || overflow_ > 0) {
            return at::other; // the root itself, or below the deepest level the reader keeps
        }
        const frame& f = stack_[depth_ - 1];
        if (f.is_object) {
            return f.key;
        }
        switch (f.where) {
        case at::rows: return at::row;
        case at::permissions: return at::permission;
        case at::ips: return at::ip;
        default: return at::other;
        }
    }

    // What member `key` of a `container` is.
    static at classify(at container, std::string_view key) {
        namespace f = woox::protocol::field;
        switch (container) {
        case at::root:
            return key == f::success ? at::success : key == f::data ? at::data : at::other;
        case at::data: return key == f::rows ? at::rows : key == f::meta ? at::meta : at::other;
        case at::meta:
            return key == f::total              ? at::total
                   : key == f::records_per_page ? at::per_page
                   : key == f::current_page     ? at::current
                                                : at::other;
        case at::row:
            return key == f::account_name  ? at::name
                   : key == f::user_id     ? at::uid
                   : key == f::api_key     ? at::key
                   : key == f::permissions ? at::permissions
                   : key == f::allowed_ips ? at::ips
                                           : at::other;
        default: return at::other;
        }
    }

    std::string* string_target(at where) {
        switch (where) {
        case at::name: field(1U << 0U); return &clear(page_.rows.back().account_name);
        case at::key: field(1U << 2U); return &clear(page_.rows.back().api_key);
        case at::permission: return &page_.rows.back().permissions.emplace_back();
        case at::ip: return &page_.rows.back().allowed_ips->emplace_back();
        case at::other: return nullptr;
        default: ok_ = false; return nullptr;
        }
    }
    static std::string& clear(std::string& s) {
        s.clear();
        return s;
    }

    void field(unsigned bit) {
        ok_ = ok_ && (row_fields_ & bit) == 0; // a duplicate member: the DOM path decides
        row_fields_ |= bit;
    }
    void set(int& count, std::int64_t& out, std::int64_t v) {
        ok_ = ok_ && count++ == 0;
        out = v;
    }
    bool scalar() {
        if (next() != at::other) {
            ok_ = false; // a wanted member with another kind of value
        }
        return ok_;
    }

    void push(at where, bool is_object) {
        if (depth_ == stack_.size()) {
            // Deeper than the answer ever goes: only ignored members can be there.
            ok_ = ok_ && where == at::other;
            ++overflow_;
            return;
        }
        stack_[depth_++] = frame{where, is_object, at::other};
    }
    void pop() {
        if (overflow_ > 0) {
            --overflow_;
            return;
        }
        --depth_;
    }

    std::array<frame, 6> stack_{};
    std::size_t depth_ = 0;
    std::size_t overflow_ = 0;
    std::string key_;
    std::string* target_ = nullptr;
    bool in_string_ = false;
    bool ok_ = true;
    bool root_ = false;
    int success_ = 0, data_ = 0, rows_ = 0, meta_ = 0, total_ = 0, per_page_ = 0, current_ = 0;
    unsigned row_fields_ = 0;
    woox::api_key_page page_;
};

} // namespace

std::optional<woox::api_key_page> read_woox_api_key_page(std::string_view body) {
    boost::json::basic_parser<reader> parser(boost::json::parse_options{});
    error_code ec;
    const std::size_t n = parser.write_some(false, body.data(), body.size(), ec);
    if (ec || n != body.size() || !parser.done()) {
        return std::nullopt;
    }
    return std::move(parser.handler()).result();
}

} // namespace exsdk::detail

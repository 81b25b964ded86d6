// accounts: the demo set, JSON in and out, validation.
#include "json_writer.hpp"
#include "venue.hpp"

#include <exsdk/mock/accounts.hpp>

#include <boost/asio/ip/address.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <set>
#include <stdexcept>
#include <string>

namespace exsdk::mock {
namespace {

namespace json = boost::json;

[[noreturn]] void fail(const std::string& where, std::string_view what) {
    throw std::invalid_argument("accounts: " + where + ": " + std::string(what));
}

const json::object& as_object(const json::value& v, const std::string& where) {
    if (!v.is_object()) {
        fail(where, "must be a JSON object");
    }
    return v.get_object();
}

const json::array& as_array(const json::value& v, const std::string& where) {
    if (!v.is_array()) {
        fail(where, "must be a JSON array");
    }
    return v.get_array();
}

std::string as_string(const json::value& v, const std::string& where) {
    if (!v.is_string()) {
        fail(where, "must be a string");
    }
    return std::string(v.get_string());
}

std::int64_t as_int(const json::value& v, const std::string& where) {
    if (v.is_int64()) {
        return v.get_int64();
    }
    if (v.is_uint64() && v.get_uint64() <= static_cast<std::uint64_t>(INT64_MAX)) {
        return static_cast<std::int64_t>(v.get_uint64());
    }
    fail(where, "must be an integer");
}

void reject_unknown(const json::object& o, std::initializer_list<std::string_view> known,
                    const std::string& where) {
    for (const auto& kv : o) {
        bool ok = false;
        for (auto k : known) {
            ok = ok || kv.key() == k;
        }
        if (!ok) {
            std::string list;
            for (auto k : known) {
                list += list.empty() ? "" : ", ";
                list += k;
            }
            fail(where + "." + std::string(kv.key()),
                 "unknown field (expected one of: " + list + ")");
        }
    }
}

const json::value& required(const json::object& o, std::string_view name,
                            const std::string& where) {
    const auto* v = o.if_contains(name);
    if (v == nullptr) {
        fail(where + "." + std::string(name), "missing");
    }
    return *v;
}

std::vector<std::string> string_list(const json::value& v, const std::string& where) {
    std::vector<std::string> out;
    const auto& a = as_array(v, where);
    for (std::size_t i = 0; i < a.size(); ++i) {
        out.push_back(as_string(a[i], where + "[" + std::to_string(i) + "]"));
    }
    return out;
}

std::vector<api_key_entry> parse_keys(const json::object& account, const std::string& where) {
    std::vector<api_key_entry> keys;
    const auto& arr = as_array(required(account, "apiKeys", where), where + ".apiKeys");
    for (std::size_t i = 0; i < arr.size(); ++i) {
        const std::string at = where + ".apiKeys[" + std::to_string(i) + "]";
        const auto& o = as_object(arr[i], at);
        reject_unknown(o, {"apiKey", "secret", "permissions", "allowedIPs"}, at);
        api_key_entry k;
        k.api_key = as_string(required(o, "apiKey", at), at + ".apiKey");
        k.secret = as_string(required(o, "secret", at), at + ".secret");
        if (const auto* p = o.if_contains("permissions")) {
            k.permissions = string_list(*p, at + ".permissions");
        }
        if (const auto* p = o.if_contains("allowedIPs")) {
            k.allowed_ips = string_list(*p, at + ".allowedIPs");
        }
        keys.push_back(std::move(k));
    }
    return keys;
}

void check_key(const api_key_entry& k, const std::string& at, bool woox,
               std::set<std::string>& seen_keys) {
    if (k.api_key.empty()) {
        fail(at + ".apiKey", "must not be empty");
    }
    if (!seen_keys.insert((woox ? "woox:" : "bingx:") + k.api_key).second) {
        fail(at + ".apiKey", "duplicate API key \"" + k.api_key + "\"");
    }
    if (k.secret.empty()) {
        fail(at + ".secret", "must not be empty");
    }
    for (std::size_t j = 0; j < k.permissions.size(); ++j) {
        const auto& p = k.permissions[j];
        const std::string pat = at + ".permissions[" + std::to_string(j) + "]";
        if (p.empty()) {
            fail(pat, "must not be empty");
        }
        if (woox && p != "READ" && p != "TRADE" && p != "WITHDRAWAL") {
            fail(pat, "\"" + p + "\" is not a WOO X permission (READ, TRADE, WITHDRAWAL)");
        }
    }
    for (std::size_t j = 0; j < k.allowed_ips.size(); ++j) {
        boost::system::error_code ec;
        (void)boost::asio::ip::make_address(k.allowed_ips[j], ec);
        if (ec) {
            fail(at + ".allowedIPs[" + std::to_string(j) + "]",
                 "\"" + k.allowed_ips[j] + "\" is not an IP address");
        }
    }
}

void write_key(detail::json_writer& w, const api_key_entry& k, bool include_secrets) {
    w.raw("{").key("apiKey").str(k.api_key);
    if (include_secrets) {
        w.raw(",").key("secret").str(k.secret);
    }
    w.raw(",").key("permissions").raw("[");
    for (std::size_t i = 0; i < k.permissions.size(); ++i) {
        w.raw(i == 0 ? "" : ",").str(k.permissions[i]);
    }
    w.raw("],").key("allowedIPs").raw("[");
    for (std::size_t i = 0; i < k.allowed_ips.size(); ++i) {
        w.raw(i == 0 ? "" : ",").str(k.allowed_ips[i]);
    }
    w.raw("]}");
}

} // namespace

accounts accounts::demo() {
    accounts a;
    a.woox.push_back(woox_account{
        12523,
        "Main",
        {
            // The spec's WOO X signing test-vector key.
            api_key_entry{
                "AbmyVJGUpN064ks5ELjLfA==", "QHKRXHPAW1MC9YGZMAT8YDJG2HPR", {"READ", "TRADE"}, {}},
            // No READ permission and bound to 127.0.0.1: the permission and IP checks.
            api_key_entry{"WooxTradeOnlyDemoKey0001==",
                          "WOOXTRADEONLYDEMOSECRET00001",
                          {"TRADE"},
                          {"127.0.0.1"}},
        }});
    a.bingx.push_back(bingx_account{
        1001,
        {api_key_entry{"bingx-demo-api-key-0001",
                       "mheO6dR8ovSsxZQCOYEFCtelpuxcWGTfHw7te326y6jOwq5WpvFQ9JNljoTwBXZGv5It07m9RX"
                       "SPpDQEK2w",
                       {"READ"},
                       {}}}});
    a.bingx.push_back(bingx_account{
        1002,
        {api_key_entry{"bingx-demo-api-key-0002",
                       "UuGuyEGt6ZEkpUObCYCmIfh0elYsZVh80jlYwpJuRZEw70t6vomMH7Sjmf94ztSI",
                       {"READ"},
                       {}}}});
    return a;
}

accounts accounts::from_json(std::string_view text) {
    boost::system::error_code ec;
    const json::value root = json::parse(text, ec);
    if (ec) {
        throw std::invalid_argument("accounts: not valid JSON: " + ec.message());
    }
    const auto& top = as_object(root, "(top level)");
    const std::string woox_name(to_string(detail::venue::woox));
    const std::string bingx_name(to_string(detail::venue::bingx));
    reject_unknown(top, {woox_name, bingx_name}, "(top level)");
    accounts out;
    if (const auto* w = top.if_contains(woox_name)) {
        const auto& arr = as_array(*w, woox_name);
        for (std::size_t i = 0; i < arr.size(); ++i) {
            const std::string at = woox_name + "[" + std::to_string(i) + "]";
            const auto& o = as_object(arr[i], at);
            reject_unknown(o, {"userId", "accountName", "apiKeys"}, at);
            woox_account acc;
            acc.user_id = as_int(required(o, "userId", at), at + ".userId");
            acc.account_name = as_string(required(o, "accountName", at), at + ".accountName");
            acc.api_keys = parse_keys(o, at);
            out.woox.push_back(std::move(acc));
        }
    }
    if (const auto* b = top.if_contains(bingx_name)) {
        const auto& arr = as_array(*b, bingx_name);
        for (std::size_t i = 0; i < arr.size(); ++i) {
            const std::string at = bingx_name + "[" + std::to_string(i) + "]";
            const auto& o = as_object(arr[i], at);
            reject_unknown(o, {"uid", "apiKeys"}, at);
            bingx_account acc;
            acc.uid = as_int(required(o, "uid", at), at + ".uid");
            acc.api_keys = parse_keys(o, at);
            out.bingx.push_back(std::move(acc));
        }
    }
    out.validate();
    return out;
}

void accounts::validate() const {
    std::set<std::string> keys;
    std::set<std::int64_t> ids;
    for (std::size_t i = 0; i < woox.size(); ++i) {
        const std::string at = "woox[" + std::to_string(i) + "]";
        if (!ids.insert(woox[i].user_id).second) {
            fail(at + ".userId", "duplicate userId " + std::to_string(woox[i].user_id));
        }
        for (std::size_t j = 0; j < woox[i].api_keys.size(); ++j) {
            check_key(woox[i].api_keys[j], at + ".apiKeys[" + std::to_string(j) + "]", true, keys);
        }
    }
    ids.clear();
    for (std::size_t i = 0; i < bingx.size(); ++i) {
        const std::string at = "bingx[" + std::to_string(i) + "]";
        if (!ids.insert(bingx[i].uid).second) {
            fail(at + ".uid", "duplicate uid " + std::to_string(bingx[i].uid));
        }
        for (std::size_t j = 0; j < bingx[i].api_keys.size(); ++j) {
            check_key(bingx[i].api_keys[j], at + ".apiKeys[" + std::to_string(j) + "]", false,
                      keys);
        }
    }
}

std::string accounts::to_json(bool include_secrets) const {
    std::string out;
    detail::json_writer w(out);
    w.raw("{").key(to_string(detail::venue::woox)).raw("[");
    for (std::size_t i = 0; i < woox.size(); ++i) {
        const auto& a = woox[i];
        w.raw(i == 0 ? "{" : ",{").key("userId").num(a.user_id);
        w.raw(",").key("accountName").str(a.account_name).raw(",").key("apiKeys").raw("[");
        for (std::size_t j = 0; j < a.api_keys.size(); ++j) {
            w.raw(j == 0 ? "" : ",");
            write_key(w, a.api_keys[j], include_secrets);
        }
        w.raw("]}");
    }
    w.raw("],").key(to_string(detail::venue::bingx)).raw("[");
    for (std::size_t i = 0; i < bingx.size(); ++i) {
        const auto& a = bingx[i];
        w.raw(i == 0 ? "{" : ",{").key("uid").num(a.uid).raw(",").key("apiKeys").raw("[");
        for (std::size_t j = 0; j < a.api_keys.size(); ++j) {
            w.raw(j == 0 ? "" : ",");
            write_key(w, a.api_keys[j], include_secrets);
        }
        w.raw("]}");
    }
    w.raw("]}");
    return out;
}

} // namespace exsdk::mock

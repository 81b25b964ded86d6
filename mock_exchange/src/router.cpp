#include "exchange_api.hpp"
#include "json_writer.hpp"
#include "router.hpp"

#include <exsdk/bingx/protocol.hpp>
#include <exsdk/woox/protocol.hpp>

#include <boost/json/parse.hpp>

#include <mutex>

namespace exsdk::mock::detail {

namespace {

constexpr std::string_view admin_prefix = "/__admin/";

bool starts_with(std::string_view s, std::string_view prefix) noexcept {
    return s.substr(0, prefix.size()) == prefix;
}

/// Paths under no exchange prefix: a neutral JSON answer.
void neutral(response& res, unsigned status, std::string_view message) {
    res.json(status);
    json_writer(res.body)
        .raw(R"({"code":)")
        .num(status)
        .raw(R"(,"message":)")
        .str(message)
        .raw("}");
}

void not_found(response& res) {
    neutral(res, 404,
            "Not Found: the mock exchange serves /v3/ (WOO X), /openApi/ (BingX) and /__admin/");
}

/// A fault's body that starts with '<' plays a proxy's or load balancer's page (text/html).
bool looks_like_page(std::string_view body) noexcept {
    const auto first = body.find_first_not_of(" \t\r\n");
    return first != std::string_view::npos && body[first] == '<';
}

/// The exchange code an injected answer carries (`{"code":N,...}`), for the journal; else 0.
std::int64_t code_in(std::string_view body) {
    static_assert(woox::protocol::field::code == bingx::protocol::field::code);
    boost::system::error_code ec;
    const auto v = boost::json::parse(body, ec);
    const auto* o = ec ? nullptr : v.if_object();
    const auto* c = o != nullptr ? o->if_contains(woox::protocol::field::code) : nullptr;
    return c != nullptr && c->is_int64() ? c->get_int64() : 0;
}

} // namespace

area classify(std::string_view path) noexcept {
    if (starts_with(path, woox::protocol::path_prefix)) {
        return area::woox;
    }
    if (starts_with(path, bingx::protocol::path_prefix)) {
        return area::bingx;
    }
    if (starts_with(path, admin_prefix) || path == "/__admin") {
        return area::admin;
    }
    return area::other;
}

std::string_view exchange_name(area a) noexcept {
    switch (a) {
    case area::woox: return to_string(venue::woox);
    case area::bingx: return to_string(venue::bingx);
    default: return "";
    }
}

router::router(shared_state& st, std::function<std::size_t()> connections)
    : st_(st), connections_(std::move(connections)) {}

decision router::route(const request& req, response& res) {
    const area a = classify(req.path);
    if (a == area::admin) {
        if (st_.cfg.admin) {
            handle_admin(req, res, st_, connections_ ? connections_() : 0);
        } else {
            not_found(res);
        }
        return {};
    }
    std::optional<fault> f;
    {
        std::lock_guard lock(st_.mutex);
        if (!st_.faults.empty()) {
            f = st_.take_fault(exchange_name(a), req.method, req.path);
        }
    }
    if (!f) {
        handle(req, res);
        return {};
    }
    switch (f->act) {
    case fault::action::respond:
        res.status = static_cast<unsigned>(f->status);
        res.body = f->body;
        res.content_type = f->body.empty()            ? std::string_view{}
                           : looks_like_page(f->body) ? "text/html; charset=utf-8"
                                                      : "application/json";
        res.code = code_in(f->body);
        {
            std::unique_lock lock(st_.mutex);
            journal(lock, req, &res, a, "respond");
        }
        return {};
    case fault::action::drop: {
        std::unique_lock lock(st_.mutex);
        journal(lock, req, nullptr, a, "drop");
        return {decision::kind::drop, {}};
    }
    case fault::action::delay: return {decision::kind::delay, f->delay};
    }
    return {};
}

void router::handle(const request& req, response& res, std::string_view fault_note) {
    const area a = classify(req.path);
    std::unique_lock lock(st_.mutex);
    st_.sweep_locked(); // only what the clock has ended since: usually a few comparisons
    try {
        switch (a) {
        case area::woox: handle_woox(req, res, st_); break;
        case area::bingx: handle_bingx(req, res, st_); break;
        default: not_found(res); break;
        }
    } catch (const std::exception&) {
        // Out of memory or a bug: answer the exchange's internal error, keep serving.
        res.clear();
        if (a == area::woox) {
            woox_error(res, woox::protocol::code::unknown, woox::protocol::message::unknown);
        } else {
            neutral(res, 500, "internal error");
        }
        res.close = true;
    }
    journal(lock, req, &res, a, fault_note);
}

void router::body_too_large(const request& req, response& res) {
    const area a = classify(req.path);
    std::unique_lock lock(st_.mutex);
    switch (a) {
    case area::woox: woox_body_too_large(res); break;
    case area::bingx: bingx_body_too_large(res, st_, req.peer); break;
    default:
        neutral(res, 413, "request body is too large");
        res.close = true;
        break;
    }
    if (a != area::admin) {
        journal(lock, req, &res, a, {});
    }
}

void router::journal(std::unique_lock<std::mutex>& lock, const request& req, const response* res,
                     area a, std::string_view fault_note) {
    st_.metrics.count_request(exchange_name(a), req.method, req.path,
                              res != nullptr ? static_cast<int>(res->status) : 0,
                              res != nullptr ? res->code : 0);
    if (st_.cfg.journal_capacity == 0 && !st_.cfg.on_request) {
        return;
    }
    journal_entry e;
    e.time_ms = st_.clock->wall_ms();
    e.exchange = exchange_name(a);
    e.kind = "rest";
    e.method = req.method;
    e.target = req.target;
    const auto key = a == area::woox    ? req.header(woox::protocol::api_key_header)
                     : a == area::bingx ? req.header(bingx::protocol::api_key_header)
                                        : std::nullopt;
    e.api_key = key.value_or(std::string_view{});
    e.peer = req.peer;
    e.http_status = res != nullptr ? static_cast<int>(res->status) : 0;
    e.code = res != nullptr ? res->code : 0;
    e.fault = fault_note;
    st_.publish(lock, std::move(e));
}

} // namespace exsdk::mock::detail

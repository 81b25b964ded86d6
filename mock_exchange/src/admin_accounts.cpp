// The admin API's account endpoints (admin_api.hpp): accounts (GET/POST /__admin/accounts),
// the live listen keys (GET /__admin/listen_keys) and reset (POST /__admin/reset).
#include "admin_api.hpp"

#include <memory>
#include <mutex>

namespace exsdk::mock::detail::admin {

void get_accounts(response& res, shared_state& st) {
    std::shared_ptr<const account_index> a;
    {
        std::lock_guard lock(st.mutex);
        a = st.accounts;
    }
    reply(res, 200, a->all().to_json(false));
}

void post_accounts(const request& req, response& res, shared_state& st) {
    std::shared_ptr<const account_index> index;
    try {
        index = std::make_shared<const account_index>(accounts::from_json(req.body));
    } catch (const std::invalid_argument& e) {
        return fail(res, 400, e.what());
    }
    {
        std::lock_guard lock(st.mutex);
        st.set_accounts_locked(index);
    }
    reply(res, 200, index->all().to_json(false));
}

void post_reset(const request& req, response& res, shared_state& st) {
    auto body = object_body(req, res, true);
    if (!body) {
        return;
    }
    bool accounts_too = false;
    for (const auto& kv : *body) {
        if (kv.key() != "accounts" || !kv.value().is_bool()) {
            return fail(res, 400, R"(body must be empty, {} or {"accounts":true|false})");
        }
        accounts_too = kv.value().get_bool();
    }
    std::shared_ptr<const account_index> start;
    if (accounts_too) {
        start = std::make_shared<const account_index>(st.cfg.accounts);
    }
    {
        std::lock_guard lock(st.mutex);
        st.reset_locked();
        if (start) {
            st.set_accounts_locked(start);
        }
    }
    res.json(200);
    json_writer(res.body).raw(R"({"reset":true,"accounts":)").boolean(accounts_too).raw("}");
}

void get_listen_keys(response& res, shared_state& st) {
    res.json(200);
    json_writer w(res.body);
    w.raw(R"({"listen_keys":[)");
    std::lock_guard lock(st.mutex);
    bool first = true;
    for (const auto& k : st.listen_keys.live(st.clock->wall_ms())) {
        w.raw(first ? "{" : ",{");
        first = false;
        w.key("exchange").str(to_string(k.venue)).raw(",").key("key").str(k.key);
        w.raw(",").key("api_key").str(k.api_key).raw(",").key("account_id").num(k.account_id);
        w.raw(",").key("created_ms").num(k.created_ms).raw(",").key("expires_ms");
        w.num(k.expires_ms).raw("}");
    }
    w.raw("]}");
}

} // namespace exsdk::mock::detail::admin

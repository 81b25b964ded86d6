// Requests built again in place (the builders' `into` overloads, http_request::clear and
// add_header) equal fresh ones byte for byte whatever the request held before, and keep their
// buffers; the client's request_pool lends them out and keeps at most max_idle.
#include "detail/request_pool.hpp"

#include <exsdk/bingx/requests.hpp>
#include <exsdk/bingx/signer.hpp>
#include <exsdk/woox/requests.hpp>
#include <exsdk/woox/signer.hpp>

#include <gtest/gtest.h>

#include <memory>
#include <set>
#include <string>
#include <vector>

namespace {

exsdk::woox::signer woox_signer() {
    return exsdk::woox::signer(
        {"AbmyVJGUpN064ks5ELjLfA==", exsdk::secret("QHKRXHPAW1MC9YGZMAT8YDJG2HPR")});
}
exsdk::bingx::signer bingx_signer() {
    return exsdk::bingx::signer({"bingx-demo-api-key-0001", exsdk::secret("bingx-secret")});
}

// Everything that goes on the wire.
std::string wire(const exsdk::http_request& r) {
    std::string out = std::string(exsdk::to_string(r.method)) + " " + r.target + "\n" +
                      std::string(r.content_type) + "\n";
    for (std::size_t i = 0; i < r.header_count; ++i) {
        out += std::string(r.headers[i].name) + ": " + r.headers[i].value + "\n";
    }
    return out + "\n" + r.body;
}

// A request that held something of every kind: method, target, body, content type, 3 headers.
exsdk::http_request used_request() {
    auto r = exsdk::woox::requests::create_listen_key();
    woox_signer().sign(r, 1578565539808);
    return r;
}

TEST(request_reuse, woox_calls_built_in_place_equal_fresh_ones) {
    const auto s = woox_signer();
    auto fresh = exsdk::woox::requests::api_key_permissions(3, 25);
    s.sign(fresh, 1700000000000);
    auto reused = used_request();
    exsdk::woox::requests::api_key_permissions(reused, 3, 25);
    s.sign(reused, 1700000000000);
    EXPECT_EQ(wire(reused), wire(fresh));
    EXPECT_TRUE(reused.body.empty());
    EXPECT_TRUE(reused.content_type.empty());

    auto fresh_create = exsdk::woox::requests::create_listen_key();
    s.sign(fresh_create, 1700000000001);
    exsdk::woox::requests::create_listen_key(reused);
    s.sign(reused, 1700000000001);
    EXPECT_EQ(wire(reused), wire(fresh_create));
}

TEST(request_reuse, bingx_calls_built_in_place_equal_fresh_ones) {
    const auto s = bingx_signer();
    auto reused = used_request();
    auto fresh = exsdk::bingx::requests::extend_listen_key("abc123", 1700000000000, 5000);
    s.sign(fresh);
    exsdk::bingx::requests::extend_listen_key(reused, "abc123", 1700000000000, 5000);
    s.sign(reused);
    EXPECT_EQ(wire(reused), wire(fresh));
    EXPECT_EQ(reused.header_count, 1U);

    auto fresh_gen = exsdk::bingx::requests::generate_listen_key(1700000000001);
    s.sign(fresh_gen);
    exsdk::bingx::requests::generate_listen_key(reused, 1700000000001);
    s.sign(reused);
    EXPECT_EQ(wire(reused), wire(fresh_gen));

    auto fresh_del = exsdk::bingx::requests::delete_listen_key("k-1", 1700000000002);
    s.sign(fresh_del);
    exsdk::bingx::requests::delete_listen_key(reused, "k-1", 1700000000002);
    s.sign(reused);
    EXPECT_EQ(wire(reused), wire(fresh_del));
}

TEST(request_reuse, building_the_same_call_again_keeps_every_buffer) {
    const auto s = woox_signer();
    exsdk::http_request r;
    exsdk::woox::requests::create_listen_key(r);
    s.sign(r, 1700000000000);
    const auto* target = r.target.data();
    const auto* body = r.body.data();
    std::vector<const char*> headers;
    for (std::size_t i = 0; i < r.header_count; ++i) {
        headers.push_back(r.headers[i].value.data());
    }
    for (std::int64_t ts = 1700000000001; ts < 1700000000100; ++ts) {
        exsdk::woox::requests::create_listen_key(r);
        s.sign(r, ts);
        ASSERT_EQ(r.target.data(), target);
        ASSERT_EQ(r.body.data(), body);
        for (std::size_t i = 0; i < r.header_count; ++i) {
            ASSERT_EQ(r.headers[i].value.data(), headers[i]) << "header " << i;
        }
    }
    const auto b = bingx_signer();
    exsdk::http_request q;
    exsdk::bingx::requests::extend_listen_key(q, "abc123", 1700000000000);
    b.sign(q);
    const auto* query = q.target.data();
    for (std::int64_t ts = 1700000000001; ts < 1700000000100; ++ts) {
        exsdk::bingx::requests::extend_listen_key(q, "abc123", ts);
        b.sign(q);
        ASSERT_EQ(q.target.data(), query);
    }
}

TEST(request_pool, lends_back_what_was_given_back) {
    exsdk::detail::request_pool pool;
    const exsdk::http_request* first = nullptr;
    {
        exsdk::detail::request_pool::lease l(pool);
        first = l.get();
        l->target = "kept";
    }
    exsdk::detail::request_pool::lease again(pool);
    EXPECT_EQ(again.get(), first);
    EXPECT_EQ(again->target, "kept"); // as left: the builders clear it
}

TEST(request_pool, keeps_at_most_max_idle) {
    exsdk::detail::request_pool pool;
    constexpr std::size_t n = exsdk::detail::request_pool::max_idle + 8;
    std::set<const exsdk::http_request*> lent;
    {
        std::vector<std::unique_ptr<exsdk::detail::request_pool::lease>> all;
        for (std::size_t i = 0; i < n; ++i) {
            all.push_back(std::make_unique<exsdk::detail::request_pool::lease>(pool));
            lent.insert(all.back()->get());
        }
        ASSERT_EQ(lent.size(), n); // in flight at once: all different
    }
    // Given back: max_idle kept, the rest freed, so as many leases at once find max_idle old
    // requests and make the others.
    std::vector<std::unique_ptr<exsdk::detail::request_pool::lease>> again;
    std::size_t reused = 0;
    for (std::size_t i = 0; i < n; ++i) {
        again.push_back(std::make_unique<exsdk::detail::request_pool::lease>(pool));
        reused += lent.count(again.back()->get());
    }
    // A freed address may come back from malloc: at least max_idle, and every one of the first
    // max_idle leases is an old request.
    EXPECT_GE(reused, exsdk::detail::request_pool::max_idle);
    for (std::size_t i = 0; i < exsdk::detail::request_pool::max_idle; ++i) {
        EXPECT_EQ(lent.count(again[i]->get()), 1U) << i;
    }
}

} // namespace

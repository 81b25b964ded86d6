// api_key_permissions: which API keys does my WOO X account have, with which permissions and
// IP restrictions? Page by page with api_key_permissions(page, size), then everything at once
// with all_api_key_permissions(), every request paced by the client's limiter (10 per 60 s).
//
//   api_key_permissions                 # against the embedded mock (default)
//   api_key_permissions --size 1        # one key per page, to see the paging
//   EXSDK_WOOX_API_KEY=... EXSDK_WOOX_SECRET=... api_key_permissions --base-url https://api.woox.io
#include "support/example_support.hpp"

#include <exsdk/mock/server.hpp>
#include <exsdk/woox/client.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <iomanip>
#include <iostream>
#include <memory>
#include <string>

namespace {

namespace asio = boost::asio;
namespace ex = exsdk::examples;

constexpr std::string_view usage =
    R"(usage: api_key_permissions [--size N] [--base-url URL] [--ca-file FILE]

Lists the API keys of a WOO X account and their permissions: page by page, then all pages at
once. Without --base-url it starts the embedded mock exchange; with it, it uses
EXSDK_WOOX_API_KEY and EXSDK_WOOX_SECRET.
  --size N   rows per page, 1 to 1000 (default 1, to show the paging)
)";

void print_row(const exsdk::woox::api_key_permission& k) {
    std::string perms;
    for (const auto& p : k.permissions) {
        perms += (perms.empty() ? "" : ",") + p;
    }
    std::string ips = "(any IP)";
    if (k.allowed_ips) {
        ips.clear();
        for (const auto& ip : *k.allowed_ips) {
            ips += (ips.empty() ? "" : ",") + ip;
        }
    }
    std::cout << "  " << std::left << std::setw(12) << k.account_name << std::setw(10) << k.user_id
              << std::setw(30) << k.api_key << std::setw(24) << perms << ips << "\n";
}

asio::awaitable<int> list(exsdk::woox::client& woox, std::int64_t size) {
    std::cout << "Page by page (size " << size << "):\n";
    for (std::int64_t page = 1;; ++page) {
        auto p = co_await woox.api_key_permissions(page, size);
        if (!p) {
            std::cout << "error: " << exsdk::to_string(p.error()) << "\n";
            co_return 1;
        }
        std::cout << " page " << p->meta.current_page << " (" << p->rows.size() << " of "
                  << p->meta.total << " keys):\n";
        for (const auto& row : p->rows) {
            print_row(row);
        }
        if (p->rows.empty() || page * size >= p->meta.total) {
            break;
        }
    }
    std::cout << "\nAll pages at once (all_api_key_permissions):\n";
    auto all = co_await woox.all_api_key_permissions(size);
    if (!all) {
        std::cout << "error: " << exsdk::to_string(all.error()) << "\n";
        co_return 1;
    }
    for (const auto& row : *all) {
        print_row(row);
    }
    std::cout << all->size() << " keys. Each page was one request through the client's limiter "
              << "(WOO X allows 10 per 60 s per account).\n";
    co_return 0;
}

} // namespace

int main(int argc, char** argv) {
    auto opts = ex::parse_options(argc, argv, usage, {"--size"});
    if (!opts) {
        return 0;
    }
    std::unique_ptr<exsdk::mock::threaded_server> mock;
    if (opts->use_mock()) {
        mock = std::make_unique<exsdk::mock::threaded_server>(exsdk::mock::config{});
        opts->woox_url = mock->base_url();
        std::cout << "Embedded mock exchange at " << mock->base_url() << "\n\n";
    }
    if (opts->woox_url.empty()) {
        std::cerr << "error: give --base-url or --woox-url\n";
        return 2;
    }
    const auto size = opts->number("--size", 1);
    if (size > exsdk::woox::protocol::max_page_size) {
        std::cerr << "error: --size must be from 1 to 1000\n";
        return 2;
    }
    asio::io_context ioc;
    exsdk::woox::config cfg;
    cfg.base_url = opts->woox_url;
    cfg.credentials = ex::woox_credentials(*opts);
    cfg.tls.ca_file = opts->ca_file;
    exsdk::woox::client woox(ioc.get_executor(), std::move(cfg));
    int status = 1;
    asio::co_spawn(ioc, list(woox, size), [&](std::exception_ptr ep, int s) {
        if (ep) {
            std::rethrow_exception(ep);
        }
        status = s;
    });
    ioc.run();
    return status;
}

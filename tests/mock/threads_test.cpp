// The embedded mock's C++ control API called from several threads while the server answers
// requests on its own thread: every member function is thread-safe (the tsan preset runs this
// under ThreadSanitizer; in the other builds it proves nothing is lost or stuck).
#include "support.hpp"

#include <atomic>
#include <thread>
#include <vector>

namespace mocktest {
namespace {

namespace mock = exsdk::mock;

using control_threads = mock_fixture;

TEST_F(control_threads, control_api_from_four_threads_while_serving_two_clients) {
    auto cfg = base_config();
    cfg.limits.enabled = false;
    start(cfg);
    constexpr int rounds = 150;
    std::atomic<int> answered{0}, answered_ok{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 2; ++t) {
        threads.emplace_back([&, t] {
            auto c = client();
            for (int i = 0; i < rounds; ++i) {
                const auto r = t == 0 ? woox(c, "POST", "/v3/account/listenKey")
                                      : bingx(c, "POST", "/openApi/user/auth/userDataStream");
                answered += r.status != 0 ? 1 : 0;
                answered_ok += r.status == 200 ? 1 : 0;
            }
        });
    }
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < rounds; ++i) {
                switch ((i + t) % 9) {
                case 0: {
                    mock::fault f;
                    f.exchange = t % 2 == 0 ? "woox" : "bingx";
                    f.act = mock::fault::action::respond;
                    f.status = 503;
                    server().add_fault(f);
                    break;
                }
                case 1:
                    (void)server().faults();
                    server().clear_faults();
                    break;
                case 2: EXPECT_LE(server().journal().size(), cfg.journal_capacity); break;
                case 3:
                    for (const auto& k : server().listen_keys()) {
                        (void)server().find_listen_key(k.key);
                    }
                    break;
                case 4: server().set_accounts(server().get_accounts()); break;
                case 5: {
                    mock::stream_push p;
                    p.exchange = "woox";
                    p.api_key = std::string(demo::woox_key);
                    p.topic = "balance";
                    p.data = R"({"balances":[]})";
                    (void)server().push_event(p);
                    break;
                }
                case 6:
                    (void)server().drop_streams();
                    (void)server().stream_count();
                    (void)server().streams();
                    (void)server().connection_count();
                    break;
                case 7: advance(1ms); break;
                default:
                    if (i % 50 == 0) {
                        server().reset();
                    } else {
                        server().clear_journal();
                    }
                    break;
                }
            }
        });
    }
    for (auto& th : threads) {
        th.join();
    }
    EXPECT_EQ(answered.load(), 2 * rounds); // every request answered (200, or an injected 503)
    EXPECT_GT(answered_ok.load(), 0);
}

} // namespace
} // namespace mocktest

// WOO X: a lost socket backs off and reconnects with the same key while it is valid (a POST
// would expire the live key); a socket the server closed with 1008 (key replaced, expired or
// revoked) drops the key, and so does a key whose rotation time passed while disconnected.
#include "fsm_table.hpp"

namespace exsdk::test::fsm {
namespace {

std::vector<row> streaming() {
    return first_connect("k1", 60min) +
           std::vector<row>{{at(0s, in::reported), "next_event until +3000s"}};
}

TEST(session_fsm_woox_lost_socket, reconnects_with_the_same_key) {
    woox_fsm m(woox_config());
    run(m, streaming() + std::vector<row>{
                             {lost(10s, 1006, "reset"), "report_disconnected: reset"},
                             {at(10s, in::reported), "backoff #1"},
                             {at(11s, in::backoff_done), "wait_for_room"},
                             {at(11s, in::room), "connect k1"},
                         });
}

TEST(session_fsm_woox_lost_socket, a_1008_close_gets_a_new_key) {
    woox_fsm m(woox_config());
    run(m, streaming() + std::vector<row>{
                             {lost(10s, 1008, "key gone"), "report_disconnected: key gone"},
                             {at(10s, in::reported), "backoff #1"},
                             {at(11s, in::backoff_done), "wait_for_room"},
                             {at(11s, in::room), "create_key"},
                         });
}

TEST(session_fsm_woox_lost_socket, a_key_past_its_rotation_time_is_not_reused) {
    woox_fsm m(woox_config());
    run(m, streaming() + std::vector<row>{
                             {lost(10s, 1006, "reset"), "report_disconnected: reset"},
                             {at(10s, in::reported), "backoff #1"},
                             {at(50min, in::backoff_done), "wait_for_room"},
                             {at(50min, in::room), "create_key"},
                         });
}

} // namespace
} // namespace exsdk::test::fsm

// Both machines: the first "connected" has no gap; every later one reports the outage since
// the first socket was lost (planned or not), however many attempts failed in between.
#include "fsm_table.hpp"

namespace exsdk::test::fsm {
namespace {

TEST(session_fsm_gap_accounting, the_outage_runs_from_the_first_loss_to_the_next_socket) {
    woox_fsm m(woox_config());
    run(m, first_connect("k1", 60min) + // no gap: nothing was lost
               std::vector<row>{
                   {at(0s, in::reported), "next_event until +3000s"},
                   {lost(10s, 1006, "reset"), "report_disconnected: reset"},
                   {at(10s, in::reported), "backoff #1"},
                   {at(11s, in::backoff_done), "wait_for_room"},
                   {at(11s, in::room), "connect k1"},
                   {failed(12s, in::connect_failed, errc::network), "backoff #2"},
                   {at(14s, in::backoff_done), "wait_for_room"},
                   {at(14s, in::room), "connect k1"},
                   {at(15s, in::connected), "subscribe"},
                   {at(16s, in::subscribed), "report_connected gap +6s"}, // 10 s -> 16 s
                   {at(16s, in::reported), "next_event until +3000s"},
                   {lost(100s, 1006, "reset"), "report_disconnected: reset"},
                   {at(100s, in::reported), "backoff #1"},
                   {at(101s, in::backoff_done), "wait_for_room"},
                   {at(101s, in::room), "connect k1"},
                   {at(101s, in::connected), "subscribe"},
                   {at(103s, in::subscribed), "report_connected gap +3s"}, // its own outage
               });
}

TEST(session_fsm_gap_accounting, a_planned_rotation_is_a_gap_too) {
    bingx_fsm m(bingx_config());
    run(m, first_connect("k1") +
               std::vector<row>{
                   {at(0s, in::reported), "next_event until +1800s room until +1800s"},
                   {at(20s, in::key_lapsed_event), "drain"},
                   {at(21s, in::drained), "close_stream"},
                   {at(22s, in::closed), "report_disconnected planned: the listen key lapsed"},
                   {at(22s, in::reported), "wait_for_room"},
                   {at(22s, in::room), "create_key"},
                   {failed(23s, in::key_failed, errc::network), "backoff #1"},
                   {at(24s, in::backoff_done), "wait_for_room"},
                   {at(24s, in::room), "create_key"},
                   {created(25s, "k2"), "report_key_rotated: the previous key lapsed "
                                        "(listenKeyExpired)"},
                   {at(25s, in::reported), "connect k2"},
                   {at(25s, in::connected), "subscribe"},
                   {at(26s, in::subscribed), "report_connected gap +4s"}, // closed at 22 s
               });
}

} // namespace
} // namespace exsdk::test::fsm

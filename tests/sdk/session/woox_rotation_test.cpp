// WOO X: the key is replaced rotate_before_expiry before its expiredTime, as a planned rotation:
// close, "disconnected" (planned), no backoff, a new key ("key_rotated"), then "connected" and
// the gap since the old socket closed.
#include "fsm_table.hpp"

namespace exsdk::test::fsm {
namespace {

TEST(session_fsm_woox_rotation, rotates_the_key_before_its_expired_time_without_backoff) {
    woox_fsm m(woox_config()); // rotate 10 min before expiry
    run(m, first_connect("k1", 60min) +
               std::vector<row>{
                   {at(0s, in::reported), "next_event until +3000s"}, // 60 min - 10 min
                   {at(10s, in::event), "next_event until +3000s"},
                   {failed(50min, in::timed_out, errc::timeout), "close_stream"},
                   {at(50min, in::closed),
                    "report_disconnected planned: rotating the listen key before it expires"},
                   {at(50min, in::reported), "wait_for_room"},
                   {at(50min, in::room), "create_key"},
                   {created(50min + 1s, "k2", 110min),
                    "report_key_rotated: planned rotation before expiredTime"},
                   {at(50min + 1s, in::reported), "connect k2"},
                   {at(50min + 1s, in::connected), "subscribe"},
                   {at(50min + 2s, in::subscribed), "report_connected gap +2s"},
                   {at(50min + 2s, in::reported), "next_event until +6000s"}, // 110 - 10 min
               });
    EXPECT_EQ(m.key(), "k2");
}

TEST(session_fsm_woox_rotation, the_old_key_is_dropped_before_its_socket_closes) {
    woox_fsm m(woox_config());
    run(m, first_connect("k1", 60min) + std::vector<row>{
                                            {at(0s, in::reported), "next_event until +3000s"},
                                        });
    EXPECT_EQ(m.key(), "k1");
    EXPECT_EQ(describe(m.resume(failed(50min, in::timed_out, errc::timeout))), "close_stream");
    EXPECT_FALSE(m.has_key()); // listen_key() no longer shows it while it closes
}

TEST(session_fsm_woox_rotation, the_rotation_time_follows_the_time_of_connect) {
    // Connected 20 min after the key was made (backoffs): still rotates at its expiredTime
    // - 10 min, i.e. 30 min after the connect.
    woox_fsm m(woox_config());
    run(m, {
               {at(0s, in::start), "wait_for_room"},
               {at(0s, in::room), "create_key"},
               {created(0s, "k1", 60min), "connect k1"},
               {failed(0s, in::connect_failed, errc::network), "backoff #1"},
               {at(20min, in::backoff_done), "wait_for_room"},
               {at(20min, in::room), "connect k1"}, // still valid: reused
               {at(20min, in::connected), "subscribe"},
               {at(20min, in::subscribed), "report_connected"},
               {at(20min, in::reported), "next_event until +3000s"},
           });
}

} // namespace
} // namespace exsdk::test::fsm

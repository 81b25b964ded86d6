// BingX: while connected the key is PUT every extend_interval (the next-event deadline is the
// PUT's due time, also for the room while the application is behind); a failed PUT other than
// 404 keeps the key and tries again after extend_retry.
#include "fsm_table.hpp"

namespace exsdk::test::fsm {
namespace {

TEST(session_fsm_bingx_extend_schedule, puts_every_interval_and_keeps_the_key) {
    bingx_fsm m(bingx_config()); // 30 min, retry 1 min
    run(m, first_connect("k1") +
               std::vector<row>{
                   {at(0s, in::reported), "next_event until +1800s room until +1800s"},
                   {at(5min, in::event), "next_event until +1800s room until +1800s"},
                   {failed(30min, in::timed_out, errc::timeout), "extend k1"},
                   {at(30min + 1s, in::extended), "next_event until +3601s room until +3601s"},
                   {failed(3601s, in::timed_out, errc::timeout), "extend k1"},
                   {failed(3601s, in::extend_failed, errc::network),
                    "next_event until +3661s room until +3661s"},
                   {failed(3661s, in::timed_out, errc::timeout), "extend k1"},
                   {at(3661s, in::extended), "next_event until +5461s room until +5461s"},
               });
    EXPECT_EQ(m.key(), "k1");
}

TEST(session_fsm_bingx_extend_schedule, a_timeout_before_the_put_is_due_only_waits_again) {
    // The room deadline can pass first (the application is behind): no PUT before it is due.
    bingx_fsm m(bingx_config());
    run(m, first_connect("k1") +
               std::vector<row>{
                   {at(0s, in::reported), "next_event until +1800s room until +1800s"},
                   {failed(100s, in::timed_out, errc::timeout),
                    "next_event until +1800s room until +1800s"},
               });
}

TEST(session_fsm_bingx_extend_schedule, a_key_due_while_no_socket_is_up_is_put_first) {
    bingx_fsm m(bingx_config());
    run(m, {
               {at(0s, in::start), "wait_for_room"},
               {at(0s, in::room), "create_key"},
               {created(0s, "k1"), "connect k1"},
               {failed(0s, in::connect_failed, errc::network), "backoff #1"},
               {at(10s, in::backoff_done), "wait_for_room"},
               {at(10s, in::room), "connect k1"}, // not due: no PUT
               {failed(10s, in::connect_failed, errc::network), "backoff #2"},
               {at(31min, in::backoff_done), "wait_for_room"},
               {at(31min, in::room), "extend k1"}, // due
               {at(31min, in::extended), "connect k1"},
           });
}

} // namespace
} // namespace exsdk::test::fsm

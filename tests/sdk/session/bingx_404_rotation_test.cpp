// BingX: a key the exchange no longer knows is replaced. A 404 on the PUT while connected is a
// planned rotation (the queued events first, then close, "disconnected" planned, a new key at
// once, no backoff); a stream that refuses the key (401/404 on connect) drops it and backs off,
// and the next key says why the old one went.
#include "fsm_table.hpp"

namespace exsdk::test::fsm {
namespace {

TEST(session_fsm_bingx_404_rotation, a_404_on_extend_rotates_after_the_queued_events) {
    bingx_fsm m(bingx_config()); // PUT every 30 min
    run(m, first_connect("k1") +
               std::vector<row>{
                   {at(0s, in::reported), "next_event until +1800s room until +1800s"},
                   {failed(30min, in::timed_out, errc::timeout), "extend k1"},
                   {failed(30min, in::extend_failed, errc::not_found, "listen key not found"),
                    "drain"},
                   {at(30min, in::drained), "close_stream"},
                   {at(30min, in::closed), "report_disconnected planned: the listen key lapsed"},
                   {at(30min, in::reported), "wait_for_room"},
                   {at(30min, in::room), "create_key"}, // no key: nothing to PUT
                   {created(30min, "k2"),
                    "report_key_rotated: the previous key is gone (404 on extend)"},
                   {at(30min, in::reported), "connect k2"},
                   {at(30min, in::connected), "subscribe"},
                   {at(30min + 1s, in::subscribed), "report_connected gap +1s"},
                   {at(30min + 1s, in::reported), "next_event until +3600s room until +3600s"},
               });
    EXPECT_EQ(m.key(), "k2");
}

TEST(session_fsm_bingx_404_rotation, a_refused_connect_drops_the_key_and_backs_off_first) {
    bingx_fsm m(bingx_config());
    run(m, first_connect("k1") +
               std::vector<row>{
                   {at(0s, in::reported), "next_event until +1800s room until +1800s"},
                   {lost(5s, 1006, "connection reset"), "report_disconnected: connection reset"},
                   {at(5s, in::reported), "backoff #1"},
                   {at(6s, in::backoff_done), "wait_for_room"},
                   {at(6s, in::room), "extend k1"},
                   {at(6s, in::extended), "connect k1"},
                   {failed(6s, in::connect_failed, errc::not_found, "listen key not found"),
                    "backoff #2"},
                   {at(8s, in::backoff_done), "wait_for_room"},
                   {at(8s, in::room), "create_key"},
                   {created(8s, "k2"),
                    "report_key_rotated: the previous key was refused by the stream"},
                   {at(8s, in::reported), "connect k2"},
               });
}

TEST(session_fsm_bingx_404_rotation, a_401_on_connect_is_a_refusal_too) {
    bingx_fsm m(bingx_config());
    run(m,
        {
            {at(0s, in::start), "wait_for_room"},
            {at(0s, in::room), "create_key"},
            {created(0s, "k1"), "connect k1"},
            {failed(0s, in::connect_failed, errc::unauthorized), "backoff #1"},
            {at(1s, in::backoff_done), "wait_for_room"},
            {at(1s, in::room), "create_key"},
            {created(1s, "k2"), "report_key_rotated: the previous key was refused by the stream"},
        });
}

} // namespace
} // namespace exsdk::test::fsm

// On the way out (run() ended: cancelled, destroyed or a fatal error) the stream is closed and
// BingX DELETEs its key, bounded by shutdown_timeout, unless delete_on_shutdown is off; run()
// then returns what ended the lifecycle. WOO X keys cannot be deleted: the key stays.
#include "fsm_table.hpp"

namespace exsdk::test::fsm {
namespace {

input shutdown(clock::duration t, std::optional<error> why) {
    input i = at(t, in::shutdown);
    i.err = std::move(why);
    return i;
}

std::vector<row> connected_bingx() {
    return first_connect("k1") +
           std::vector<row>{
               {at(0s, in::reported), "next_event until +1800s room until +1800s"},
               {failed(60s, in::next_cancelled, errc::cancelled, "stop"), "finish cancelled: stop"},
           };
}

TEST(session_fsm_shutdown, bingx_deletes_its_key_within_the_shutdown_timeout) {
    bingx_fsm m(bingx_config()); // shutdown_timeout 5 s
    run(m, connected_bingx() + std::vector<row>{
                                   {shutdown(60s, error(errc::cancelled, "stop")), "close_stream"},
                                   {at(60s, in::closed), "delete_key k1 within +5s"},
                                   {at(65s, in::deleted), "done cancelled: stop"},
                               });
    EXPECT_FALSE(m.has_key()); // listen_key() is "" after shutdown
}

TEST(session_fsm_shutdown, bingx_keeps_the_key_when_delete_on_shutdown_is_off) {
    auto cfg = bingx_config();
    cfg.delete_on_shutdown = false;
    bingx_fsm m(cfg);
    run(m, connected_bingx() + std::vector<row>{
                                   {shutdown(60s, error(errc::cancelled, "stop")), "close_stream"},
                                   {at(60s, in::closed), "done cancelled: stop"},
                               });
    EXPECT_FALSE(m.has_key());
}

TEST(session_fsm_shutdown, bingx_without_a_key_deletes_nothing) {
    bingx_fsm m(bingx_config());
    run(m, {
               {at(0s, in::start), "wait_for_room"},
               {at(0s, in::room), "create_key"},
               {failed(0s, in::key_failed, errc::unauthorized, "bad key"),
                "finish unauthorized: bad key"},
               {shutdown(0s, error(errc::unauthorized, "bad key")), "close_stream"},
               {at(0s, in::closed), "done unauthorized: bad key"},
           });
}

TEST(session_fsm_shutdown, bingx_shuts_down_even_when_destroyed_before_starting) {
    // run_stoppable() returns at once for a destroyed session: the machine never started.
    bingx_fsm m(bingx_config());
    run(m, {
               {shutdown(0s, error(errc::cancelled, "the session was destroyed")), "close_stream"},
               {at(0s, in::closed), "done cancelled: the session was destroyed"},
           });
}

TEST(session_fsm_shutdown, woox_closes_and_keeps_its_key) {
    woox_fsm m(woox_config());
    run(m, first_connect("k1", 60min) +
               std::vector<row>{
                   {at(0s, in::reported), "next_event until +3000s"},
                   {failed(60s, in::next_cancelled, errc::cancelled, "stop"),
                    "finish cancelled: stop"},
                   {shutdown(60s, error(errc::cancelled, "stop")), "close_stream"},
                   {at(60s, in::closed), "done cancelled: stop"},
               });
    EXPECT_EQ(m.key(), "k1");
}

} // namespace
} // namespace exsdk::test::fsm

// BingX: after a lost socket the key is checked with a PUT before any reconnect (a key deleted
// elsewhere is replaced before a futile connect); a failed check that is not a 404 keeps the
// key and retries the PUT after extend_retry.
#include "fsm_table.hpp"

namespace exsdk::test::fsm {
namespace {

std::vector<row> lost_at_10s() {
    return first_connect("k1") +
           std::vector<row>{
               {at(0s, in::reported), "next_event until +1800s room until +1800s"},
               {at(1s, in::event), "next_event until +1800s room until +1800s"},
               {lost(10s, 1006, "the connection was reset"),
                "report_disconnected: the connection was reset"},
               {at(10s, in::reported), "backoff #1"},
               {at(11s, in::backoff_done), "wait_for_room"},
           };
}

TEST(session_fsm_bingx_lost_socket, puts_the_key_then_reconnects_with_it) {
    bingx_fsm m(bingx_config());
    run(m, lost_at_10s() + std::vector<row>{
                               {at(11s, in::room), "extend k1"},
                               {at(12s, in::extended), "connect k1"},
                               {at(12s, in::connected), "subscribe"},
                               {at(12s, in::subscribed), "report_connected gap +2s"},
                               // the next PUT is extend_interval after the check
                               {at(12s, in::reported), "next_event until +1812s room until +1812s"},
                           });
}

TEST(session_fsm_bingx_lost_socket, a_key_gone_on_the_check_is_replaced_before_connecting) {
    bingx_fsm m(bingx_config());
    run(m, lost_at_10s() + std::vector<row>{
                               {at(11s, in::room), "extend k1"},
                               {failed(11s, in::extend_failed, errc::not_found), "create_key"},
                               {created(12s, "k2"),
                                "report_key_rotated: the previous key is gone (404 on extend)"},
                               {at(12s, in::reported), "connect k2"},
                           });
}

TEST(session_fsm_bingx_lost_socket, a_failed_check_keeps_the_key_and_retries_the_put_later) {
    bingx_fsm m(bingx_config()); // extend_retry 1 min
    run(m, lost_at_10s() + std::vector<row>{
                               {at(11s, in::room), "extend k1"},
                               {failed(11s, in::extend_failed, errc::server_error), "connect k1"},
                               {at(11s, in::connected), "subscribe"},
                               {at(11s, in::subscribed), "report_connected gap +1s"},
                               {at(11s, in::reported), "next_event until +71s room until +71s"},
                               {failed(71s, in::timed_out, errc::timeout), "extend k1"},
                               {at(71s, in::extended), "next_event until +1871s room until +1871s"},
                           });
}

} // namespace
} // namespace exsdk::test::fsm

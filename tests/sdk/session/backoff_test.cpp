// Both machines: every failure to get a socket up asks for a backoff with the next attempt
// number (the delay itself grows in reconnect_policy, sdk/src/retry_policy.cpp); a create that
// failed with retry_after asks for a backoff not before it; a socket up resets the count.
#include "fsm_table.hpp"

namespace exsdk::test::fsm {
namespace {

error rate_limited_until(clock::duration t) {
    error e(errc::rate_limited, "too many requests");
    e.retry_after = w0 + std::chrono::duration_cast<clock::wall_time::duration>(t);
    return e;
}

// The same failures for both exchanges (the WOO X key expires in 60 min).
std::vector<row> failures_then_connect() {
    return {
        {at(0s, in::start), "wait_for_room"},
        {at(0s, in::room), "create_key"},
        {failed(0s, in::key_failed, rate_limited_until(30s)), "backoff #1 not_before +30s"},
        {at(30s, in::backoff_done), "wait_for_room"},
        {at(30s, in::room), "create_key"},
        {failed(30s, in::key_failed, errc::server_error), "backoff #2"},
        {at(31s, in::backoff_done), "wait_for_room"},
        {at(31s, in::room), "create_key"},
        {created(31s, "k1", 60min), "connect k1"},
        {failed(31s, in::connect_failed, errc::network), "backoff #3"},
        {at(33s, in::backoff_done), "wait_for_room"},
        {at(33s, in::room), "connect k1"},
        {failed(33s, in::connect_failed, errc::timeout), "backoff #4"},
        {at(37s, in::backoff_done), "wait_for_room"},
        {at(37s, in::room), "connect k1"},
        {at(37s, in::connected), "subscribe"},
        {failed(37s, in::subscribe_failed, errc::protocol), "close_stream"},
        {at(37s, in::closed), "backoff #5"},
        {at(45s, in::backoff_done), "wait_for_room"},
        {at(45s, in::room), "connect k1"},
        {at(45s, in::connected), "subscribe"},
        {at(45s, in::subscribed), "report_connected"},
    };
}

TEST(session_fsm_backoff, woox_counts_attempts_until_a_socket_is_up_then_starts_over) {
    woox_fsm m(woox_config());
    run(m, failures_then_connect() +
               std::vector<row>{
                   {at(45s, in::reported), "next_event until +3000s"},
                   {lost(50s, 1006, "reset"), "report_disconnected: reset"},
                   {at(50s, in::reported), "backoff #1"},
                   {at(51s, in::backoff_done), "wait_for_room"},
                   {at(51s, in::room), "connect k1"},
                   {failed(51s, in::connect_failed, errc::network), "backoff #2"},
               });
}

TEST(session_fsm_backoff, bingx_counts_attempts_until_a_socket_is_up_then_starts_over) {
    bingx_fsm m(bingx_config());
    run(m, failures_then_connect() +
               std::vector<row>{
                   {at(45s, in::reported), "next_event until +1831s room until +1831s"},
                   {lost(50s, 1006, "reset"), "report_disconnected: reset"},
                   {at(50s, in::reported), "backoff #1"},
                   {at(51s, in::backoff_done), "wait_for_room"},
                   {at(51s, in::room), "extend k1"},
                   {at(51s, in::extended), "connect k1"},
                   {failed(51s, in::connect_failed, errc::network), "backoff #2"},
               });
}

TEST(session_fsm_backoff, a_planned_rotation_does_not_back_off) {
    bingx_fsm m(bingx_config());
    run(m, first_connect("k1") +
               std::vector<row>{
                   {at(0s, in::reported), "next_event until +1800s room until +1800s"},
                   {at(9s, in::key_lapsed_event), "drain"},
                   {at(9s, in::drained), "close_stream"},
                   {at(9s, in::closed), "report_disconnected planned: the listen key lapsed"},
                   {at(9s, in::reported), "wait_for_room"},
               });
}

} // namespace
} // namespace exsdk::test::fsm

// Both machines: cancellation (the caller's, or the session's destruction) seen by any action
// ends the lifecycle with errc::cancelled, whatever it was doing: waits (room, backoff, drain)
// end with "the session was cancelled", calls that failed with their own cancelled error end
// with it. Nothing is retried after a cancellation.
#include "fsm_table.hpp"

namespace exsdk::test::fsm {
namespace {

const std::string cancelled = "finish cancelled: the session was cancelled";

struct cancel_case {
    const char* where;
    std::vector<row> rows;
};

// Before any key: the same for both exchanges.
std::vector<cancel_case> before_a_key() {
    return {
        {"waiting for room",
         {{at(0s, in::start), "wait_for_room"}, {at(0s, in::cancelled), cancelled}}},
        {"creating",
         {{at(0s, in::start), "wait_for_room"},
          {at(0s, in::room), "create_key"},
          {failed(0s, in::key_failed, errc::cancelled, "op"), "finish cancelled: op"}}},
    };
}

void run_cases(std::vector<cancel_case> cases, const auto& make_machine) {
    for (const auto& c : cases) {
        SCOPED_TRACE(c.where);
        auto m = make_machine();
        run(m, c.rows);
    }
}

TEST(session_fsm_cancellation, woox_ends_wherever_it_is_cancelled) {
    auto cases = before_a_key();
    cases.insert(cases.end(),
                 {
                     {"connecting",
                      first_connect("k1", 60min) +
                          std::vector<row>{{at(0s, in::reported), "next_event until +3000s"},
                                           {lost(1s, 1006, "reset"), "report_disconnected: reset"},
                                           {at(1s, in::reported), "backoff #1"},
                                           {at(2s, in::backoff_done), "wait_for_room"},
                                           {at(2s, in::room), "connect k1"},
                                           {failed(2s, in::connect_failed, errc::cancelled, "op"),
                                            "finish cancelled: op"}}},
                     {"subscribing",
                      {{at(0s, in::start), "wait_for_room"},
                       {at(0s, in::room), "create_key"},
                       {created(0s, "k1", 60min), "connect k1"},
                       {at(0s, in::connected), "subscribe"},
                       {failed(0s, in::subscribe_failed, errc::cancelled, "op"), "close_stream"},
                       {at(0s, in::closed), "finish cancelled: op"}}},
                     {"waiting for an event",
                      first_connect("k1", 60min) +
                          std::vector<row>{{at(0s, in::reported), "next_event until +3000s"},
                                           {failed(1s, in::next_cancelled, errc::cancelled, "op"),
                                            "finish cancelled: op"}}},
                     {"backing off",
                      {{at(0s, in::start), "wait_for_room"},
                       {at(0s, in::room), "create_key"},
                       {failed(0s, in::key_failed, errc::network), "backoff #1"},
                       {at(0s, in::cancelled), cancelled}}},
                 });
    run_cases(cases, [] { return woox_fsm(woox_config()); });
}

TEST(session_fsm_cancellation, bingx_ends_wherever_it_is_cancelled) {
    const std::vector<row> streaming =
        first_connect("k1") +
        std::vector<row>{{at(0s, in::reported), "next_event until +1800s room until +1800s"}};
    auto cases = before_a_key();
    cases.insert(
        cases.end(),
        {
            {"extending while connected",
             streaming +
                 std::vector<row>{
                     {failed(30min, in::timed_out, errc::timeout), "extend k1"},
                     {failed(30min, in::extend_failed, errc::cancelled, "op"), cancelled}}},
            {"checking the key before reconnecting",
             streaming + std::vector<row>{{lost(1s, 1006, "reset"), "report_disconnected: reset"},
                                          {at(1s, in::reported), "backoff #1"},
                                          {at(2s, in::backoff_done), "wait_for_room"},
                                          {at(2s, in::room), "extend k1"},
                                          {failed(2s, in::extend_failed, errc::cancelled, "op"),
                                           cancelled}}},
            {"waiting for an event",
             streaming + std::vector<row>{{failed(1s, in::next_cancelled, errc::cancelled, "op"),
                                           "finish cancelled: op"}}},
            {"draining", streaming + std::vector<row>{{at(1s, in::key_lapsed_event), "drain"},
                                                      {at(1s, in::cancelled), cancelled}}},
            {"backing off",
             streaming + std::vector<row>{{lost(1s, 1006, "reset"), "report_disconnected: reset"},
                                          {at(1s, in::reported), "backoff #1"},
                                          {at(1s, in::cancelled), cancelled}}},
        });
    run_cases(cases, [] { return bingx_fsm(bingx_config()); });
}

} // namespace
} // namespace exsdk::test::fsm

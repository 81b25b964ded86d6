// Both machines: the first key is not a rotation; every later key is reported as "key_rotated"
// with why the previous one went.
#include "fsm_table.hpp"

namespace exsdk::test::fsm {
namespace {

struct reason_case {
    const char* name;
    bool woox;
    std::vector<row> until_the_old_key_is_gone; // after first_connect() and its "reported"
    std::string reason;
};

std::vector<reason_case> cases() {
    return {
        {"woox planned",
         true,
         {
             {failed(50min, in::timed_out, errc::timeout), "close_stream"},
             {at(50min, in::closed),
              "report_disconnected planned: rotating the listen key before it expires"},
             {at(50min, in::reported), "wait_for_room"},
         },
         "planned rotation before expiredTime"},
        {"woox closed with 1008",
         true,
         {
             {lost(5s, 1008, "key replaced"), "report_disconnected: key replaced"},
             {at(5s, in::reported), "backoff #1"},
             {at(6s, in::backoff_done), "wait_for_room"},
         },
         "the previous key was refused"},
        {"woox refused on connect",
         true,
         {
             {lost(5s, 1006, "reset"), "report_disconnected: reset"},
             {at(5s, in::reported), "backoff #1"},
             {at(6s, in::backoff_done), "wait_for_room"},
             {at(6s, in::room), "connect k1"},
             {failed(6s, in::connect_failed, errc::unauthorized), "backoff #2"},
             {at(7s, in::backoff_done), "wait_for_room"},
         },
         "the previous key was refused"},
        {"bingx listenKeyExpired",
         false,
         {
             {at(5s, in::key_lapsed_event), "drain"},
             {at(5s, in::drained), "close_stream"},
             {at(5s, in::closed), "report_disconnected planned: the listen key lapsed"},
             {at(5s, in::reported), "wait_for_room"},
         },
         "the previous key lapsed (listenKeyExpired)"},
        {"bingx 404 on extend",
         false,
         {
             {failed(30min, in::timed_out, errc::timeout), "extend k1"},
             {failed(30min, in::extend_failed, errc::not_found), "drain"},
             {at(30min, in::drained), "close_stream"},
             {at(30min, in::closed), "report_disconnected planned: the listen key lapsed"},
             {at(30min, in::reported), "wait_for_room"},
         },
         "the previous key is gone (404 on extend)"},
        {"bingx refused by the stream",
         false,
         {
             {lost(5s, 1006, "reset"), "report_disconnected: reset"},
             {at(5s, in::reported), "backoff #1"},
             {at(6s, in::backoff_done), "wait_for_room"},
             {at(6s, in::room), "extend k1"},
             {at(6s, in::extended), "connect k1"},
             {failed(6s, in::connect_failed, errc::not_found), "backoff #2"},
             {at(7s, in::backoff_done), "wait_for_room"},
         },
         "the previous key was refused by the stream"},
    };
}

template <class Machine>
void check(Machine& m, const reason_case& c, std::vector<row> start, const std::string& first) {
    SCOPED_TRACE(c.name);
    const clock::duration t = c.until_the_old_key_is_gone.back().happened.now - t0;
    run(m, start + std::vector<row>{{at(0s, in::reported), first}} + c.until_the_old_key_is_gone +
               std::vector<row>{
                   {at(t, in::room), "create_key"},
                   {created(t, "k2", 120min), "report_key_rotated: " + c.reason},
                   {at(t, in::reported), "connect k2"},
               });
}

TEST(session_fsm_key_rotated_reasons, each_new_key_says_why_the_old_one_went) {
    for (const auto& c : cases()) {
        if (c.woox) {
            woox_fsm m(woox_config());
            check(m, c, first_connect("k1", 60min), "next_event until +3000s");
        } else {
            bingx_fsm m(bingx_config());
            check(m, c, first_connect("k1"), "next_event until +1800s room until +1800s");
        }
    }
}

TEST(session_fsm_key_rotated_reasons, the_first_key_is_no_rotation) {
    // first_connect() itself: create_key is followed by connect, not by report_key_rotated.
    woox_fsm w(woox_config());
    run(w, first_connect("k1", 60min));
    bingx_fsm b(bingx_config());
    run(b, first_connect("k1"));
}

} // namespace
} // namespace exsdk::test::fsm

// Both machines: a create/generate that fails with an error no reconnect can fix (the exchange's
// own word on the credentials) ends the session with that error; anything else, including an
// answer that is not the exchange's (a proxy page), backs off and tries again. On connect,
// 401/404 only mean the key is gone: a new key, not the end.
#include "fsm_table.hpp"

namespace exsdk::test::fsm {
namespace {

struct error_case {
    errc code;
    bool fatal;
};

const error_case error_cases[] = {
    {errc::unauthorized, true},
    {errc::invalid_signature, true},
    {errc::permission_denied, true},
    {errc::ip_not_allowed, true},
    {errc::banned, true},
    {errc::invalid_argument, true},
    {errc::rate_limited, false},
    {errc::server_error, false},
    {errc::network, false},
    {errc::timeout, false},
    {errc::unexpected_response, false},
    {errc::protocol, false},
    {errc::timestamp_rejected, false},
    {errc::not_found, false},
};

template <class Machine, class Config>
void check_create(Config cfg) {
    for (const auto& c : error_cases) {
        SCOPED_TRACE(to_string(c.code));
        Machine m(cfg);
        std::string end = "backoff #1";
        if (c.fatal) {
            end = "finish ";
            end += to_string(c.code);
            end += ": why";
        }
        run(m, {
                   {at(0s, in::start), "wait_for_room"},
                   {at(0s, in::room), "create_key"},
                   {failed(0s, in::key_failed, c.code, "why"), end},
               });
    }
}

TEST(session_fsm_fatal_errors, woox_create_ends_the_session_only_on_fatal_errors) {
    check_create<woox_fsm>(woox_config());
}

TEST(session_fsm_fatal_errors, bingx_generate_ends_the_session_only_on_fatal_errors) {
    check_create<bingx_fsm>(bingx_config());
}

TEST(session_fsm_fatal_errors, a_401_on_connect_is_not_fatal) {
    woox_fsm w(woox_config());
    run(w, {
               {at(0s, in::start), "wait_for_room"},
               {at(0s, in::room), "create_key"},
               {created(0s, "k1", 60min), "connect k1"},
               {failed(0s, in::connect_failed, errc::unauthorized), "backoff #1"},
           });
    EXPECT_FALSE(w.has_key());
    bingx_fsm b(bingx_config());
    run(b, {
               {at(0s, in::start), "wait_for_room"},
               {at(0s, in::room), "create_key"},
               {created(0s, "k1"), "connect k1"},
               {failed(0s, in::connect_failed, errc::unauthorized), "backoff #1"},
           });
    EXPECT_FALSE(b.has_key());
}

} // namespace
} // namespace exsdk::test::fsm

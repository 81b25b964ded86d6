// The members of exsdk::listen_key_session_base, instantiated here for both exchanges' events.
#include "session/session_runtime.hpp"

#include <exsdk/bingx/stream_events.hpp>
#include <exsdk/listen_key_session_base.hpp>
#include <exsdk/woox/stream_events.hpp>

namespace exsdk {

template <class Event>
asio::awaitable<result<session_update<Event>>>
listen_key_session_base<Event>::next(std::optional<clock::time_point> deadline) {
    return detail::session_runtime<Event>::next_of(runtime_, deadline);
}

template <class Event>
std::string listen_key_session_base<Event>::listen_key() const {
    return runtime_->published_key();
}

template <class Event>
session_counters listen_key_session_base<Event>::stats() const {
    return runtime_->stats();
}

template <class Event>
std::size_t listen_key_session_base<Event>::queued() const {
    return runtime_->updates().size();
}

template class listen_key_session_base<woox::stream_event>;
template class listen_key_session_base<bingx::stream_event>;

} // namespace exsdk

// How the streams and sessions are safe to call from any thread (private to the SDK). (The REST
// clients run each call in the caller's coroutine instead, with mutex-guarded shared state: see
// request_pipeline::run and caller_neutral.hpp; a strand hop per call cost them 4 us of CPU.)
//
// Each stream or session keeps its state on its own strand over the executor it was given: a
// connection with its reader and heartbeat coroutines, pending commands, the event queue, the
// session loop. A public call
// runs its body as a separate coroutine on that strand (detail::spawn, a co_spawn) and the
// caller awaits it, so:
// - the object's state is only ever touched from its strand, whatever thread or executor the
//   caller runs on (a multi-threaded io_context, a thread_pool, another strand);
// - the caller resumes on its own executor (co_spawn hands the result to the caller's
//   completion handler through the handler's associated executor);
// - the body runs in its own awaitable thread, so what it sets there (throw_if_cancelled,
//   cancellation filters) never reaches the caller's coroutine, whose state is left as it was;
// - per-operation cancellation keeps working from any thread: the caller's cancellation slot
//   forwards to the body's signal through a dispatch to the strand, never on the emitting
//   thread, and the signal is shared, so an emission that arrives after the call completed
//   finds it still alive (spawn.hpp says why co_spawn alone is not enough). The caller emits its
//   own signal where Asio requires it for any slot: serialised with the awaiting coroutine (e.g.
//   posted to the caller's executor or strand).
// On a single-threaded io_context the hop costs a co_spawn and no extra scheduler round trip:
// the strand is free, so dispatching to it and back runs inline. Its real cost is Asio's: a
// strand inside any_io_executor does not fit its small-object buffer, so every I/O completion
// through it allocates.
#pragma once

#include "detail/spawn.hpp"

#include <exsdk/asio_namespace.hpp>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <memory>
#include <utility>

namespace exsdk::detail {

using object_strand = asio::strand<asio::any_io_executor>;

inline object_strand make_object_strand(const asio::any_io_executor& ex) {
    return asio::make_strand(ex);
}

/// Awaitable that runs `body` on `strand` and completes on the awaiting coroutine's executor.
template <class T>
asio::awaitable<T> on_strand(const object_strand& strand, asio::awaitable<T> body) {
    return spawn(strand, std::move(body), asio::use_awaitable);
}

/// The public members of a pimpl object with its own strand are one line each:
/// `return call_on_strand(impl_, &impl::body, args...);` runs the static coroutine
/// `impl::body(self, args...)` on self's strand; `self` keeps the object alive for the call.
template <class Impl, class Body, class... Args>
auto call_on_strand(const std::shared_ptr<Impl>& self, Body body, Args&&... args) {
    return on_strand(self->strand(), body(self, std::forward<Args>(args)...));
}

/// The destructor of such an object: `self->abort()` on its strand, where the reader and the
/// calls in flight see it (the posted function keeps the object alive until then).
template <class Impl>
void abort_on_strand(const std::shared_ptr<Impl>& self) {
    if (self) {
        asio::dispatch(self->strand(), [s = self] { s->abort(); });
    }
}

} // namespace exsdk::detail

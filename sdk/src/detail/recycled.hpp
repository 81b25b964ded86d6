// detail::make_recycled<T>(args...): one object in a block from Asio's per-thread recycling
// cache, the cache its coroutine frames and handlers come from (private to the SDK). In steady
// state the block is the one the previous call gave back: no malloc.
//
// For per-call state that would otherwise sit in a coroutine frame: Asio recycles frames of up
// to 1,020 bytes only (255 chunks of 4 bytes), and every larger frame is a malloc and a free,
// which also pushes a cached frame out of the cache on the way (see request_pipeline::run).
#pragma once

#include <exsdk/asio_namespace.hpp>

#include <boost/asio/recycling_allocator.hpp>

#include <memory>
#include <new>
#include <utility>

namespace exsdk::detail {

template <class T>
struct recycled_delete {
    void operator()(T* p) const noexcept {
        p->~T();
        asio::recycling_allocator<T>().deallocate(p, 1);
    }
};

template <class T>
using recycled_ptr = std::unique_ptr<T, recycled_delete<T>>;

template <class T, class... Args>
recycled_ptr<T> make_recycled(Args&&... args) {
    asio::recycling_allocator<T> alloc;
    T* p = alloc.allocate(1);
    try {
        ::new (static_cast<void*>(p)) T(std::forward<Args>(args)...);
    } catch (...) {
        alloc.deallocate(p, 1);
        throw;
    }
    return recycled_ptr<T>(p);
}

} // namespace exsdk::detail

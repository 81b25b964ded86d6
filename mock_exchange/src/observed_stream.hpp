// The next layer of the mock's websocket: the connection's stream (plain or TLS), seen through
// a hook on every write the websocket makes. Beast fails a connection by itself (a protocol
// violation: it sends close 1002, 1007 or 1009, then waits for the peer to close TCP) and
// answers a client's close frame by itself; neither completes the pending read until the peer
// has gone. The hook is how the session learns at once that such a close frame is being sent,
// so the socket leaves the registry then and its closing handshake runs on the mock's clock.
// Included only by basic_stream_session.hpp.
#pragma once

#include <boost/asio/buffer.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <boost/beast/websocket/teardown.hpp>

#include <cstdint>
#include <optional>
#include <utility>

namespace exsdk::mock::detail {

/// Told about every write the websocket layer starts.
class write_observer {
public:
    virtual void on_lower_write(boost::asio::const_buffer first) = 0;

protected:
    ~write_observer() = default;
};

/// The status code of the server close frame that starts `b` (unmasked, as a server sends it),
/// 1005 when it carries none; nullopt when `b` does not start with a close frame.
inline std::optional<std::uint16_t> close_frame_code(boost::asio::const_buffer b) noexcept {
    const auto* p = static_cast<const unsigned char*>(b.data());
    if (b.size() < 2 || p[0] != 0x88U || (p[1] & 0x80U) != 0) {
        return std::nullopt; // not FIN + close, or masked
    }
    const std::size_t len = p[1] & 0x7fU;
    if (len < 2 || b.size() < 4) {
        return std::uint16_t{1005};
    }
    return static_cast<std::uint16_t>((p[2] << 8U) | p[3]);
}

template <class Stream>
class observed_stream {
public:
    using executor_type = typename Stream::executor_type;

    observed_stream(Stream& s, write_observer& obs) noexcept : stream_(s), obs_(obs) {}

    executor_type get_executor() noexcept { return stream_.get_executor(); }
    Stream& next_layer() noexcept { return stream_; }
    const Stream& next_layer() const noexcept { return stream_; }

    template <class MutableBuffers, class Token>
    auto async_read_some(const MutableBuffers& buffers, Token&& token) {
        return stream_.async_read_some(buffers, std::forward<Token>(token));
    }

    template <class ConstBuffers, class Token>
    auto async_write_some(const ConstBuffers& buffers, Token&& token) {
        const auto first = boost::asio::buffer_sequence_begin(buffers);
        obs_.on_lower_write(first != boost::asio::buffer_sequence_end(buffers)
                                ? boost::asio::const_buffer(*first)
                                : boost::asio::const_buffer());
        return stream_.async_write_some(buffers, std::forward<Token>(token));
    }

    // The websocket's teardown is the wrapped stream's (Beast's own for TCP and for TLS).
    friend void teardown(boost::beast::role_type role, observed_stream& s,
                         boost::system::error_code& ec) {
        using boost::beast::teardown;
        using boost::beast::websocket::teardown;
        teardown(role, s.next_layer(), ec);
    }
    template <class Handler>
    friend void async_teardown(boost::beast::role_type role, observed_stream& s, Handler&& h) {
        using boost::beast::async_teardown;
        using boost::beast::websocket::async_teardown;
        async_teardown(role, s.next_layer(), std::forward<Handler>(h));
    }

private:
    Stream& stream_;
    write_observer& obs_;
};

} // namespace exsdk::mock::detail

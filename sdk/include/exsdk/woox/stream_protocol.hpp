// The WOO X private-stream protocol without I/O: client commands and server frame decoding.
#pragma once

#include <exsdk/error.hpp>
#include <exsdk/woox/stream_events.hpp>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace exsdk::woox::stream_protocol {

/// Answer to SUBSCRIBE / UN_SUBSCRIBE.
struct ack {
    std::string id;
    std::string cmd;
    bool success = false;
    std::vector<std::string> topics; ///< accepted topics (success)
    std::string message;             ///< why not (failure), e.g. "Command type invalid!"
};
struct pong {
    std::int64_t time = 0;
};
/// {"cmd":"ERROR",...}: the server could not read a command; the socket stays open.
struct error_frame {
    std::string id;
    std::string message;
};

using frame = std::variant<stream_event, ack, pong, error_frame>;

/// Decodes one text frame. Not JSON -> errc::protocol. A JSON frame of unknown shape is returned
/// as a stream_event with an empty topic and its raw JSON.
result<frame> parse_frame(std::string_view text);

/// What a SUBSCRIBE / UN_SUBSCRIBE may name: 1 to 10 topics, each non-empty UTF-8 text (a
/// command is JSON, which is UTF-8). errc::invalid_argument otherwise.
result<void> check_topics(std::span<const std::string> topics);

std::string subscribe_command(std::string_view id, std::span<const std::string> topics);
std::string unsubscribe_command(std::string_view id, std::span<const std::string> topics);
std::string ping_command(std::int64_t ts_ms);

} // namespace exsdk::woox::stream_protocol

// The BingX account-stream protocol without I/O: client commands and decoding of (already
// gunzipped) server frames.
#pragma once

#include <exsdk/bingx/stream_events.hpp>
#include <exsdk/error.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

namespace exsdk::bingx::stream_protocol {

/// Spot subscription answer {"id":..,"code":0,"msg":""}.
struct ack {
    std::string id;
    std::int64_t code = 0;
    std::string msg;
};
/// A server heartbeat: swap "Ping", or spot {"ping":"<id>","time":"<text>"}.
struct ping {
    bool spot = false;
    std::string id;
    std::string time;
};

using frame = std::variant<stream_event, ack, ping>;

/// Decodes one decompressed frame. Not JSON (and not "Ping") -> errc::protocol. A JSON frame of
/// unknown shape is returned as a stream_event with an empty type and its raw JSON.
result<frame> parse_frame(std::string_view text);

/// The answer to a heartbeat: "Pong", or {"pong":"<id>","time":"<text>"}.
std::string pong_for(const ping& p);
/// What subscribe() may name: a non-empty UTF-8 text (a command is JSON, which is UTF-8).
/// errc::invalid_argument otherwise.
result<void> check_data_type(std::string_view data_type);
/// {"id":"<id>","reqType":"sub","dataType":"<topic>"}
std::string subscribe_command(std::string_view id, std::string_view data_type);

} // namespace exsdk::bingx::stream_protocol

// The SDK's BingX account-stream decoder, sans-io, fed the input both raw and gzip-wrapped as the
// mock sends every frame (exsdk::gzip_encoder, then gzip_decoder, as account_stream does), plus
// the raw input handed to the gzip decoder as if it were a binary frame; and the heartbeat round
// trip through the mock: a spot ping the mock writes (the input's id and time), decoded by the
// SDK, answered with the SDK's pong, accepted by the mock's client-frame handler; and the
// input as a spot dataType: the SDK's subscription command, acknowledged by the mock.
//
// Properties: nothing throws; gzip round-trips byte for byte; parse_frame() fails exactly when
// the frame is neither JSON nor "Ping", and the same way raw and gunzipped; a corrupt gzip frame
// is an error value; the SDK answers every ping the mock sends so that the mock accepts it;
// check_data_type() refuses exactly empty and non-UTF-8 text, and the mock acknowledges (code
// 0, same id) every subscription the SDK sends.
#include "support.hpp"

#include <exsdk/bingx/stream_protocol.hpp>
#include <exsdk/gzip.hpp>
#include <exsdk/utf8.hpp>

#include <fuzzer/FuzzedDataProvider.h>
#include <string>

namespace {

using exsdk::fuzz::check;
namespace bp = exsdk::bingx::stream_protocol;
namespace d = exsdk::mock::detail;

bool decodable(std::string_view text) {
    return text == "Ping" || exsdk::fuzz::valid_json(text);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static exsdk::gzip_encoder gzip;     // zlib state reused like the mock's
    static exsdk::gzip_decoder gunzip;   // ... and the SDK's
    static std::string packed, unpacked; // reused buffers

    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const auto raw = bp::parse_frame(text);
    check(raw.has_value() == decodable(text),
          "parse_frame() success differs from the frame "
          "being JSON or Ping",
          text);

    gzip.encode(text, packed);
    check(!gunzip.decode(packed, unpacked), "gzip of the input did not decode");
    check(unpacked == text, "gzip did not round-trip");
    const auto inflated = bp::parse_frame(unpacked);
    check(inflated.has_value() == raw.has_value(), "gunzipped frame decoded differently");

    // The input as a binary frame: mostly not gzip (an error value), sometimes a valid member.
    if (!gunzip.decode(text, unpacked)) {
        (void)bp::parse_frame(unpacked);
    }

    exsdk::fuzz::mock_instance mock;
    d::stream_record rec;
    rec.kind = d::stream_kind::bingx_spot;

    // A spot subscription to the input as dataType: refused by the SDK exactly when it is empty
    // or not UTF-8; otherwise acknowledged by the mock (code 0, the same id), as the SDK reads it.
    const bool good_type = !text.empty() && exsdk::is_utf8(text);
    check(bp::check_data_type(text).has_value() == good_type,
          "check_data_type() does not follow its rule");
    if (good_type) {
        const std::string id = "0123456789abcdef0123456789abcdef"; // the SDK's ids: 32 hex
        d::ping_tracker none;
        const auto sub = bp::subscribe_command(id, text);
        const auto r = d::bingx_client_frame(mock.state->streams, rec, none, sub);
        const auto ack = bp::parse_frame(r.reply);
        check(ack && std::holds_alternative<bp::ack>(*ack) && std::get<bp::ack>(*ack).id == id,
              "the mock did not acknowledge the SDK's subscription", sub + " -> " + r.reply);
        check(std::get<bp::ack>(*ack).code == 0, "the mock refused the SDK's subscription",
              sub + " -> " + r.reply);
    }

    // The spot heartbeat round trip: the mock's ping, the SDK's pong, the mock's check.
    FuzzedDataProvider in(data, size);
    const auto id = in.ConsumeRandomLengthString(40);
    const auto time = in.ConsumeRemainingBytesAsString();
    if (!exsdk::is_utf8(id) || !exsdk::is_utf8(time)) {
        return 0; // the mock's own ids and times are ASCII
    }
    const auto ping_text = d::spot_ping_frame(id, time);
    const auto ping = bp::parse_frame(ping_text);
    check(ping && std::holds_alternative<bp::ping>(*ping), "the mock's ping is not a ping",
          ping_text);
    const auto& p = std::get<bp::ping>(*ping);
    check(p.spot && p.id == id && p.time == time, "the ping's id or time changed", ping_text);
    d::ping_tracker pings;
    pings.outstanding.emplace_back(id, time);
    const auto pong = bp::pong_for(p);
    const auto r = d::bingx_client_frame(mock.state->streams, rec, pings, pong);
    check(r.pong, "the mock refused the SDK's pong", ping_text + " -> " + pong);
    return 0;
}

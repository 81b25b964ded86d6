// The SDK's WOO X private-stream decoder, sans-io, and the command round trip through the mock.
// Input: a selector byte; 0: the rest is one server frame for parse_frame(); otherwise a
// command built by the SDK (subscribe / unsubscribe with a numeric id, as the SDK numbers them,
// and the input's topics) goes to the mock's client-frame handler, and its answer back to the
// SDK's decoder.
//
// Properties: nothing throws; parse_frame() fails exactly when the frame is not JSON;
// check_topics() refuses exactly counts outside 1..10 and empty or non-UTF-8 topics; what the
// SDK sends, the mock understands: the ack comes back for the same id, success exactly when at
// most 10 topics were named, accepting the known topics named (each once, in order).
#include "support.hpp"

#include <exsdk/utf8.hpp>
#include <exsdk/woox/protocol.hpp>
#include <exsdk/woox/stream_protocol.hpp>

#include <algorithm>
#include <fuzzer/FuzzedDataProvider.h>
#include <string>
#include <vector>

namespace {

using exsdk::fuzz::check;
namespace wp = exsdk::woox::stream_protocol;
namespace d = exsdk::mock::detail;

void decode(std::string_view text) {
    const auto f = wp::parse_frame(text);
    check(f.has_value() == exsdk::fuzz::valid_json(text),
          "parse_frame() success differs from the frame being JSON", text);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    FuzzedDataProvider in(data, size);
    if (in.ConsumeIntegral<std::uint8_t>() == 0) {
        decode(in.ConsumeRemainingBytesAsString());
        return 0;
    }
    const bool sub = in.ConsumeBool();
    const auto id = std::to_string(in.ConsumeIntegral<std::uint64_t>()); // the SDK's ids
    std::vector<std::string> topics; // 1..10 from the SDK (it refuses other counts), 11, 12
    const auto count = in.ConsumeIntegralInRange<std::size_t>(1, 12);
    while (topics.size() < count) {
        topics.push_back(
            in.ConsumeBool()
                ? std::string(exsdk::woox::protocol::topics[in.ConsumeIntegralInRange<std::size_t>(
                      0, exsdk::woox::protocol::topics.size() - 1)])
                : in.ConsumeRandomLengthString(20));
    }
    const bool good_topics = std::all_of(topics.begin(), topics.end(), [](const std::string& t) {
        return !t.empty() && exsdk::is_utf8(t);
    });
    const bool fits = topics.size() <= exsdk::woox::protocol::max_topics_per_command;
    check(wp::check_topics(topics).has_value() == (good_topics && fits),
          "check_topics() does not follow its rule");
    if (!good_topics) {
        return 0; // the SDK refuses to send it (a count over 10 alone still goes to the mock)
    }
    const auto command =
        sub ? wp::subscribe_command(id, topics) : wp::unsubscribe_command(id, topics);
    check(exsdk::fuzz::valid_json(command), "the SDK wrote a command that is not JSON", command);

    exsdk::fuzz::mock_instance mock;
    d::stream_record rec;
    rec.kind = d::stream_kind::woox_private;
    const auto r = d::woox_client_frame(mock.state->streams, rec, command, exsdk::fuzz::t0_ms);
    decode(r.reply);
    const auto f = wp::parse_frame(r.reply);
    check(f && std::holds_alternative<wp::ack>(*f), "the mock did not acknowledge the command",
          command + " -> " + r.reply);
    const auto& ack = std::get<wp::ack>(*f);
    check(ack.id == id, "the ack is for another id", command + " -> " + r.reply);
    check(ack.success == fits, "ack success does not follow the topic count",
          command + " -> " + r.reply);
    if (fits) {
        std::vector<std::string> expected;
        for (const auto& t : topics) {
            const auto& known = exsdk::woox::protocol::topics;
            if (std::find(known.begin(), known.end(), t) != known.end() &&
                std::find(expected.begin(), expected.end(), t) == expected.end()) {
                expected.push_back(t);
            }
        }
        check(ack.topics == expected, "the ack lists other topics than the known ones named",
              command + " -> " + r.reply);
        if (sub) {
            check(rec.topics == expected, "the socket holds other topics than acknowledged");
        }
    }
    return 0;
}

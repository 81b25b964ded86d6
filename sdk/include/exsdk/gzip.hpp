// gzip framing (RFC 1952) over zlib, for BingX's compressed websocket frames: the mock encodes,
// the SDK decodes. Each object keeps its zlib state between calls, so per-frame cost is a reset.
#pragma once

#include <boost/system/error_code.hpp>

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace exsdk {

class gzip_encoder {
public:
    explicit gzip_encoder(int level = 6);
    gzip_encoder(gzip_encoder&&) noexcept;
    gzip_encoder& operator=(gzip_encoder&&) noexcept;
    ~gzip_encoder();
    /// Replaces `out` with the gzip member encoding `in`.
    void encode(std::string_view in, std::string& out);
    std::string encode(std::string_view in);

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

class gzip_decoder {
public:
    /// Decoded frames larger than `max_size` are rejected (a decompression bomb guard).
    explicit gzip_decoder(std::size_t max_size = std::size_t{16} << 20);
    gzip_decoder(gzip_decoder&&) noexcept;
    gzip_decoder& operator=(gzip_decoder&&) noexcept;
    ~gzip_decoder();
    /// Replaces `out` with the decoded content of the gzip member `in`. Errors:
    /// exsdk::errc::protocol for corrupt, truncated or oversized input.
    boost::system::error_code decode(std::string_view in, std::string& out);

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

} // namespace exsdk

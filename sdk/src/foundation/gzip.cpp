#include <exsdk/error.hpp>
#include <exsdk/gzip.hpp>

#include <zlib.h>

#include <algorithm>
#include <stdexcept>

namespace exsdk {
namespace {
constexpr int gzip_window_bits = 15 + 16; // 32 KiB window, gzip header and trailer
} // namespace

struct gzip_encoder::impl {
    z_stream z{};
    explicit impl(int level) {
        if (deflateInit2(&z, level, Z_DEFLATED, gzip_window_bits, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
            throw std::runtime_error("zlib: deflateInit2 failed");
        }
    }
    impl(const impl&) = delete;
    impl& operator=(const impl&) = delete;
    ~impl() { deflateEnd(&z); }
};

gzip_encoder::gzip_encoder(int level) : impl_(std::make_unique<impl>(level)) {}
gzip_encoder::gzip_encoder(gzip_encoder&&) noexcept = default;
gzip_encoder& gzip_encoder::operator=(gzip_encoder&&) noexcept = default;
gzip_encoder::~gzip_encoder() = default;

void gzip_encoder::encode(std::string_view in, std::string& out) {
    z_stream& z = impl_->z;
    deflateReset(&z);
    out.resize(deflateBound(&z, static_cast<uLong>(in.size())));
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    z.avail_in = static_cast<uInt>(in.size());
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = static_cast<uInt>(out.size());
    const int rc = deflate(&z, Z_FINISH);
    if (rc != Z_STREAM_END) {
        throw std::runtime_error("zlib: deflate failed");
    }
    out.resize(z.total_out);
}

std::string gzip_encoder::encode(std::string_view in) {
    std::string out;
    encode(in, out);
    return out;
}

struct gzip_decoder::impl {
    z_stream z{};
    std::size_t max_size;
    explicit impl(std::size_t max) : max_size(max) {
        if (inflateInit2(&z, gzip_window_bits) != Z_OK) {
            throw std::runtime_error("zlib: inflateInit2 failed");
        }
    }
    impl(const impl&) = delete;
    impl& operator=(const impl&) = delete;
    ~impl() { inflateEnd(&z); }
};

gzip_decoder::gzip_decoder(std::size_t max_size) : impl_(std::make_unique<impl>(max_size)) {}
gzip_decoder::gzip_decoder(gzip_decoder&&) noexcept = default;
gzip_decoder& gzip_decoder::operator=(gzip_decoder&&) noexcept = default;
gzip_decoder::~gzip_decoder() = default;

boost::system::error_code gzip_decoder::decode(std::string_view in, std::string& out) {
    z_stream& z = impl_->z;
    inflateReset(&z);
    out.clear();
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    z.avail_in = static_cast<uInt>(in.size());
    std::size_t produced = 0;
    for (;;) {
        if (produced == out.size()) {
            if (out.size() >= impl_->max_size) {
                return make_error_code(errc::protocol); // larger than allowed
            }
            const std::size_t want = std::max({out.size() * 2, in.size() * 4, std::size_t{4096}});
            out.resize(std::min(want, impl_->max_size));
        }
        z.next_out = reinterpret_cast<Bytef*>(out.data() + produced);
        z.avail_out = static_cast<uInt>(out.size() - produced);
        const int rc = inflate(&z, Z_NO_FLUSH);
        produced = out.size() - z.avail_out;
        if (rc == Z_STREAM_END) {
            out.resize(produced);
            return {};
        }
        if (rc == Z_OK || (rc == Z_BUF_ERROR && z.avail_out == 0)) {
            continue; // progress made, or more output space needed
        }
        return make_error_code(errc::protocol); // corrupt, or truncated (Z_BUF_ERROR, no input)
    }
}

} // namespace exsdk

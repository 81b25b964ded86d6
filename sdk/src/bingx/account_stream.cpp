#include "detail/event_stream.hpp"
#include "detail/object_strand.hpp"

#include <exsdk/bingx/account_stream.hpp>
#include <exsdk/bingx/stream_protocol.hpp>
#include <exsdk/gzip.hpp>
#include <exsdk/hex.hpp>

#include <boost/asio/dispatch.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

#include <array>
#include <random>

namespace exsdk::bingx {

namespace {

detail::endpoint_url parse_or_throw(const std::string& url) {
    auto r = detail::parse_endpoint_url(url);
    if (!r) {
        throw exception(r.error());
    }
    return *r;
}

using stream_base = detail::event_stream<stream_event, stream_protocol::ack>;

} // namespace

struct account_stream::impl final : stream_base {
    stream_config cfg;
    detail::endpoint_url spot, swap;
    gzip_decoder gunzip;
    std::string text; // reused inflate buffer
    std::mt19937_64 ids{std::random_device{}()};

    impl(asio::any_io_executor ex, stream_config c)
        : stream_base(
              std::move(ex), c.tls, c.clock,
              timing{c.connect_timeout, c.idle_timeout, clock::duration::zero(), c.command_timeout},
              queue_bound{c.max_queued_events, c.overflow}, c.log, "bingx.stream"),
          cfg(std::move(c)), spot(parse_or_throw(cfg.spot_url)),
          swap(parse_or_throw(cfg.swap_url)) {}

    void handle(detail::websocket_message& msg) override {
        std::string_view frame = msg.data;
        if (msg.binary) {
            if (auto ec = gunzip.decode(msg.data, text); ec) {
                stream_event ev; // undecodable: pass it on raw rather than drop it
                ev.raw = boost::json::string(msg.data);
                events().push(std::move(ev));
                return;
            }
            frame = text;
        }
        auto parsed = stream_protocol::parse_frame(frame);
        if (!parsed) {
            stream_event ev;
            ev.raw = boost::json::string(frame);
            events().push(std::move(ev));
            return;
        }
        std::visit(
            [&](auto& f) {
                using F = std::decay_t<decltype(f)>;
                if constexpr (std::is_same_v<F, stream_event>) {
                    events().push(std::move(f));
                } else if constexpr (std::is_same_v<F, stream_protocol::ack>) {
                    const std::string id = f.id; // not f.id: the next argument moves from f
                    answer(id, std::move(f));
                } else if constexpr (std::is_same_v<F, stream_protocol::ping>) {
                    asio::co_spawn(executor(),
                                   reply(shared_from_this(), stream_protocol::pong_for(f)),
                                   asio::detached);
                }
            },
            *parsed);
    }

    static asio::awaitable<void> reply(std::shared_ptr<stream_base> self, std::string pong) {
        co_await asio::this_coro::throw_if_cancelled(false);
        (void)co_await self->send(std::move(pong)); // a failure surfaces in the reader
    }

    // The bodies of the public calls, run on the strand (each holds the impl alive).

    static asio::awaitable<result<void>> connect(std::shared_ptr<impl> self, market m,
                                                 std::string listen_key) {
        co_await asio::this_coro::throw_if_cancelled(false);
        const auto& ep = m == market::spot ? self->spot : self->swap;
        std::string target = ep.path;
        target.append("?").append(protocol::stream_key_param).append("=");
        target += boost::urls::encode(listen_key, boost::urls::unreserved_chars);
        co_return co_await self->open(ep.base, std::move(target));
    }

    static asio::awaitable<result<void>> subscribe(std::shared_ptr<impl> self,
                                                   std::string data_type) {
        co_await asio::this_coro::throw_if_cancelled(false);
        if (auto ok = stream_protocol::check_data_type(data_type); !ok) {
            co_return ok.error();
        }
        std::array<unsigned char, 16> raw{};
        for (std::size_t i = 0; i < raw.size(); i += 8) {
            const auto v = self->ids();
            for (std::size_t b = 0; b < 8; ++b) {
                raw[i + b] = static_cast<unsigned char>(v >> (8 * b));
            }
        }
        const std::string id = to_hex(raw);
        auto ack = co_await self->command(id, stream_protocol::subscribe_command(id, data_type));
        if (!ack) {
            co_return ack.error();
        }
        if (ack->code != 0) {
            error e(errc::bad_request, ack->msg);
            e.exchange_code = ack->code;
            co_return e;
        }
        co_return result<void>{};
    }
};

account_stream::account_stream(asio::any_io_executor ex, stream_config cfg)
    : impl_(std::make_shared<impl>(std::move(ex), std::move(cfg))) {}

account_stream::~account_stream() {
    detail::abort_on_strand(impl_);
}

asio::awaitable<result<void>> account_stream::connect(market m, std::string_view listen_key) {
    return detail::call_on_strand(impl_, &impl::connect, m, std::string(listen_key));
}

asio::awaitable<result<void>> account_stream::subscribe(std::string_view data_type) {
    return detail::call_on_strand(impl_, &impl::subscribe, std::string(data_type));
}

asio::awaitable<result<stream_event>>
account_stream::next(std::optional<clock::time_point> deadline) {
    return detail::call_on_strand(impl_, &impl::next_body, deadline);
}

asio::awaitable<void> account_stream::close() {
    return detail::call_on_strand(impl_, &impl::close_body);
}

bool account_stream::is_open() const {
    return impl_->connected();
}
std::size_t account_stream::queued() const {
    return impl_->events().size();
}
std::size_t account_stream::dropped() const {
    return impl_->events().dropped();
}

} // namespace exsdk::bingx

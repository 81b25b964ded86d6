#include "detail/event_stream.hpp"
#include "detail/object_strand.hpp"

#include <exsdk/woox/private_stream.hpp>
#include <exsdk/woox/stream_protocol.hpp>

#include <boost/asio/dispatch.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

namespace exsdk::woox {

namespace {

detail::endpoint_url parse_or_throw(const std::string& url) {
    auto r = detail::parse_endpoint_url(url);
    if (!r) {
        throw exception(r.error());
    }
    return *r;
}

using stream_base = detail::event_stream<stream_event, std::vector<std::string>>;

} // namespace

struct private_stream::impl final : stream_base {
    stream_config cfg;
    detail::endpoint_url endpoint;
    std::uint64_t next_command_id = 0;

    impl(asio::any_io_executor ex, stream_config c)
        : stream_base(std::move(ex), c.tls, c.clock,
                      timing{c.connect_timeout, c.ping_interval + c.pong_timeout, c.ping_interval,
                             c.command_timeout},
                      queue_bound{c.max_queued_events, c.overflow}, c.log, "woox.stream"),
          cfg(std::move(c)), endpoint(parse_or_throw(cfg.url)) {}

    std::string heartbeat_frame() override {
        return stream_protocol::ping_command(get_clock()->wall_ms());
    }

    void handle(detail::websocket_message& msg) override {
        auto parsed = stream_protocol::parse_frame(msg.data);
        if (!parsed) {
            stream_event ev; // not JSON: pass it on raw rather than drop it
            ev.raw = boost::json::string(msg.data);
            events().push(std::move(ev));
            return;
        }
        std::visit(
            [&](auto& f) {
                using F = std::decay_t<decltype(f)>;
                if constexpr (std::is_same_v<F, stream_event>) {
                    events().push(std::move(f));
                } else if constexpr (std::is_same_v<F, stream_protocol::ack>) {
                    answer(f.id, f.success ? result<std::vector<std::string>>(std::move(f.topics))
                                           : error(errc::bad_request, f.message));
                } else if constexpr (std::is_same_v<F, stream_protocol::error_frame>) {
                    answer(f.id, error(errc::bad_request, f.message));
                }
                // pong: the frame itself proved the socket alive
            },
            *parsed);
    }

    // The bodies of the public calls, run on the strand (each holds the impl alive).

    static asio::awaitable<result<void>> connect(std::shared_ptr<impl> self, std::string auth_key) {
        co_await asio::this_coro::throw_if_cancelled(false);
        std::string target = self->endpoint.path;
        target.append("?").append(protocol::stream_key_param).append("=");
        target += boost::urls::encode(auth_key, boost::urls::unreserved_chars);
        co_return co_await self->open(self->endpoint.base, std::move(target));
    }

    static asio::awaitable<result<std::vector<std::string>>>
    subscription(std::shared_ptr<impl> self, bool subscribe, std::vector<std::string> topics) {
        co_await asio::this_coro::throw_if_cancelled(false);
        if (auto ok = stream_protocol::check_topics(topics); !ok) {
            co_return ok.error();
        }
        const std::string id = std::to_string(++self->next_command_id);
        // A named value, not a conditional expression inside co_await: GCC 12 destroys the
        // temporary of `co_await f(c ? a : b)` twice.
        std::string text = subscribe ? stream_protocol::subscribe_command(id, topics)
                                     : stream_protocol::unsubscribe_command(id, topics);
        co_return co_await self->command(id, std::move(text));
    }
};

private_stream::private_stream(asio::any_io_executor ex, stream_config cfg)
    : impl_(std::make_shared<impl>(std::move(ex), std::move(cfg))) {}

private_stream::~private_stream() {
    detail::abort_on_strand(impl_);
}

asio::awaitable<result<void>> private_stream::connect(std::string_view auth_key) {
    return detail::call_on_strand(impl_, &impl::connect, std::string(auth_key));
}

asio::awaitable<result<std::vector<std::string>>>
private_stream::subscribe(std::vector<std::string> topics) {
    return detail::call_on_strand(impl_, &impl::subscription, true, std::move(topics));
}

asio::awaitable<result<std::vector<std::string>>>
private_stream::unsubscribe(std::vector<std::string> topics) {
    return detail::call_on_strand(impl_, &impl::subscription, false, std::move(topics));
}

asio::awaitable<result<stream_event>>
private_stream::next(std::optional<clock::time_point> deadline) {
    return detail::call_on_strand(impl_, &impl::next_body, deadline);
}

asio::awaitable<void> private_stream::close() {
    return detail::call_on_strand(impl_, &impl::close_body);
}

bool private_stream::is_open() const {
    return impl_->connected();
}
std::size_t private_stream::queued() const {
    return impl_->events().size();
}
std::size_t private_stream::dropped() const {
    return impl_->events().dropped();
}

} // namespace exsdk::woox

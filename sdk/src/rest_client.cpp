#include "detail/request_pipeline.hpp"

#include <exsdk/rest_client.hpp>

namespace exsdk {

rest_client::rest_client(rest_client&&) noexcept = default;
rest_client& rest_client::operator=(rest_client&&) noexcept = default;
rest_client::~rest_client() = default;

asio::awaitable<result<clock::wall_time>> rest_client::server_time() {
    return detail::request_pipeline::server_time_of(pipeline_);
}

asio::awaitable<result<void>> rest_client::sync_clock() {
    return detail::request_pipeline::sync_clock_of(pipeline_);
}

clock::duration rest_client::clock_offset() const {
    return pipeline_->offset();
}

client_stats rest_client::stats() const {
    return pipeline_->stats();
}

asio::any_io_executor rest_client::get_executor() const {
    return pipeline_->executor();
}

} // namespace exsdk

// The sans-io exchange handlers: one request in, one response out, over the shared state.
// Each runs with shared_state::mutex held and never blocks.
#pragma once

#include "http_message.hpp"
#include "state.hpp"

#include <exsdk/woox/protocol.hpp>

#include <string_view>

namespace exsdk::mock::detail {

/// A request under /v3/ (WOO X). Spec section 1.
void handle_woox(const request& req, response& res, shared_state& st);
/// A request under /openApi/ (BingX). Spec section 2.
void handle_bingx(const request& req, response& res, shared_state& st);

/// The WOO X error body {"success":false,"code":N,"message":M}, as JSON with res.code = N;
/// HTTP status `status`, or woox::protocol::http_status(c) when 0. Leaves res.close alone.
void woox_error(response& res, woox::protocol::code c, std::string_view message,
                unsigned status = 0);

/// 413 in each exchange's envelope (spec section 4); the connection is closed afterwards.
void woox_body_too_large(response& res);
void bingx_body_too_large(response& res, shared_state& st, std::string_view peer);

} // namespace exsdk::mock::detail

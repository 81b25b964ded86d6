// BingX requests, unsigned (sans-io). The client signs them with bingx::signer, which also sets
// the target (path + signed query).
#pragma once

#include <exsdk/detail/http_message.hpp>

namespace exsdk::bingx::requests {

/// POST /openApi/user/auth/userDataStream
detail::http_request generate_listen_key();
/// PUT /openApi/user/auth/userDataStream (listenKey goes in the signed query)
detail::http_request extend_listen_key();
/// DELETE /openApi/user/auth/userDataStream (listenKey goes in the signed query)
detail::http_request delete_listen_key();
/// GET /openApi/swap/v2/server/time (public)
detail::http_request server_time();

} // namespace exsdk::bingx::requests

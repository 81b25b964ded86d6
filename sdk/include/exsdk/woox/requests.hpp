// WOO X requests, unsigned (sans-io). The client signs them with woox::signer.
#pragma once

#include <exsdk/http_message.hpp>

#include <cstdint>

namespace exsdk::woox::requests {

/// POST /v3/account/listenKey {"type":"WEBSOCKET"}
http_request create_listen_key();
/// GET /v3/account/credentials?page=&size=
http_request api_key_permissions(std::int64_t page, std::int64_t size);

// The same, built in place into `into` (cleared first; its buffers keep their room): what a
// client that reuses its requests calls, allocating nothing once warm.
void create_listen_key(http_request& into);
void api_key_permissions(http_request& into, std::int64_t page, std::int64_t size);
/// GET /v3/public/systemInfo (public)
http_request system_info();

} // namespace exsdk::woox::requests

// How the clients name their limits in a shared limit_store (private to the SDK). The whole key
// scheme is here and in the Redis store (README "Many engines, one account"):
//   WOO X  scope "woox:<account>"  names "listen_key", "credentials"
//   BingX  scope "bingx"           names "uid:<account>:userDataStream" (or
//          "uid:<account>:<METHOD>:userDataStream" with separate method limits),
//          "ip:<ip name>:group", "ip:<ip name>:<METHOD>:<path>"
// BingX's IP group is shared by every UID leaving through one IP, and a call takes its UID
// window and the IP group at once, so every BingX limit shares one scope.
#pragma once

#include <string>
#include <string_view>

namespace exsdk::detail {

/// "key-" + the first 16 hex digits of SHA-256(api_key): names an account without its key.
std::string default_limit_account(std::string_view api_key);

/// This machine's host name ("localhost" when it has none).
std::string default_ip_name();

} // namespace exsdk::detail

# Sources of exsdk::sdk, relative to sdk/.
set(EXSDK_SDK_SOURCES
  src/bingx/client.cpp
  src/bingx/ip_group.cpp
  src/bingx/requests.cpp
  src/bingx/responses.cpp
  src/bingx/signer.cpp
  src/detail/client_core.cpp
  src/detail/json.cpp
  src/http/base_url.cpp
  src/http/http_transport.cpp
  src/retry_policy.cpp
  src/sdk_version.cpp
  src/sliding_window_limiter.cpp
  src/woox/client.cpp
  src/woox/requests.cpp
  src/woox/responses.cpp
  src/woox/signer.cpp
)
list(TRANSFORM EXSDK_SDK_SOURCES PREPEND "${CMAKE_CURRENT_LIST_DIR}/")

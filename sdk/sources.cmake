# Sources of exsdk::sdk, relative to sdk/.
set(EXSDK_SDK_SOURCES
  src/sdk_version.cpp
  src/sliding_window_limiter.cpp
)
list(TRANSFORM EXSDK_SDK_SOURCES PREPEND "${CMAKE_CURRENT_LIST_DIR}/")

// `exsdk::asio`: the one alias for boost::asio that exsdk's headers (and users' code inside
// namespace exsdk) write Asio names through. Every public exsdk header includes it first.
#pragma once

#include <boost/asio/any_io_executor.hpp>

namespace exsdk {

namespace asio = boost::asio;

} // namespace exsdk

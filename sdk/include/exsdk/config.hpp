// Project-wide aliases. Every public exsdk header includes this first.
#pragma once

#include <boost/asio/any_io_executor.hpp>

namespace exsdk {

namespace asio = boost::asio;

} // namespace exsdk

// Compiles Boost.Asio, Asio's OpenSSL support and Beast's non-template parts exactly once for
// the whole project (BOOST_ASIO_SEPARATE_COMPILATION / BOOST_BEAST_SEPARATE_COMPILATION are
// public definitions of exsdk::foundation, so every user of exsdk shares these definitions).
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
#include <boost/beast/src.hpp>

// Namespace aliases for Asio, declared once for the whole code base.
#pragma once

#include <boost/asio/awaitable.hpp>

namespace poki {
namespace net = boost::asio;

template <class T>
using awaitable = boost::asio::awaitable<T>;
}  // namespace poki

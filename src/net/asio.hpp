// The one way the project includes Boost.Asio. Boost 1.74's awaitable.hpp uses
// std::exchange without including <utility>, so <utility> comes first.
#pragma once

#include <utility>

#include <boost/asio.hpp>

namespace mqwarden::net {
namespace asio = boost::asio;
using tcp = asio::ip::tcp;
}  // namespace mqwarden::net

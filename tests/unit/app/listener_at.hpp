// A Listener with the given address, port and name, for the configuration tests.
#pragma once

#include <cstdint>
#include <string>

#include "app/config.hpp"

namespace mqwarden::app::testing {

inline Listener listener_at(std::string address, std::uint16_t port, std::string name = "") {
  Listener listener;
  listener.address = std::move(address);
  listener.port = port;
  listener.name = std::move(name);
  return listener;
}

}  // namespace mqwarden::app::testing

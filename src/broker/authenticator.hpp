// Authenticator: decides whether a username and password may connect.
// Implemented outside the broker core (a password file, later other sources).
// Thread-safe: called from every connection thread.
#pragma once

#include <optional>
#include <string_view>

namespace mqwarden::broker {

class Authenticator {
 public:
  virtual ~Authenticator() = default;
  virtual bool authenticate(std::string_view username, std::string_view password) const = 0;
};

}  // namespace mqwarden::broker

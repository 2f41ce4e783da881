// ClientIdentity: who a client is, as the policy engine reads it in
// `client.*`, `publisher.*` and `subscriber.*` — its identifier, username,
// certificate CN, address, protocol version, and the roles and attributes the
// identity store gives it. Built once when the client connects and shared
// (immutable) by its connection, its session and every message it publishes.
#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "policy/event.hpp"

namespace mqwarden::broker {

struct ClientIdentity {
  std::string id;
  std::string username;
  std::string cn;  // the verified client certificate's subject CN; "" without one
  std::string ip;
  std::uint16_t port = 0;
  std::uint8_t protocol = 5;  // 4: MQTT 3.1.1, 5: MQTT 5.0
  std::vector<std::string> roles;
  nlohmann::json attributes = nlohmann::json::object();

  // A view for the policy engine, valid while this identity lives.
  policy::Identity view() const {
    return {id, username, cn, ip, port, protocol, roles, &attributes};
  }
};

using IdentityPtr = std::shared_ptr<const ClientIdentity>;

// Splits "address:port" or "[v6 address]:port" into the identity's ip and port.
void set_remote_address(ClientIdentity& identity, std::string_view address_and_port);

// Gives a client its roles and attributes (from the identity store). Thread-safe.
class IdentityDirectory {
 public:
  virtual ~IdentityDirectory() = default;
  virtual void complete(ClientIdentity& identity) const = 0;
};

}  // namespace mqwarden::broker

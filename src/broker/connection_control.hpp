// ConnectionControl: what the protocol handler of a connection asks of its
// transport. Called only on the connection's own thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

#include "broker/client_link.hpp"
#include "mqtt/protocol_version.hpp"

namespace mqwarden::broker {

class ConnectionControl {
 public:
  virtual ~ConnectionControl() = default;
  // The connection as the broker core sends to it and holds it (in the session
  // and in callbacks that answer the client later).
  virtual ClientLink& link() = 0;
  virtual std::shared_ptr<ClientLink> shared_link() = 0;
  // The version the client connected with: for decoding and encoding from now on.
  virtual void set_protocol_version(mqtt::ProtocolVersion version) = 0;
  // The largest packet the client accepts (v5 Maximum Packet Size).
  virtual void set_peer_max_packet_size(std::uint32_t bytes) = 0;
  // How many Topic Aliases to use in PUBLISHes to the client (v5; 0: none).
  virtual void set_peer_topic_alias_maximum(std::uint16_t maximum) = 0;
  // Closes the connection when no packet arrives for 1.5 times `interval`
  // [MQTT-3.1.2-24]; zero turns the check off.
  virtual void set_keep_alive(std::chrono::seconds interval) = 0;
  // The CONNECT was accepted as `client_id` (for the transport's log).
  virtual void client_connected(std::string_view client_id) = 0;
  // "address:port" of the client, for logs (and the policy engine's client.ip).
  virtual std::string_view remote_address() const = 0;
  // The subject CN of the client's verified TLS certificate, if it sent one.
  virtual std::optional<std::string_view> certificate_common_name() const = 0;
  // The username a TLS listener with use_identity_as_username takes from the
  // client's verified certificate: the client is authenticated by it, and the
  // CONNECT's username and password are not checked (as with Mosquitto).
  virtual std::optional<std::string_view> certificate_username() const = 0;
};

}  // namespace mqwarden::broker

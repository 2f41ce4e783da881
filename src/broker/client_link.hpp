// ClientLink: the broker core's handle on one client connection.
//
// Implemented by the transport. Thread-safe: sessions send to their client
// from whichever thread routes a message to them, and a new connection with
// the same client identifier closes the old one from its own thread. A link
// encodes for its connection's protocol version and honours the client's
// Maximum Packet Size.
#pragma once

#include <optional>

#include "mqtt/packets.hpp"

namespace mqwarden::broker {

class ClientLink {
 public:
  virtual ~ClientLink() = default;
  // Queues `packet` for sending (a PUBLISH may be given a Topic Alias on the
  // way). Returns false, sending nothing, when the packet exceeds the
  // client's Maximum Packet Size [MQTT-3.1.2-25].
  virtual bool send(mqtt::Packet packet) = 0;
  // Closes the connection after what is queued has been sent; an MQTT 5.0
  // client is first sent DISCONNECT with `reason` when one is given.
  virtual void close(std::optional<mqtt::ReasonCode> reason) = 0;
};

}  // namespace mqwarden::broker

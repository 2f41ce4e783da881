// Message: an application message as the broker holds it between the PUBLISH
// that brought it and the PUBLISHes that deliver it. Immutable once routed and
// shared by every subscriber that gets it (MessagePtr), so a fan-out to many
// subscribers holds one copy of the payload.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "broker/client_identity.hpp"
#include "mqtt/packets.hpp"

namespace mqwarden::broker {

using Clock = std::chrono::steady_clock;

struct Message {
  std::string topic;
  std::string payload;
  mqtt::QoS qos = mqtt::QoS::at_most_once;
  bool retain = false;
  // MQTT 5.0 properties forwarded to subscribers unchanged: Payload Format
  // Indicator, Content Type, Response Topic, Correlation Data, User Properties.
  // Message Expiry Interval is kept as `expires_at` and rewritten per delivery.
  mqtt::Properties properties;
  std::string publisher;  // client identifier, for No Local and policies
  // Who published it, for the deliver decisions; null for a message restored
  // from the store or published by the broker itself (then only `publisher` is known).
  IdentityPtr publisher_identity;
  std::optional<Clock::time_point> expires_at;

  bool expired(Clock::time_point now) const { return expires_at && now >= *expires_at; }
};

using MessagePtr = std::shared_ptr<const Message>;

// Builds the message a client's PUBLISH carries, received at `now`.
std::shared_ptr<Message> make_message(mqtt::Publish&& publish, std::string publisher, Clock::time_point now,
                                      IdentityPtr publisher_identity = nullptr);

// One message on its way to one subscriber.
struct Delivery {
  MessagePtr message;
  mqtt::QoS qos = mqtt::QoS::at_most_once;  // the lower of the message's and the subscription's
  bool retain = false;                      // the RETAIN flag to send
  std::vector<std::uint32_t> subscription_identifiers;
  // For a delivery the store keeps (QoS 1/2 to a persistent session): its
  // place in the session's order and the stored message's identifier; 0 otherwise.
  std::uint64_t sequence = 0;
  std::uint64_t stored_message_id = 0;
  // For a delivery a policy's delay holds in the store (Session::hold_delayed):
  // its row in the delayed table, until it is handed to the session; 0 otherwise.
  std::uint64_t delayed_sequence = 0;
};

// The PUBLISH that delivers `delivery` with `packet_id`, at `now` (the
// Message Expiry Interval becomes the time remaining [MQTT-3.3.2-6]).
mqtt::Publish make_publish(const Delivery& delivery, std::uint16_t packet_id, Clock::time_point now);

}  // namespace mqwarden::broker

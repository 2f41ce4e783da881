// The MQTT control packets of 3.1.1 and 5.0 as value types, and Packet, the
// variant holding any of them.
//
// One type serves both protocol versions: fields that exist only in MQTT 5.0
// (properties, reason codes of acknowledgements, DISCONNECT and AUTH reasons)
// are empty or `success` for 3.1.1 and are ignored when encoding 3.1.1.
// Reason codes are always MQTT 5.0 codes; the 3.1.1 CONNACK and SUBACK return
// codes are mapped to and from them by the codec.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "mqtt/properties.hpp"
#include "mqtt/protocol_version.hpp"
#include "mqtt/reason_code.hpp"

namespace mqwarden::mqtt {

struct Will {
  std::string topic;
  std::string payload;
  QoS qos = QoS::at_most_once;
  bool retain = false;
  Properties properties;

  friend bool operator==(const Will&, const Will&) = default;
};

struct Connect {
  ProtocolVersion version = ProtocolVersion::v5;
  bool clean_start = true;  // "clean session" in 3.1.1
  std::uint16_t keep_alive = 60;
  Properties properties;
  std::string client_id;
  std::optional<Will> will;
  std::optional<std::string> username;
  std::optional<std::string> password;  // binary data

  friend bool operator==(const Connect&, const Connect&) = default;
};

struct Connack {
  bool session_present = false;
  ReasonCode reason_code = ReasonCode::success;
  Properties properties;

  friend bool operator==(const Connack&, const Connack&) = default;
};

struct Publish {
  std::string topic;
  std::uint16_t packet_id = 0;  // zero for QoS 0
  QoS qos = QoS::at_most_once;
  bool retain = false;
  bool dup = false;
  Properties properties;
  std::string payload;

  friend bool operator==(const Publish&, const Publish&) = default;
};

// PUBACK, PUBREC, PUBREL and PUBCOMP share one shape.
template <PacketType Type>
struct PublishResponse {
  static constexpr PacketType type = Type;
  std::uint16_t packet_id = 0;
  ReasonCode reason_code = ReasonCode::success;
  Properties properties;

  friend bool operator==(const PublishResponse&, const PublishResponse&) = default;
};
using Puback = PublishResponse<PacketType::puback>;
using Pubrec = PublishResponse<PacketType::pubrec>;
using Pubrel = PublishResponse<PacketType::pubrel>;
using Pubcomp = PublishResponse<PacketType::pubcomp>;

enum class RetainHandling : std::uint8_t {
  send_on_subscribe = 0,
  send_if_new_subscription = 1,
  do_not_send = 2,
};

struct SubscribeOptions {
  QoS max_qos = QoS::at_most_once;
  bool no_local = false;             // v5
  bool retain_as_published = false;  // v5
  RetainHandling retain_handling = RetainHandling::send_on_subscribe;  // v5

  friend bool operator==(const SubscribeOptions&, const SubscribeOptions&) = default;
};

struct TopicSubscription {
  std::string filter;
  SubscribeOptions options;

  friend bool operator==(const TopicSubscription&, const TopicSubscription&) = default;
};

struct Subscribe {
  std::uint16_t packet_id = 0;
  Properties properties;
  std::vector<TopicSubscription> subscriptions;

  friend bool operator==(const Subscribe&, const Subscribe&) = default;
};

struct Suback {
  std::uint16_t packet_id = 0;
  Properties properties;
  std::vector<ReasonCode> reason_codes;  // one per filter; granted QoS as granted_qos_*

  friend bool operator==(const Suback&, const Suback&) = default;
};

struct Unsubscribe {
  std::uint16_t packet_id = 0;
  Properties properties;
  std::vector<std::string> filters;

  friend bool operator==(const Unsubscribe&, const Unsubscribe&) = default;
};

struct Unsuback {
  std::uint16_t packet_id = 0;
  Properties properties;
  std::vector<ReasonCode> reason_codes;  // v5 only; empty for 3.1.1

  friend bool operator==(const Unsuback&, const Unsuback&) = default;
};

struct Pingreq {
  friend bool operator==(const Pingreq&, const Pingreq&) = default;
};

struct Pingresp {
  friend bool operator==(const Pingresp&, const Pingresp&) = default;
};

struct Disconnect {
  ReasonCode reason_code = ReasonCode::success;  // v5
  Properties properties;                         // v5

  friend bool operator==(const Disconnect&, const Disconnect&) = default;
};

struct Auth {  // v5 only
  ReasonCode reason_code = ReasonCode::success;
  Properties properties;

  friend bool operator==(const Auth&, const Auth&) = default;
};

using Packet = std::variant<Connect, Connack, Publish, Puback, Pubrec, Pubrel, Pubcomp, Subscribe, Suback,
                            Unsubscribe, Unsuback, Pingreq, Pingresp, Disconnect, Auth>;

PacketType packet_type(const Packet& packet);

}  // namespace mqwarden::mqtt

// MQTT 5.0 reason codes, and the MQTT 3.1.1 CONNACK and SUBACK return codes.
//
// Reason codes travel in v5 acknowledgements, DISCONNECT and AUTH; the decoder
// also reports one with every error so the broker knows what to send.
#pragma once

#include <cstdint>
#include <string_view>

#include "mqtt/protocol_version.hpp"

namespace mqwarden::mqtt {

enum class ReasonCode : std::uint8_t {
  success = 0x00,  // also "normal disconnection" and "granted QoS 0"
  granted_qos_1 = 0x01,
  granted_qos_2 = 0x02,
  disconnect_with_will_message = 0x04,
  no_matching_subscribers = 0x10,
  no_subscription_existed = 0x11,
  continue_authentication = 0x18,
  re_authenticate = 0x19,
  unspecified_error = 0x80,
  malformed_packet = 0x81,
  protocol_error = 0x82,
  implementation_specific_error = 0x83,
  unsupported_protocol_version = 0x84,
  client_identifier_not_valid = 0x85,
  bad_user_name_or_password = 0x86,
  not_authorized = 0x87,
  server_unavailable = 0x88,
  server_busy = 0x89,
  banned = 0x8A,
  server_shutting_down = 0x8B,
  bad_authentication_method = 0x8C,
  keep_alive_timeout = 0x8D,
  session_taken_over = 0x8E,
  topic_filter_invalid = 0x8F,
  topic_name_invalid = 0x90,
  packet_identifier_in_use = 0x91,
  packet_identifier_not_found = 0x92,
  receive_maximum_exceeded = 0x93,
  topic_alias_invalid = 0x94,
  packet_too_large = 0x95,
  message_rate_too_high = 0x96,
  quota_exceeded = 0x97,
  administrative_action = 0x98,
  payload_format_invalid = 0x99,
  retain_not_supported = 0x9A,
  qos_not_supported = 0x9B,
  use_another_server = 0x9C,
  server_moved = 0x9D,
  shared_subscriptions_not_supported = 0x9E,
  connection_rate_exceeded = 0x9F,
  maximum_connect_time = 0xA0,
  subscription_identifiers_not_supported = 0xA1,
  wildcard_subscriptions_not_supported = 0xA2,
};

// The name the specification gives the code ("Malformed Packet"); in context of
// the packet type where one value has several names (0x00 in DISCONNECT is
// "Normal disconnection").
std::string_view to_string(ReasonCode code, PacketType context = PacketType::connack);

// Whether MQTT 5.0 allows `code` in a packet of type `type` (spec section 2.4).
bool reason_code_allowed(PacketType type, ReasonCode code);

inline bool is_error(ReasonCode code) { return static_cast<std::uint8_t>(code) >= 0x80; }

// MQTT 3.1.1 CONNACK return codes (section 3.2.2.3).
enum class ConnectReturnCode : std::uint8_t {
  accepted = 0x00,
  unacceptable_protocol_version = 0x01,
  identifier_rejected = 0x02,
  server_unavailable = 0x03,
  bad_user_name_or_password = 0x04,
  not_authorized = 0x05,
};

// The 3.1.1 CONNACK return code closest to a v5 CONNACK reason code, for
// refusing a 3.1.1 client for a reason decided in v5 terms.
ConnectReturnCode to_v311_connect_return_code(ReasonCode code);

// MQTT 3.1.1 SUBACK return code for failure (section 3.9.3); success codes are the QoS 0-2.
inline constexpr std::uint8_t kV311SubackFailure = 0x80;

}  // namespace mqwarden::mqtt

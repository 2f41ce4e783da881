// Names of protocol constants, the reason codes allowed per packet type, and
// the mapping between v5 reason codes and 3.1.1 CONNACK return codes.
#include <algorithm>
#include <initializer_list>
#include <string>

#include "mqtt/decode_error.hpp"
#include "mqtt/packets.hpp"
#include "mqtt/reason_code.hpp"

namespace mqwarden::mqtt {

std::string_view to_string(ProtocolVersion version) {
  return version == ProtocolVersion::v5 ? "MQTT 5.0" : "MQTT 3.1.1";
}

std::string_view to_string(PacketType type) {
  switch (type) {
    case PacketType::connect: return "CONNECT";
    case PacketType::connack: return "CONNACK";
    case PacketType::publish: return "PUBLISH";
    case PacketType::puback: return "PUBACK";
    case PacketType::pubrec: return "PUBREC";
    case PacketType::pubrel: return "PUBREL";
    case PacketType::pubcomp: return "PUBCOMP";
    case PacketType::subscribe: return "SUBSCRIBE";
    case PacketType::suback: return "SUBACK";
    case PacketType::unsubscribe: return "UNSUBSCRIBE";
    case PacketType::unsuback: return "UNSUBACK";
    case PacketType::pingreq: return "PINGREQ";
    case PacketType::pingresp: return "PINGRESP";
    case PacketType::disconnect: return "DISCONNECT";
    case PacketType::auth: return "AUTH";
  }
  return "unknown packet";
}

PacketType packet_type(const Packet& packet) {
  return std::visit(
      [](const auto& p) -> PacketType {
        using T = std::decay_t<decltype(p)>;
        if constexpr (std::is_same_v<T, Connect>) return PacketType::connect;
        else if constexpr (std::is_same_v<T, Connack>) return PacketType::connack;
        else if constexpr (std::is_same_v<T, Publish>) return PacketType::publish;
        else if constexpr (std::is_same_v<T, Subscribe>) return PacketType::subscribe;
        else if constexpr (std::is_same_v<T, Suback>) return PacketType::suback;
        else if constexpr (std::is_same_v<T, Unsubscribe>) return PacketType::unsubscribe;
        else if constexpr (std::is_same_v<T, Unsuback>) return PacketType::unsuback;
        else if constexpr (std::is_same_v<T, Pingreq>) return PacketType::pingreq;
        else if constexpr (std::is_same_v<T, Pingresp>) return PacketType::pingresp;
        else if constexpr (std::is_same_v<T, Disconnect>) return PacketType::disconnect;
        else if constexpr (std::is_same_v<T, Auth>) return PacketType::auth;
        else return T::type;  // the PublishResponse family
      },
      packet);
}

std::string_view to_string(ReasonCode code, PacketType context) {
  switch (code) {
    case ReasonCode::success:
      if (context == PacketType::disconnect) return "Normal disconnection";
      if (context == PacketType::suback) return "Granted QoS 0";
      return "Success";
    case ReasonCode::granted_qos_1: return "Granted QoS 1";
    case ReasonCode::granted_qos_2: return "Granted QoS 2";
    case ReasonCode::disconnect_with_will_message: return "Disconnect with Will Message";
    case ReasonCode::no_matching_subscribers: return "No matching subscribers";
    case ReasonCode::no_subscription_existed: return "No subscription existed";
    case ReasonCode::continue_authentication: return "Continue authentication";
    case ReasonCode::re_authenticate: return "Re-authenticate";
    case ReasonCode::unspecified_error: return "Unspecified error";
    case ReasonCode::malformed_packet: return "Malformed Packet";
    case ReasonCode::protocol_error: return "Protocol Error";
    case ReasonCode::implementation_specific_error: return "Implementation specific error";
    case ReasonCode::unsupported_protocol_version: return "Unsupported Protocol Version";
    case ReasonCode::client_identifier_not_valid: return "Client Identifier not valid";
    case ReasonCode::bad_user_name_or_password: return "Bad User Name or Password";
    case ReasonCode::not_authorized: return "Not authorized";
    case ReasonCode::server_unavailable: return "Server unavailable";
    case ReasonCode::server_busy: return "Server busy";
    case ReasonCode::banned: return "Banned";
    case ReasonCode::server_shutting_down: return "Server shutting down";
    case ReasonCode::bad_authentication_method: return "Bad authentication method";
    case ReasonCode::keep_alive_timeout: return "Keep Alive timeout";
    case ReasonCode::session_taken_over: return "Session taken over";
    case ReasonCode::topic_filter_invalid: return "Topic Filter invalid";
    case ReasonCode::topic_name_invalid: return "Topic Name invalid";
    case ReasonCode::packet_identifier_in_use: return "Packet Identifier in use";
    case ReasonCode::packet_identifier_not_found: return "Packet Identifier not found";
    case ReasonCode::receive_maximum_exceeded: return "Receive Maximum exceeded";
    case ReasonCode::topic_alias_invalid: return "Topic Alias invalid";
    case ReasonCode::packet_too_large: return "Packet too large";
    case ReasonCode::message_rate_too_high: return "Message rate too high";
    case ReasonCode::quota_exceeded: return "Quota exceeded";
    case ReasonCode::administrative_action: return "Administrative action";
    case ReasonCode::payload_format_invalid: return "Payload format invalid";
    case ReasonCode::retain_not_supported: return "Retain not supported";
    case ReasonCode::qos_not_supported: return "QoS not supported";
    case ReasonCode::use_another_server: return "Use another server";
    case ReasonCode::server_moved: return "Server moved";
    case ReasonCode::shared_subscriptions_not_supported: return "Shared Subscriptions not supported";
    case ReasonCode::connection_rate_exceeded: return "Connection rate exceeded";
    case ReasonCode::maximum_connect_time: return "Maximum connect time";
    case ReasonCode::subscription_identifiers_not_supported: return "Subscription Identifiers not supported";
    case ReasonCode::wildcard_subscriptions_not_supported: return "Wildcard Subscriptions not supported";
  }
  return "Unknown reason code";
}

bool reason_code_allowed(PacketType type, ReasonCode code) {
  auto one_of = [code](std::initializer_list<std::uint8_t> codes) {
    return std::find(codes.begin(), codes.end(), static_cast<std::uint8_t>(code)) != codes.end();
  };
  // MQTT 5.0 section 2.4, table 2-6, and the reason code lists of chapter 3.
  switch (type) {
    case PacketType::connack:
      return one_of({0x00, 0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8A, 0x8C, 0x90, 0x95, 0x97,
                     0x99, 0x9A, 0x9B, 0x9C, 0x9D, 0x9F});
    case PacketType::puback:
    case PacketType::pubrec:
      return one_of({0x00, 0x10, 0x80, 0x83, 0x87, 0x90, 0x91, 0x97, 0x99});
    case PacketType::pubrel:
    case PacketType::pubcomp:
      return one_of({0x00, 0x92});
    case PacketType::suback:
      return one_of({0x00, 0x01, 0x02, 0x80, 0x83, 0x87, 0x8F, 0x91, 0x97, 0x9E, 0xA1, 0xA2});
    case PacketType::unsuback:
      return one_of({0x00, 0x11, 0x80, 0x83, 0x87, 0x8F, 0x91});
    case PacketType::disconnect:
      return one_of({0x00, 0x04, 0x80, 0x81, 0x82, 0x83, 0x87, 0x89, 0x8B, 0x8C, 0x8D, 0x8E, 0x8F, 0x90, 0x93, 0x94,
                     0x95, 0x96, 0x97, 0x98, 0x99, 0x9A, 0x9B, 0x9C, 0x9D, 0x9E, 0x9F, 0xA0, 0xA1, 0xA2});
    case PacketType::auth:
      return one_of({0x00, 0x18, 0x19});
    default:
      return false;  // packets without a reason code
  }
}

ConnectReturnCode to_v311_connect_return_code(ReasonCode code) {
  switch (code) {
    case ReasonCode::success:
      return ConnectReturnCode::accepted;
    case ReasonCode::unsupported_protocol_version:
      return ConnectReturnCode::unacceptable_protocol_version;
    case ReasonCode::client_identifier_not_valid:
      return ConnectReturnCode::identifier_rejected;
    case ReasonCode::bad_user_name_or_password:
    case ReasonCode::bad_authentication_method:
      return ConnectReturnCode::bad_user_name_or_password;
    case ReasonCode::not_authorized:
    case ReasonCode::banned:
      return ConnectReturnCode::not_authorized;
    default:
      return ConnectReturnCode::server_unavailable;
  }
}

std::string DecodeError::to_string() const {
  std::string text(mqtt::to_string(reason));
  text += " (";
  text += rule;
  text += "): ";
  text += detail;
  return text;
}

}  // namespace mqwarden::mqtt

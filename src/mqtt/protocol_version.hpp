// Protocol versions the codec speaks, and the packet types of MQTT.
#pragma once

#include <cstdint>
#include <string_view>

namespace mqwarden::mqtt {

// The protocol level byte of CONNECT.
enum class ProtocolVersion : std::uint8_t {
  v311 = 4,  // MQTT 3.1.1
  v5 = 5,    // MQTT 5.0
};

std::string_view to_string(ProtocolVersion version);

// The packet type in the upper four bits of the fixed header.
enum class PacketType : std::uint8_t {
  connect = 1,
  connack = 2,
  publish = 3,
  puback = 4,
  pubrec = 5,
  pubrel = 6,
  pubcomp = 7,
  subscribe = 8,
  suback = 9,
  unsubscribe = 10,
  unsuback = 11,
  pingreq = 12,
  pingresp = 13,
  disconnect = 14,
  auth = 15,  // MQTT 5.0 only
};

std::string_view to_string(PacketType type);

enum class QoS : std::uint8_t {
  at_most_once = 0,
  at_least_once = 1,
  exactly_once = 2,
};

// Limits defined by the protocol itself.
inline constexpr std::uint32_t kMaxRemainingLength = 268'435'455;  // 4-byte variable byte integer
inline constexpr std::uint32_t kMaxVariableByteInteger = kMaxRemainingLength;
inline constexpr std::size_t kMaxStringLength = 65'535;

}  // namespace mqwarden::mqtt

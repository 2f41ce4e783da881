// The input format of the MQTT decoder fuzz target, shared with the program
// that writes its seed corpus: one control byte, then the byte stream.
//   bit 0 of the control byte: the stream's protocol version (1: MQTT 5.0)
//   bits 1-7: the size of the pieces the stream is fed in, minus one
#pragma once

#include <cstddef>
#include <cstdint>

#include "mqtt/protocol_version.hpp"

namespace mqwarden::fuzz {

inline mqtt::ProtocolVersion version_of(std::uint8_t control) {
  return (control & 1) ? mqtt::ProtocolVersion::v5 : mqtt::ProtocolVersion::v311;
}

inline std::size_t piece_size_of(std::uint8_t control) { return static_cast<std::size_t>(control >> 1) + 1; }

inline std::uint8_t control_byte(mqtt::ProtocolVersion version, std::size_t piece_size) {
  return static_cast<std::uint8_t>(((piece_size - 1) << 1) | (version == mqtt::ProtocolVersion::v5 ? 1 : 0));
}

}  // namespace mqwarden::fuzz

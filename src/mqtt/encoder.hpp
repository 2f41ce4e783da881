// Encoder: turns packets into bytes for a given protocol version.
//
// For MQTT 3.1.1 the fields that only MQTT 5.0 has (properties, reason codes
// of acknowledgements and DISCONNECT) are left out, so one message can be
// encoded for subscribers of either version. What cannot be represented on the
// wire is refused instead of sent corrupt: a string or binary field over 65,535
// bytes, a packet over 256 MiB, AUTH for 3.1.1. CONNACK and SUBACK reason
// codes are mapped to the nearest 3.1.1 return code.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "mqtt/packets.hpp"

namespace mqwarden::mqtt {

struct EncodeError {
  std::string_view what;
};

// Appends the encoding of `packet` to `out`. On failure `out` is unchanged.
Result<void, EncodeError> encode(const Packet& packet, ProtocolVersion version, std::vector<std::uint8_t>& out);

// The number of bytes encode() would append; for checking a peer's maximum packet size.
Result<std::size_t, EncodeError> encoded_size(const Packet& packet, ProtocolVersion version);

}  // namespace mqwarden::mqtt

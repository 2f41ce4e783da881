#include "mqtt/encoder.hpp"

#include <algorithm>

#include "mqtt/codec_internal.hpp"

namespace mqwarden::mqtt {
namespace {

struct BodySize {
  std::size_t bytes = 0;
  bool string_overflow = false;
};

BodySize measure_body(const Packet& packet, ProtocolVersion version) {
  WireWriter counter;
  std::visit([&](const auto& p) { write_body(counter, p, version); }, packet);
  return {counter.size(), counter.string_overflow()};
}

Result<std::size_t, EncodeError> checked_body_size(const Packet& packet, ProtocolVersion version) {
  if (version != ProtocolVersion::v5 && std::holds_alternative<Auth>(packet)) {
    return fail(EncodeError{"AUTH does not exist in MQTT 3.1.1"});
  }
  const BodySize body = measure_body(packet, version);
  if (body.string_overflow) return fail(EncodeError{"a string or binary field is longer than 65,535 bytes"});
  if (body.bytes > kMaxRemainingLength) return fail(EncodeError{"packet is larger than 256 MiB"});
  return body.bytes;
}

}  // namespace

std::uint8_t fixed_header_flags(const Packet& packet) {
  if (const auto* publish = std::get_if<Publish>(&packet)) {
    return static_cast<std::uint8_t>((publish->dup ? 0x08 : 0) | static_cast<std::uint8_t>(publish->qos) << 1 |
                                     (publish->retain ? 0x01 : 0));
  }
  const PacketType type = packet_type(packet);
  return type == PacketType::pubrel || type == PacketType::subscribe || type == PacketType::unsubscribe ? 0x02 : 0x00;
}

Result<void, EncodeError> encode(const Packet& packet, ProtocolVersion version, std::vector<std::uint8_t>& out) {
  auto body_size = checked_body_size(packet, version);
  if (!body_size) return fail(body_size.error());
  const auto remaining = static_cast<std::uint32_t>(*body_size);
  // Grow geometrically: callers append many packets to one buffer, and an
  // exact reserve would copy the whole buffer on every append.
  const std::size_t needed = out.size() + 1 + varint_size(remaining) + remaining;
  if (needed > out.capacity()) out.reserve(std::max(needed, 2 * out.capacity()));
  WireWriter writer(out);
  writer.byte(static_cast<std::uint8_t>(static_cast<std::uint8_t>(packet_type(packet)) << 4 |
                                        fixed_header_flags(packet)));
  writer.varint(remaining);
  std::visit([&](const auto& p) { write_body(writer, p, version); }, packet);
  return {};
}

Result<std::size_t, EncodeError> encoded_size(const Packet& packet, ProtocolVersion version) {
  auto body_size = checked_body_size(packet, version);
  if (!body_size) return body_size;
  return 1 + varint_size(static_cast<std::uint32_t>(*body_size)) + *body_size;
}

}  // namespace mqwarden::mqtt

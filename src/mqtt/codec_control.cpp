// PINGREQ, PINGRESP, DISCONNECT and AUTH bodies (spec 3.12-3.15).
#include "mqtt/codec_internal.hpp"

namespace mqwarden::mqtt {
namespace {

bool expect_empty(WireReader& reader, PacketType type) {
  if (reader.at_end()) return true;
  return reader.fail(ReasonCode::malformed_packet, reader.rule("MQTT-2.2.3", "MQTT-2.1.4"),
                     std::string(to_string(type)) + " must have a remaining length of 0");
}

// DISCONNECT and AUTH (v5): remaining length 0 means reason 0x00 and no
// properties; 1 means a reason and no properties.
template <class Packet>
bool read_reason_and_properties(WireReader& reader, PacketType type, Packet& out) {
  if (!reader.v5()) return expect_empty(reader, type);
  if (reader.at_end()) return true;
  if (!read_reason_code(reader, type, out.reason_code)) return false;
  if (reader.at_end()) return true;
  return read_properties(reader, property_context(type), out.properties);
}

template <class Packet>
void write_reason_and_properties(WireWriter& writer, const Packet& packet, ProtocolVersion version) {
  if (version != ProtocolVersion::v5) return;
  if (packet.reason_code == ReasonCode::success && packet.properties.empty()) return;
  writer.byte(static_cast<std::uint8_t>(packet.reason_code));
  if (!packet.properties.empty()) write_properties(writer, packet.properties);
}

}  // namespace

bool read_body(WireReader& reader, std::uint8_t, Pingreq&) { return expect_empty(reader, PacketType::pingreq); }
bool read_body(WireReader& reader, std::uint8_t, Pingresp&) { return expect_empty(reader, PacketType::pingresp); }

bool read_body(WireReader& reader, std::uint8_t, Disconnect& out) {
  return read_reason_and_properties(reader, PacketType::disconnect, out);
}

bool read_body(WireReader& reader, std::uint8_t, Auth& out) {
  return read_reason_and_properties(reader, PacketType::auth, out);
}

void write_body(WireWriter&, const Pingreq&, ProtocolVersion) {}
void write_body(WireWriter&, const Pingresp&, ProtocolVersion) {}

void write_body(WireWriter& writer, const Disconnect& packet, ProtocolVersion version) {
  write_reason_and_properties(writer, packet, version);
}

void write_body(WireWriter& writer, const Auth& packet, ProtocolVersion version) {
  write_reason_and_properties(writer, packet, version);
}

}  // namespace mqwarden::mqtt

// PUBLISH and its acknowledgements PUBACK, PUBREC, PUBREL, PUBCOMP (spec 3.3-3.7).
#include <string>

#include "mqtt/codec_internal.hpp"
#include "mqtt/topic.hpp"

namespace mqwarden::mqtt {

bool read_packet_id(WireReader& reader, std::uint16_t& out) {
  if (!reader.read_u16(out)) return false;
  if (out == 0) {
    return reader.fail(ReasonCode::protocol_error, reader.rule("MQTT-2.3.1-1", "MQTT-2.2.1-3"),
                       "packet identifier 0");
  }
  return true;
}

namespace {

// The MQTT 5.0 statement "MUST use one of the <packet> Reason Codes" of each packet type.
std::string_view reason_code_rule(PacketType type) {
  switch (type) {
    case PacketType::connack: return "MQTT-3.2.2-8";
    case PacketType::puback: return "MQTT-3.4.2-1";
    case PacketType::pubrec: return "MQTT-3.5.2-1";
    case PacketType::pubrel: return "MQTT-3.6.2-1";
    case PacketType::pubcomp: return "MQTT-3.7.2-1";
    case PacketType::suback: return "MQTT-3.9.3-2";
    case PacketType::unsuback: return "MQTT-3.11.3-2";
    case PacketType::disconnect: return "MQTT-3.14.2-1";
    case PacketType::auth: return "MQTT-3.15.2-1";
    default: return "MQTT-2.4";
  }
}

}  // namespace

bool read_reason_code(WireReader& reader, PacketType type, ReasonCode& out) {
  std::uint8_t code = 0;
  if (!reader.read_byte(code)) return false;
  out = static_cast<ReasonCode>(code);
  if (!reason_code_allowed(type, out)) {
    return reader.fail(ReasonCode::protocol_error, reason_code_rule(type),
                       "reason code " + std::to_string(code) + " is not valid in " + std::string(to_string(type)));
  }
  return true;
}

bool read_body(WireReader& reader, std::uint8_t flags, Publish& out) {
  const std::uint8_t qos = (flags >> 1) & 0x03;
  if (qos == 3) return reader.fail(ReasonCode::malformed_packet, "MQTT-3.3.1-4", "PUBLISH with QoS 3");
  out.qos = static_cast<QoS>(qos);
  out.dup = (flags & 0x08) != 0;
  out.retain = (flags & 0x01) != 0;
  if (out.dup && out.qos == QoS::at_most_once) {
    return reader.fail(ReasonCode::malformed_packet, "MQTT-3.3.1-2", "DUP flag set on a QoS 0 PUBLISH");
  }
  if (!reader.read_utf8(out.topic)) return false;
  if (out.qos != QoS::at_most_once && !read_packet_id(reader, out.packet_id)) return false;
  if (reader.v5() && !read_properties(reader, PropertyContext::publish, out.properties)) return false;
  if (out.topic.empty()) {
    // MQTT 5.0 allows an empty topic when a Topic Alias stands for it.
    if (!reader.v5()) return reader.fail(ReasonCode::malformed_packet, "MQTT-4.7.3-1", "empty topic name");
    if (!out.properties.find(PropertyId::topic_alias)) {
      // An unnumbered sentence of section 3.3.2.1.
      return reader.fail(ReasonCode::protocol_error, "MQTT-3.3.2.1", "empty topic name without a Topic Alias");
    }
  } else if (has_wildcard(out.topic)) {
    // read_utf8 checked the rest of what validate_topic_name would.
    return reader.fail(ReasonCode::topic_name_invalid, "MQTT-3.3.2-2", "PUBLISH topic name contains a wildcard");
  }
  out.payload.assign(reader.read_rest());
  return true;
}

void write_body(WireWriter& writer, const Publish& packet, ProtocolVersion version) {
  writer.string(packet.topic);
  if (packet.qos != QoS::at_most_once) writer.u16(packet.packet_id);
  if (version == ProtocolVersion::v5) write_properties(writer, packet.properties);
  writer.raw(packet.payload);
}

namespace {

template <PacketType Type>
bool read_response(WireReader& reader, PublishResponse<Type>& out) {
  if (!read_packet_id(reader, out.packet_id)) return false;
  if (!reader.v5() || reader.at_end()) return true;  // 3.1.1, or v5 "Success" with no properties
  if (!read_reason_code(reader, Type, out.reason_code)) return false;
  if (reader.at_end()) return true;
  return read_properties(reader, property_context(Type), out.properties);
}

template <PacketType Type>
void write_response(WireWriter& writer, const PublishResponse<Type>& packet, ProtocolVersion version) {
  writer.u16(packet.packet_id);
  if (version != ProtocolVersion::v5) return;
  // The shortest form the specification allows: reason and properties may be
  // left out when they are "Success" and empty.
  if (packet.reason_code == ReasonCode::success && packet.properties.empty()) return;
  writer.byte(static_cast<std::uint8_t>(packet.reason_code));
  if (!packet.properties.empty()) write_properties(writer, packet.properties);
}

}  // namespace

bool read_body(WireReader& reader, std::uint8_t, Puback& out) { return read_response(reader, out); }
bool read_body(WireReader& reader, std::uint8_t, Pubrec& out) { return read_response(reader, out); }
bool read_body(WireReader& reader, std::uint8_t, Pubrel& out) { return read_response(reader, out); }
bool read_body(WireReader& reader, std::uint8_t, Pubcomp& out) { return read_response(reader, out); }

void write_body(WireWriter& writer, const Puback& packet, ProtocolVersion version) {
  write_response(writer, packet, version);
}
void write_body(WireWriter& writer, const Pubrec& packet, ProtocolVersion version) {
  write_response(writer, packet, version);
}
void write_body(WireWriter& writer, const Pubrel& packet, ProtocolVersion version) {
  write_response(writer, packet, version);
}
void write_body(WireWriter& writer, const Pubcomp& packet, ProtocolVersion version) {
  write_response(writer, packet, version);
}

}  // namespace mqwarden::mqtt

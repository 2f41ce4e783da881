// SUBSCRIBE, SUBACK, UNSUBSCRIBE and UNSUBACK bodies (spec 3.8-3.11).
#include <string>

#include "mqtt/codec_internal.hpp"
#include "mqtt/topic.hpp"

namespace mqwarden::mqtt {
namespace {

bool read_subscribe_options(WireReader& reader, std::string_view filter, SubscribeOptions& out) {
  std::uint8_t options = 0;
  if (!reader.read_byte(options)) return false;
  const std::uint8_t qos = options & 0x03;
  if (!reader.v5()) {
    if (options & 0xFC) {
      return reader.fail(ReasonCode::malformed_packet, "MQTT-3-8.3-4", "reserved bits of the requested QoS are set");
    }
  } else if (options & 0xC0) {
    return reader.fail(ReasonCode::malformed_packet, "MQTT-3.8.3-5", "reserved subscription option bits are set");
  }
  if (qos == 3) {
    // 3.1.1 calls it malformed; 5.0 a Protocol Error.
    return reader.v5() ? reader.fail(ReasonCode::protocol_error, "MQTT-3.8.3.1", "Maximum QoS 3")
                       : reader.fail(ReasonCode::malformed_packet, "MQTT-3-8.3-4", "requested QoS 3");
  }
  out.max_qos = static_cast<QoS>(qos);
  if (!reader.v5()) return true;
  out.no_local = (options & 0x04) != 0;
  out.retain_as_published = (options & 0x08) != 0;
  const std::uint8_t retain_handling = (options >> 4) & 0x03;
  if (retain_handling == 3) {
    return reader.fail(ReasonCode::protocol_error, "MQTT-3.8.3.1", "Retain Handling 3");
  }
  out.retain_handling = static_cast<RetainHandling>(retain_handling);
  if (out.no_local && parse_shared_subscription(filter)) {
    return reader.fail(ReasonCode::protocol_error, "MQTT-3.8.3-4", "No Local on a shared subscription");
  }
  return true;
}

std::uint8_t subscribe_options_byte(const SubscribeOptions& options, ProtocolVersion version) {
  std::uint8_t byte = static_cast<std::uint8_t>(options.max_qos);
  if (version == ProtocolVersion::v5) {
    if (options.no_local) byte |= 0x04;
    if (options.retain_as_published) byte |= 0x08;
    byte |= static_cast<std::uint8_t>(static_cast<std::uint8_t>(options.retain_handling) << 4);
  }
  return byte;
}

// SUBACK and UNSUBACK (v5) end in one reason code per filter.
bool read_reason_codes(WireReader& reader, PacketType type, std::vector<ReasonCode>& out) {
  if (reader.at_end()) {
    return reader.fail(ReasonCode::malformed_packet, type == PacketType::suback ? "MQTT-3.9.3" : "MQTT-3.11.3",
                       std::string(to_string(type)) + " without reason codes");
  }
  while (!reader.at_end()) {
    if (!read_reason_code(reader, type, out.emplace_back())) return false;
  }
  return true;
}

bool read_v311_suback_codes(WireReader& reader, std::vector<ReasonCode>& out) {
  if (reader.at_end()) return reader.fail(ReasonCode::malformed_packet, "MQTT-3.9.3", "SUBACK without return codes");
  while (!reader.at_end()) {
    std::uint8_t code = 0;
    if (!reader.read_byte(code)) return false;
    if (code > 2 && code != kV311SubackFailure) {
      return reader.fail(ReasonCode::malformed_packet, "MQTT-3.9.3-2", "invalid SUBACK return code");
    }
    out.push_back(static_cast<ReasonCode>(code));
  }
  return true;
}

std::uint8_t v311_suback_code(ReasonCode code) {
  const auto value = static_cast<std::uint8_t>(code);
  return value <= 2 ? value : kV311SubackFailure;
}

}  // namespace

bool read_body(WireReader& reader, std::uint8_t, Subscribe& out) {
  if (!read_packet_id(reader, out.packet_id)) return false;
  if (reader.v5() && !read_properties(reader, PropertyContext::subscribe, out.properties)) return false;
  if (reader.at_end()) {
    return reader.fail(ReasonCode::protocol_error, reader.rule("MQTT-3.8.3-3", "MQTT-3.8.3-2"),
                       "SUBSCRIBE without topic filters");
  }
  while (!reader.at_end()) {
    TopicSubscription& subscription = out.subscriptions.emplace_back();
    if (!reader.read_utf8(subscription.filter)) return false;
    if (!read_subscribe_options(reader, subscription.filter, subscription.options)) return false;
  }
  return true;
}

void write_body(WireWriter& writer, const Subscribe& packet, ProtocolVersion version) {
  writer.u16(packet.packet_id);
  if (version == ProtocolVersion::v5) write_properties(writer, packet.properties);
  for (const TopicSubscription& subscription : packet.subscriptions) {
    writer.string(subscription.filter);
    writer.byte(subscribe_options_byte(subscription.options, version));
  }
}

bool read_body(WireReader& reader, std::uint8_t, Suback& out) {
  if (!read_packet_id(reader, out.packet_id)) return false;
  if (!reader.v5()) return read_v311_suback_codes(reader, out.reason_codes);
  return read_properties(reader, PropertyContext::suback, out.properties) &&
         read_reason_codes(reader, PacketType::suback, out.reason_codes);
}

void write_body(WireWriter& writer, const Suback& packet, ProtocolVersion version) {
  writer.u16(packet.packet_id);
  const bool v5 = version == ProtocolVersion::v5;
  if (v5) write_properties(writer, packet.properties);
  for (ReasonCode code : packet.reason_codes) {
    writer.byte(v5 ? static_cast<std::uint8_t>(code) : v311_suback_code(code));
  }
}

bool read_body(WireReader& reader, std::uint8_t, Unsubscribe& out) {
  if (!read_packet_id(reader, out.packet_id)) return false;
  if (reader.v5() && !read_properties(reader, PropertyContext::unsubscribe, out.properties)) return false;
  if (reader.at_end()) {
    return reader.fail(ReasonCode::protocol_error, "MQTT-3.10.3-2", "UNSUBSCRIBE without topic filters");
  }
  while (!reader.at_end()) {
    if (!reader.read_utf8(out.filters.emplace_back())) return false;
  }
  return true;
}

void write_body(WireWriter& writer, const Unsubscribe& packet, ProtocolVersion version) {
  writer.u16(packet.packet_id);
  if (version == ProtocolVersion::v5) write_properties(writer, packet.properties);
  for (const std::string& filter : packet.filters) writer.string(filter);
}

bool read_body(WireReader& reader, std::uint8_t, Unsuback& out) {
  if (!read_packet_id(reader, out.packet_id)) return false;
  if (!reader.v5()) return true;
  return read_properties(reader, PropertyContext::unsuback, out.properties) &&
         read_reason_codes(reader, PacketType::unsuback, out.reason_codes);
}

void write_body(WireWriter& writer, const Unsuback& packet, ProtocolVersion version) {
  writer.u16(packet.packet_id);
  if (version != ProtocolVersion::v5) return;
  write_properties(writer, packet.properties);
  for (ReasonCode code : packet.reason_codes) writer.byte(static_cast<std::uint8_t>(code));
}

}  // namespace mqwarden::mqtt

// Reading and writing MQTT 5.0 property lists (spec 2.2.2).
#include <algorithm>
#include <cstdint>
#include <string>

#include "mqtt/codec_internal.hpp"
#include "mqtt/topic.hpp"

namespace mqwarden::mqtt {
namespace {

bool is_boolean_byte(PropertyId id) {
  switch (id) {
    case PropertyId::payload_format_indicator:
    case PropertyId::request_problem_information:
    case PropertyId::request_response_information:
    case PropertyId::maximum_qos:
    case PropertyId::retain_available:
    case PropertyId::wildcard_subscription_available:
    case PropertyId::subscription_identifier_available:
    case PropertyId::shared_subscription_available:
      return true;
    default:
      return false;
  }
}

bool must_not_be_zero(PropertyId id) {
  return id == PropertyId::receive_maximum || id == PropertyId::maximum_packet_size ||
         id == PropertyId::topic_alias || id == PropertyId::subscription_identifier;
}

std::string_view zero_rule(PropertyId id) {
  switch (id) {
    case PropertyId::receive_maximum:
      return "MQTT-3.1.2.11.3";
    case PropertyId::maximum_packet_size:
      return "MQTT-3.1.2.11.4";
    case PropertyId::topic_alias:
      return "MQTT-3.3.2-8";
    default:
      return "MQTT-3.8.2.1.2";
  }
}

bool read_value(WireReader& reader, PropertyType type, Property& out) {
  switch (type) {
    case PropertyType::byte: {
      std::uint8_t value = 0;
      if (!reader.read_byte(value)) return false;
      out.number = value;
      return true;
    }
    case PropertyType::two_byte_integer: {
      std::uint16_t value = 0;
      if (!reader.read_u16(value)) return false;
      out.number = value;
      return true;
    }
    case PropertyType::four_byte_integer:
      return reader.read_u32(out.number);
    case PropertyType::variable_byte_integer:
      return reader.read_varint(out.number);
    case PropertyType::utf8_string:
      return reader.read_utf8(out.text);
    case PropertyType::binary_data:
      return reader.read_binary(out.text);
    case PropertyType::utf8_string_pair:
      return reader.read_utf8(out.text) && reader.read_utf8(out.value);
  }
  return false;
}

bool check_value(WireReader& reader, const PropertyInfo& info, const Property& property) {
  const std::string_view name = info.name;
  if (is_boolean_byte(property.id) && property.number > 1) {
    return reader.fail(ReasonCode::protocol_error, "MQTT-2.2.2.2", std::string(name) + " must be 0 or 1");
  }
  if (must_not_be_zero(property.id) && property.number == 0) {
    const ReasonCode reason =
        property.id == PropertyId::topic_alias ? ReasonCode::topic_alias_invalid : ReasonCode::protocol_error;
    return reader.fail(reason, zero_rule(property.id), std::string(name) + " of 0");
  }
  if (property.id == PropertyId::response_topic && validate_topic_name(property.text).has_value()) {
    return reader.fail(ReasonCode::protocol_error, "MQTT-3.3.2-14", "Response Topic is not a valid topic name");
  }
  return true;
}

}  // namespace

PropertyContext property_context(PacketType type) {
  switch (type) {
    case PacketType::connect: return PropertyContext::connect;
    case PacketType::connack: return PropertyContext::connack;
    case PacketType::publish: return PropertyContext::publish;
    case PacketType::puback: return PropertyContext::puback;
    case PacketType::pubrec: return PropertyContext::pubrec;
    case PacketType::pubrel: return PropertyContext::pubrel;
    case PacketType::pubcomp: return PropertyContext::pubcomp;
    case PacketType::subscribe: return PropertyContext::subscribe;
    case PacketType::suback: return PropertyContext::suback;
    case PacketType::unsubscribe: return PropertyContext::unsubscribe;
    case PacketType::unsuback: return PropertyContext::unsuback;
    case PacketType::disconnect: return PropertyContext::disconnect;
    case PacketType::auth: return PropertyContext::auth;
    case PacketType::pingreq:
    case PacketType::pingresp:
      break;  // no properties
  }
  return PropertyContext::disconnect;
}

bool read_properties(WireReader& reader, PropertyContext context, Properties& out) {
  std::uint32_t length = 0;
  if (!reader.read_varint(length)) return false;
  if (length > reader.remaining()) {
    return reader.fail(ReasonCode::malformed_packet, "MQTT-2.2.2.1", "property length exceeds the packet");
  }
  const std::size_t end = reader.position() + length;
  // Each property takes at least two bytes; reserving avoids regrowth for the common few.
  if (length > 0) out.reserve(std::min<std::size_t>(length / 2, 8));
  std::uint64_t seen = 0;
  while (reader.position() < end) {
    std::uint32_t raw_id = 0;
    if (!reader.read_varint(raw_id)) return false;
    const PropertyInfo* info = raw_id <= 0xFF ? find_property_info(static_cast<std::uint8_t>(raw_id)) : nullptr;
    if (info == nullptr) {
      return reader.fail(ReasonCode::malformed_packet, "MQTT-2.2.2.2",
                         "unknown property identifier " + std::to_string(raw_id));
    }
    const auto id = static_cast<PropertyId>(raw_id);
    const std::string_view name = info->name;
    if (!property_allowed(id, context)) {
      return reader.fail(ReasonCode::malformed_packet, "MQTT-2.2.2.2", std::string(name) + " is not valid in this packet");
    }
    const bool repeatable =
        info->repeatable && (id != PropertyId::subscription_identifier || context == PropertyContext::publish);
    const std::uint64_t bit = std::uint64_t{1} << raw_id;
    if ((seen & bit) != 0 && !repeatable) {
      return reader.fail(ReasonCode::protocol_error, "MQTT-2.2.2.2", std::string(name) + " included more than once");
    }
    seen |= bit;
    Property property{id, 0, {}, {}};
    if (!read_value(reader, info->type, property)) return false;
    if (reader.position() > end) {
      return reader.fail(ReasonCode::malformed_packet, "MQTT-2.2.2.1", std::string(name) + " extends past the property length");
    }
    if (!check_value(reader, *info, property)) return false;
    out.add(std::move(property));
  }
  return true;
}

namespace {

void write_items(WireWriter& writer, const Properties& properties) {
  for (const Property& property : properties) {
    const PropertyInfo* info = find_property_info(static_cast<std::uint8_t>(property.id));
    if (info == nullptr) continue;  // not a property this version knows: nothing valid to write
    writer.varint(static_cast<std::uint32_t>(property.id));
    switch (info->type) {
      case PropertyType::byte:
        writer.byte(static_cast<std::uint8_t>(property.number));
        break;
      case PropertyType::two_byte_integer:
        writer.u16(static_cast<std::uint16_t>(property.number));
        break;
      case PropertyType::four_byte_integer:
        writer.u32(property.number);
        break;
      case PropertyType::variable_byte_integer:
        writer.varint(property.number);
        break;
      case PropertyType::utf8_string:
      case PropertyType::binary_data:
        writer.string(property.text);
        break;
      case PropertyType::utf8_string_pair:
        writer.string(property.text);
        writer.string(property.value);
        break;
    }
  }
}

}  // namespace

void write_properties(WireWriter& writer, const Properties& properties) {
  if (properties.empty()) {
    writer.varint(0);
    return;
  }
  WireWriter counter;
  write_items(counter, properties);
  writer.varint(static_cast<std::uint32_t>(counter.size()));
  write_items(writer, properties);
}

}  // namespace mqwarden::mqtt

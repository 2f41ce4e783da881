// CONNECT and CONNACK bodies (spec 3.1 and 3.2 of both versions).
#include <string>

#include "mqtt/codec_internal.hpp"
#include "mqtt/topic.hpp"

namespace mqwarden::mqtt {
namespace {

constexpr std::uint8_t kUsernameFlag = 0x80;
constexpr std::uint8_t kPasswordFlag = 0x40;
constexpr std::uint8_t kWillRetainFlag = 0x20;
constexpr std::uint8_t kWillQoSShift = 3;
constexpr std::uint8_t kWillFlag = 0x04;
constexpr std::uint8_t kCleanStartFlag = 0x02;
constexpr std::uint8_t kReservedFlag = 0x01;

bool read_protocol(WireReader& reader, ProtocolVersion& version) {
  std::string name;
  std::uint8_t level = 0;
  if (!reader.read_utf8(name) || !reader.read_byte(level)) return false;
  if (name == "MQIsdp") {  // MQTT 3.1
    return reader.fail(ReasonCode::unsupported_protocol_version, "MQTT-3.1.2-2", "MQTT 3.1 (MQIsdp) is not supported");
  }
  if (name != "MQTT") {
    // 5.0 lets the server answer 0x84 before closing; 3.1.1 maps it to return code 0x01.
    return reader.fail(ReasonCode::unsupported_protocol_version, "MQTT-3.1.2-1", "protocol name is not \"MQTT\"");
  }
  if (level != static_cast<std::uint8_t>(ProtocolVersion::v311) &&
      level != static_cast<std::uint8_t>(ProtocolVersion::v5)) {
    return reader.fail(ReasonCode::unsupported_protocol_version, "MQTT-3.1.2-2",
                       "unsupported protocol level " + std::to_string(level));
  }
  version = static_cast<ProtocolVersion>(level);
  return true;
}

bool check_connect_flags(WireReader& reader, std::uint8_t flags) {
  if (flags & kReservedFlag) {
    return reader.fail(ReasonCode::malformed_packet, "MQTT-3.1.2-3", "reserved CONNECT flag is set");
  }
  const std::uint8_t will_qos = (flags >> kWillQoSShift) & 0x03;
  if (!(flags & kWillFlag)) {
    if (will_qos != 0) {
      return reader.fail(ReasonCode::malformed_packet, reader.rule("MQTT-3.1.2-13", "MQTT-3.1.2-11"),
                         "Will QoS set without the Will Flag");
    }
    if (flags & kWillRetainFlag) {
      return reader.fail(ReasonCode::malformed_packet, reader.rule("MQTT-3.1.2-15", "MQTT-3.1.2-13"),
                         "Will Retain set without the Will Flag");
    }
  } else if (will_qos == 3) {
    return reader.fail(ReasonCode::malformed_packet, reader.rule("MQTT-3.1.2-14", "MQTT-3.1.2-12"), "Will QoS 3");
  }
  if (!reader.v5() && (flags & kPasswordFlag) && !(flags & kUsernameFlag)) {
    return reader.fail(ReasonCode::malformed_packet, "MQTT-3.1.2-22", "Password Flag set without the User Name Flag");
  }
  return true;
}

bool read_will(WireReader& reader, std::uint8_t flags, Will& will) {
  will.qos = static_cast<QoS>((flags >> kWillQoSShift) & 0x03);
  will.retain = (flags & kWillRetainFlag) != 0;
  if (reader.v5() && !read_properties(reader, PropertyContext::will, will.properties)) return false;
  if (!reader.read_utf8(will.topic)) return false;
  if (auto error = validate_topic_name(will.topic)) {
    return reader.fail(ReasonCode::topic_name_invalid, topic_rule(*error, reader.version()),
                       "Will Topic: " + std::string(to_string(*error)));
  }
  return reader.read_binary(will.payload);
}

}  // namespace

bool read_body(WireReader& body, std::uint8_t header_flags, Connect& out) {
  // The version is only known once the variable header is read; read the rest
  // of the packet with a reader for that version.
  ProtocolVersion version{};
  if (!read_protocol(body, version)) return false;
  if (header_flags != 0) {
    return body.fail(ReasonCode::malformed_packet, version == ProtocolVersion::v5 ? "MQTT-2.1.3-1" : "MQTT-2.2.2-1",
                     "invalid fixed header flags for CONNECT");
  }
  out.version = version;
  WireReader reader(body.take(body.remaining()), version);
  auto fail_with_reader_error = [&] { return body.fail(reader.take_error()); };

  std::uint8_t flags = 0;
  if (!reader.read_byte(flags) || !check_connect_flags(reader, flags)) return fail_with_reader_error();
  out.clean_start = (flags & kCleanStartFlag) != 0;
  if (!reader.read_u16(out.keep_alive)) return fail_with_reader_error();
  if (reader.v5() && !read_properties(reader, PropertyContext::connect, out.properties)) {
    return fail_with_reader_error();
  }
  if (!reader.read_utf8(out.client_id)) return fail_with_reader_error();
  if (flags & kWillFlag) {
    if (!read_will(reader, flags, out.will.emplace())) return fail_with_reader_error();
  }
  if (flags & kUsernameFlag) {
    if (!reader.read_utf8(out.username.emplace())) return fail_with_reader_error();
  }
  if (flags & kPasswordFlag) {
    if (!reader.read_binary(out.password.emplace())) return fail_with_reader_error();
  }
  if (!reader.at_end()) {
    return body.fail(ReasonCode::malformed_packet, "MQTT-3.1.3", "bytes after the end of the CONNECT payload");
  }
  return true;
}

void write_body(WireWriter& writer, const Connect& packet, ProtocolVersion) {
  const bool v5 = packet.version == ProtocolVersion::v5;
  writer.string("MQTT");
  writer.byte(static_cast<std::uint8_t>(packet.version));
  std::uint8_t flags = 0;
  if (packet.clean_start) flags |= kCleanStartFlag;
  if (packet.will) {
    flags |= kWillFlag | static_cast<std::uint8_t>(static_cast<std::uint8_t>(packet.will->qos) << kWillQoSShift);
    if (packet.will->retain) flags |= kWillRetainFlag;
  }
  if (packet.username) flags |= kUsernameFlag;
  if (packet.password) flags |= kPasswordFlag;
  writer.byte(flags);
  writer.u16(packet.keep_alive);
  if (v5) write_properties(writer, packet.properties);
  writer.string(packet.client_id);
  if (packet.will) {
    if (v5) write_properties(writer, packet.will->properties);
    writer.string(packet.will->topic);
    writer.string(packet.will->payload);
  }
  if (packet.username) writer.string(*packet.username);
  if (packet.password) writer.string(*packet.password);
}

namespace {

ReasonCode from_v311_connect_return_code(std::uint8_t code) {
  switch (static_cast<ConnectReturnCode>(code)) {
    case ConnectReturnCode::accepted:
      return ReasonCode::success;
    case ConnectReturnCode::unacceptable_protocol_version:
      return ReasonCode::unsupported_protocol_version;
    case ConnectReturnCode::identifier_rejected:
      return ReasonCode::client_identifier_not_valid;
    case ConnectReturnCode::server_unavailable:
      return ReasonCode::server_unavailable;
    case ConnectReturnCode::bad_user_name_or_password:
      return ReasonCode::bad_user_name_or_password;
    case ConnectReturnCode::not_authorized:
      return ReasonCode::not_authorized;
  }
  return ReasonCode::unspecified_error;
}

}  // namespace

bool read_body(WireReader& reader, std::uint8_t, Connack& out) {
  std::uint8_t acknowledge_flags = 0;
  if (!reader.read_byte(acknowledge_flags)) return false;
  if (acknowledge_flags & 0xFE) {
    return reader.fail(ReasonCode::malformed_packet, reader.rule("MQTT-3.2.2.1", "MQTT-3.2.2-1"),
                       "reserved CONNACK flags are set");
  }
  out.session_present = (acknowledge_flags & 0x01) != 0;
  if (reader.v5()) {
    if (!read_reason_code(reader, PacketType::connack, out.reason_code)) return false;
    if (!read_properties(reader, PropertyContext::connack, out.properties)) return false;
  } else {
    std::uint8_t code = 0;
    if (!reader.read_byte(code)) return false;
    if (code > static_cast<std::uint8_t>(ConnectReturnCode::not_authorized)) {
      return reader.fail(ReasonCode::malformed_packet, "MQTT-3.2.2.3",
                         "unknown CONNACK return code " + std::to_string(code));
    }
    out.reason_code = from_v311_connect_return_code(code);
  }
  if (out.session_present && out.reason_code != ReasonCode::success) {
    return reader.fail(ReasonCode::protocol_error, reader.rule("MQTT-3.2.2-4", "MQTT-3.2.2-6"),
                       "Session Present set in a refusing CONNACK");
  }
  return true;
}

void write_body(WireWriter& writer, const Connack& packet, ProtocolVersion version) {
  writer.byte(packet.session_present ? 0x01 : 0x00);
  if (version == ProtocolVersion::v5) {
    writer.byte(static_cast<std::uint8_t>(packet.reason_code));
    write_properties(writer, packet.properties);
  } else {
    writer.byte(static_cast<std::uint8_t>(to_v311_connect_return_code(packet.reason_code)));
  }
}

}  // namespace mqwarden::mqtt

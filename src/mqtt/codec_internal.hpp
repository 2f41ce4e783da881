// Declarations shared by the codec's translation units: property lists, and
// the body reader and writer of each packet type. Internal to src/mqtt.
#pragma once

#include <cstdint>

#include "mqtt/packets.hpp"
#include "mqtt/properties.hpp"
#include "mqtt/wire_reader.hpp"
#include "mqtt/wire_writer.hpp"

namespace mqwarden::mqtt {

// The property context of a packet type (CONNECT's will has its own).
PropertyContext property_context(PacketType type);
// Reads a property length and the properties it covers, checking each against
// the context it appears in: known identifier, allowed here, not repeated,
// value in range.
bool read_properties(WireReader& reader, PropertyContext context, Properties& out);
// Writes the property length and the properties.
void write_properties(WireWriter& writer, const Properties& properties);

// The low four bits of the fixed header's first byte.
std::uint8_t fixed_header_flags(const Packet& packet);

// Each reader gets the fixed header flags (already checked where they are
// fixed) and fills the packet; it returns false with the reader's error set.
bool read_body(WireReader& reader, std::uint8_t flags, Connect& out);
bool read_body(WireReader& reader, std::uint8_t flags, Connack& out);
bool read_body(WireReader& reader, std::uint8_t flags, Publish& out);
bool read_body(WireReader& reader, std::uint8_t flags, Puback& out);
bool read_body(WireReader& reader, std::uint8_t flags, Pubrec& out);
bool read_body(WireReader& reader, std::uint8_t flags, Pubrel& out);
bool read_body(WireReader& reader, std::uint8_t flags, Pubcomp& out);
bool read_body(WireReader& reader, std::uint8_t flags, Subscribe& out);
bool read_body(WireReader& reader, std::uint8_t flags, Suback& out);
bool read_body(WireReader& reader, std::uint8_t flags, Unsubscribe& out);
bool read_body(WireReader& reader, std::uint8_t flags, Unsuback& out);
bool read_body(WireReader& reader, std::uint8_t flags, Pingreq& out);
bool read_body(WireReader& reader, std::uint8_t flags, Pingresp& out);
bool read_body(WireReader& reader, std::uint8_t flags, Disconnect& out);
bool read_body(WireReader& reader, std::uint8_t flags, Auth& out);

// CONNECT is written in its own packet.version; `version` is ignored.
void write_body(WireWriter& writer, const Connect& packet, ProtocolVersion version);
void write_body(WireWriter& writer, const Connack& packet, ProtocolVersion version);
void write_body(WireWriter& writer, const Publish& packet, ProtocolVersion version);
void write_body(WireWriter& writer, const Puback& packet, ProtocolVersion version);
void write_body(WireWriter& writer, const Pubrec& packet, ProtocolVersion version);
void write_body(WireWriter& writer, const Pubrel& packet, ProtocolVersion version);
void write_body(WireWriter& writer, const Pubcomp& packet, ProtocolVersion version);
void write_body(WireWriter& writer, const Subscribe& packet, ProtocolVersion version);
void write_body(WireWriter& writer, const Suback& packet, ProtocolVersion version);
void write_body(WireWriter& writer, const Unsubscribe& packet, ProtocolVersion version);
void write_body(WireWriter& writer, const Unsuback& packet, ProtocolVersion version);
void write_body(WireWriter& writer, const Pingreq& packet, ProtocolVersion version);
void write_body(WireWriter& writer, const Pingresp& packet, ProtocolVersion version);
void write_body(WireWriter& writer, const Disconnect& packet, ProtocolVersion version);
void write_body(WireWriter& writer, const Auth& packet, ProtocolVersion version);

// Reads a v5 reason code and checks that it is allowed in `type`.
bool read_reason_code(WireReader& reader, PacketType type, ReasonCode& out);
// Reads a packet identifier that must not be zero.
bool read_packet_id(WireReader& reader, std::uint16_t& out);

}  // namespace mqwarden::mqtt

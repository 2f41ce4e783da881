#include "mqtt/decoder.hpp"

#include <algorithm>
#include <string>

#include "mqtt/codec_internal.hpp"

namespace mqwarden::mqtt {
namespace {

// The fixed header flags a packet type requires, or -1 where they carry data (PUBLISH).
int required_flags(PacketType type) {
  switch (type) {
    case PacketType::publish:
      return -1;
    case PacketType::pubrel:
    case PacketType::subscribe:
    case PacketType::unsubscribe:
      return 0x02;
    default:
      return 0x00;
  }
}

std::string_view flags_rule(PacketType type, ProtocolVersion version) {
  switch (type) {
    case PacketType::pubrel:
      return "MQTT-3.6.1-1";
    case PacketType::subscribe:
      return "MQTT-3.8.1-1";
    case PacketType::unsubscribe:
      return "MQTT-3.10.1-1";
    case PacketType::disconnect:
      return "MQTT-3.14.1-1";
    case PacketType::auth:
      return "MQTT-3.15.1-1";
    default:
      return version == ProtocolVersion::v5 ? "MQTT-2.1.3-1" : "MQTT-2.2.2-1";
  }
}

// Checks the first byte of a fixed header; returns an error or nothing.
std::optional<DecodeError> check_first_byte(std::uint8_t first_byte, ProtocolVersion version) {
  const std::uint8_t type_bits = first_byte >> 4;
  if (type_bits == 0 || (type_bits == static_cast<std::uint8_t>(PacketType::auth) && version != ProtocolVersion::v5)) {
    return DecodeError{ReasonCode::malformed_packet, version == ProtocolVersion::v5 ? "MQTT-2.1.2" : "MQTT-2.2.1",
                       "reserved packet type " + std::to_string(type_bits)};
  }
  const auto type = static_cast<PacketType>(type_bits);
  const int flags = required_flags(type);
  // CONNECT's flags are checked by read_body(Connect), once its version (and so the rule) is known.
  if (type != PacketType::connect && flags >= 0 && (first_byte & 0x0F) != flags) {
    return DecodeError{ReasonCode::malformed_packet, flags_rule(type, version),
                       "invalid fixed header flags for " + std::string(to_string(type))};
  }
  return std::nullopt;
}

template <class T>
DecodeResult decode_as(std::uint8_t flags, std::span<const std::uint8_t> body, ProtocolVersion version) {
  WireReader reader(body, version);
  T packet{};
  if (!read_body(reader, flags, packet)) return reader.take_error();
  if (!reader.at_end()) {
    return DecodeError{ReasonCode::malformed_packet, version == ProtocolVersion::v5 ? "MQTT-2.1.4" : "MQTT-2.2.3",
                       "bytes after the end of the " + std::string(to_string(packet_type(Packet(packet))))};
  }
  return Packet(std::move(packet));
}

}  // namespace

DecodeResult decode_packet(std::uint8_t first_byte, std::span<const std::uint8_t> body, ProtocolVersion version) {
  const auto type = static_cast<PacketType>(first_byte >> 4);
  if (type == PacketType::connect) version = ProtocolVersion::v5;  // read_body(Connect) finds the real one
  if (auto error = check_first_byte(first_byte, version)) return *std::move(error);
  const std::uint8_t flags = first_byte & 0x0F;
  switch (type) {
    case PacketType::connect: return decode_as<Connect>(flags, body, version);
    case PacketType::connack: return decode_as<Connack>(flags, body, version);
    case PacketType::publish: return decode_as<Publish>(flags, body, version);
    case PacketType::puback: return decode_as<Puback>(flags, body, version);
    case PacketType::pubrec: return decode_as<Pubrec>(flags, body, version);
    case PacketType::pubrel: return decode_as<Pubrel>(flags, body, version);
    case PacketType::pubcomp: return decode_as<Pubcomp>(flags, body, version);
    case PacketType::subscribe: return decode_as<Subscribe>(flags, body, version);
    case PacketType::suback: return decode_as<Suback>(flags, body, version);
    case PacketType::unsubscribe: return decode_as<Unsubscribe>(flags, body, version);
    case PacketType::unsuback: return decode_as<Unsuback>(flags, body, version);
    case PacketType::pingreq: return decode_as<Pingreq>(flags, body, version);
    case PacketType::pingresp: return decode_as<Pingresp>(flags, body, version);
    case PacketType::disconnect: return decode_as<Disconnect>(flags, body, version);
    case PacketType::auth: return decode_as<Auth>(flags, body, version);
  }
  return DecodeError{ReasonCode::malformed_packet, "MQTT-2.2.1", "unknown packet type"};
}

Decoder::Decoder(DecoderOptions options) : options_(options) {}

void Decoder::fail_state() {
  failed_ = true;
  header_length_ = 0;
  body_.reset();
  body_size_ = 0;
}

DecodeResult Decoder::fail(DecodeError error) {
  fail_state();
  return error;
}

DecodeResult Decoder::decode(std::span<const std::uint8_t>& input) {
  if (failed_) {
    return DecodeError{ReasonCode::protocol_error, "MQTT-4.8.0-1", "decoder used after an earlier error"};
  }
  // A CONNECT's version is not known before its body; its header errors use the decoder's.
  const bool v5 = options_.version == ProtocolVersion::v5;
  while (!header_complete_) {
    if (input.empty()) return NeedMoreInput{};
    const std::uint8_t byte = input.front();
    input = input.subspan(1);
    header_[header_length_++] = byte;
    if (header_length_ == 1) {
      // Reject a bad type or flags before reading further.
      if (auto error = check_first_byte(byte, options_.version)) return fail(*std::move(error));
      continue;
    }
    const std::size_t digit = header_length_ - 2;
    remaining_length_ |= std::uint32_t{byte & 0x7Fu} << (7 * digit);
    if (byte & 0x80) {
      if (header_length_ == 5) {
        return fail({ReasonCode::malformed_packet, v5 ? "MQTT-1.5.5" : "MQTT-2.2.3",
                     "remaining length longer than four bytes"});
      }
      continue;
    }
    if (digit > 0 && byte == 0) {
      // 3.1.1 states no minimal-encoding rule; the value is still rejected there.
      return fail(
          {ReasonCode::malformed_packet, v5 ? "MQTT-1.5.5-1" : "MQTT-2.2.3", "remaining length not minimally encoded"});
    }
    header_complete_ = true;
    const std::uint64_t packet_size = header_length_ + std::uint64_t{remaining_length_};
    if (packet_size > options_.max_packet_size) {
      return fail({ReasonCode::packet_too_large, "MQTT-3.2.2-15",
                   "packet of " + std::to_string(packet_size) + " bytes exceeds the maximum of " +
                       std::to_string(options_.max_packet_size)});
    }
  }

  std::span<const std::uint8_t> body;
  if (!body_ && input.size() >= remaining_length_) {
    body = input.first(remaining_length_);  // whole packet present: decode in place
    input = input.subspan(remaining_length_);
  } else {
    if (input.empty()) return NeedMoreInput{};
    if (!body_) body_ = std::make_unique_for_overwrite<std::uint8_t[]>(remaining_length_);
    const std::size_t take = std::min<std::size_t>(remaining_length_ - body_size_, input.size());
    std::copy_n(input.begin(), take, body_.get() + body_size_);
    body_size_ += static_cast<std::uint32_t>(take);
    input = input.subspan(take);
    if (body_size_ < remaining_length_) return NeedMoreInput{};
    body = std::span<const std::uint8_t>(body_.get(), remaining_length_);
  }
  return finish(body);
}

DecodeResult Decoder::finish(std::span<const std::uint8_t> body) {
  DecodeResult result = decode_packet(header_[0], body, options_.version);
  header_length_ = 0;
  remaining_length_ = 0;
  header_complete_ = false;
  body_.reset();  // a connection between packets holds no buffer
  body_size_ = 0;
  if (std::holds_alternative<DecodeError>(result)) fail_state();
  return result;
}

}  // namespace mqwarden::mqtt

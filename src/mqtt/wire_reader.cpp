#include "mqtt/wire_reader.hpp"

#include <string>

#include "mqtt/utf8.hpp"

namespace mqwarden::mqtt {

bool WireReader::fail(ReasonCode reason, std::string_view rule, std::string detail) {
  error_ = DecodeError{reason, rule, std::move(detail)};
  return false;
}

bool WireReader::truncated(std::string_view what) {
  // The remaining length says the packet ends before this field does.
  return fail(ReasonCode::malformed_packet, v5() ? "MQTT-2.1.4" : "MQTT-2.2.3",
              "packet ends inside the " + std::string(what));
}

bool WireReader::read_byte(std::uint8_t& out) {
  if (remaining() < 1) return truncated("byte field");
  out = bytes_[pos_++];
  return true;
}

bool WireReader::read_u16(std::uint16_t& out) {
  if (remaining() < 2) return truncated("two byte integer");
  out = static_cast<std::uint16_t>(bytes_[pos_] << 8 | bytes_[pos_ + 1]);
  pos_ += 2;
  return true;
}

bool WireReader::read_u32(std::uint32_t& out) {
  if (remaining() < 4) return truncated("four byte integer");
  out = std::uint32_t{bytes_[pos_]} << 24 | std::uint32_t{bytes_[pos_ + 1]} << 16 |
        std::uint32_t{bytes_[pos_ + 2]} << 8 | std::uint32_t{bytes_[pos_ + 3]};
  pos_ += 4;
  return true;
}

bool WireReader::read_varint(std::uint32_t& out) {
  std::uint32_t value = 0;
  for (int i = 0; i < 4; ++i) {
    if (remaining() < 1) return truncated("variable byte integer");
    const std::uint8_t digit = bytes_[pos_++];
    value |= std::uint32_t{digit & 0x7Fu} << (7 * i);
    if ((digit & 0x80) == 0) {
      if (i > 0 && digit == 0) {
        return fail(ReasonCode::malformed_packet, "MQTT-1.5.5-1",
                    "variable byte integer not encoded in the minimum number of bytes");
      }
      out = value;
      return true;
    }
  }
  return fail(ReasonCode::malformed_packet, "MQTT-1.5.5", "variable byte integer longer than four bytes");
}

bool WireReader::read_utf8(std::string& out) {
  std::uint16_t length = 0;
  if (!read_u16(length)) return false;
  if (remaining() < length) return truncated("UTF-8 string");
  std::string_view text(reinterpret_cast<const char*>(bytes_.data() + pos_), length);
  switch (check_utf8(text)) {
    case Utf8Status::valid:
      break;
    case Utf8Status::ill_formed:
      return fail(ReasonCode::malformed_packet, rule("MQTT-1.5.3-1", "MQTT-1.5.4-1"), "ill-formed UTF-8 string");
    case Utf8Status::surrogate:
      return fail(ReasonCode::malformed_packet, rule("MQTT-1.5.3-1", "MQTT-1.5.4-1"),
                  "UTF-8 string encodes a surrogate code point (U+D800..U+DFFF)");
    case Utf8Status::null_character:
      return fail(ReasonCode::malformed_packet, rule("MQTT-1.5.3-2", "MQTT-1.5.4-2"),
                  "UTF-8 string contains U+0000");
  }
  out.assign(text);
  pos_ += length;
  return true;
}

bool WireReader::read_binary(std::string& out) {
  std::uint16_t length = 0;
  if (!read_u16(length)) return false;
  if (remaining() < length) return truncated("binary data");
  out.assign(reinterpret_cast<const char*>(bytes_.data() + pos_), length);
  pos_ += length;
  return true;
}

std::string_view WireReader::read_rest() {
  std::string_view rest(reinterpret_cast<const char*>(bytes_.data() + pos_), remaining());
  pos_ = bytes_.size();
  return rest;
}

std::span<const std::uint8_t> WireReader::take(std::size_t count) {
  auto part = bytes_.subspan(pos_, count);
  pos_ += count;
  return part;
}

}  // namespace mqwarden::mqtt

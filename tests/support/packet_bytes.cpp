#include "support/packet_bytes.hpp"

namespace mqwarden::testing {

Bytes& Bytes::byte(std::uint8_t value) {
  data_.push_back(value);
  return *this;
}

Bytes& Bytes::u16(std::uint16_t value) {
  return byte(static_cast<std::uint8_t>(value >> 8)).byte(static_cast<std::uint8_t>(value));
}

Bytes& Bytes::u32(std::uint32_t value) {
  return u16(static_cast<std::uint16_t>(value >> 16)).u16(static_cast<std::uint16_t>(value));
}

Bytes& Bytes::varint(std::uint32_t value) {
  do {
    auto digit = static_cast<std::uint8_t>(value % 128);
    value /= 128;
    if (value > 0) digit |= 0x80;
    byte(digit);
  } while (value > 0);
  return *this;
}

Bytes& Bytes::string(std::string_view text) {
  return u16(static_cast<std::uint16_t>(text.size())).raw(text);
}

Bytes& Bytes::raw(std::string_view bytes) {
  data_.insert(data_.end(), bytes.begin(), bytes.end());
  return *this;
}

Bytes& Bytes::append(const Bytes& other) {
  data_.insert(data_.end(), other.data_.begin(), other.data_.end());
  return *this;
}

Bytes& Bytes::properties(const Bytes& items) {
  return varint(static_cast<std::uint32_t>(items.size())).append(items);
}

std::vector<std::uint8_t> packet(std::uint8_t first_byte, const Bytes& body) {
  Bytes header;
  header.byte(first_byte).varint(static_cast<std::uint32_t>(body.size())).append(body);
  return header.data();
}

std::string hex(std::span<const std::uint8_t> bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (std::uint8_t b : bytes) {
    if (!out.empty()) out += ' ';
    out += kDigits[b >> 4];
    out += kDigits[b & 0x0F];
  }
  return out;
}

}  // namespace mqwarden::testing

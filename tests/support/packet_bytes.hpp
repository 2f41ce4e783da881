// Bytes: a small builder for hand-written MQTT byte sequences, for tests that
// feed the decoder packets the encoder would never produce (bad flags, bad
// lengths, ill-formed strings), and hex() to compare encoded bytes readably.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace mqwarden::testing {

class Bytes {
 public:
  Bytes() = default;
  Bytes(std::initializer_list<std::uint8_t> bytes) : data_(bytes) {}

  Bytes& byte(std::uint8_t value);
  Bytes& u16(std::uint16_t value);     // two byte integer, big-endian
  Bytes& u32(std::uint32_t value);     // four byte integer, big-endian
  Bytes& varint(std::uint32_t value);  // variable byte integer, minimal encoding
  // A UTF-8 string or binary data: two-byte length, then the bytes as given
  // (no validation, so ill-formed strings can be written).
  Bytes& string(std::string_view text);
  Bytes& raw(std::string_view bytes);
  Bytes& append(const Bytes& other);
  // An MQTT 5.0 property list: its length as a variable byte integer, then `items`.
  Bytes& properties(const Bytes& items);

  const std::vector<std::uint8_t>& data() const { return data_; }
  std::size_t size() const { return data_.size(); }

 private:
  std::vector<std::uint8_t> data_;
};

// A whole packet: `first_byte`, the minimal remaining length, then `body`.
std::vector<std::uint8_t> packet(std::uint8_t first_byte, const Bytes& body);

// "40 02 00 01": lower-case hex, bytes separated by one space.
std::string hex(std::span<const std::uint8_t> bytes);

}  // namespace mqwarden::testing

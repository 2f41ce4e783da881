// WireWriter: writes MQTT data representations (spec 1.5) to a byte vector,
// or, without a vector, only counts the bytes they would take. Internal to the
// codec: writing a packet body once in counting mode gives its remaining
// length, so the size computation and the writing are one piece of code.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "mqtt/protocol_version.hpp"

namespace mqwarden::mqtt {

// Number of bytes of `value` as a variable byte integer.
inline std::size_t varint_size(std::uint32_t value) {
  return value < 128 ? 1 : value < 16'384 ? 2 : value < 2'097'152 ? 3 : 4;
}

class WireWriter {
 public:
  WireWriter() = default;  // counting only
  explicit WireWriter(std::vector<std::uint8_t>& out) : out_(&out) {}

  std::size_t size() const { return size_; }
  // Whether a string or binary field was too long for its two-byte length.
  bool string_overflow() const { return string_overflow_; }

  void byte(std::uint8_t value) {
    size_ += 1;
    if (out_) out_->push_back(value);
  }
  void u16(std::uint16_t value) {
    byte(static_cast<std::uint8_t>(value >> 8));
    byte(static_cast<std::uint8_t>(value));
  }
  void u32(std::uint32_t value) {
    u16(static_cast<std::uint16_t>(value >> 16));
    u16(static_cast<std::uint16_t>(value));
  }
  void varint(std::uint32_t value) {
    do {
      auto digit = static_cast<std::uint8_t>(value % 128);
      value /= 128;
      if (value > 0) digit |= 0x80;
      byte(digit);
    } while (value > 0);
  }
  // UTF-8 string or binary data: a two-byte length, then the bytes.
  void string(std::string_view text) {
    if (text.size() > kMaxStringLength) string_overflow_ = true;
    u16(static_cast<std::uint16_t>(text.size()));
    raw(text);
  }
  void raw(std::string_view bytes) {
    size_ += bytes.size();
    if (out_) out_->insert(out_->end(), bytes.begin(), bytes.end());
  }

 private:
  std::vector<std::uint8_t>* out_ = nullptr;
  std::size_t size_ = 0;
  bool string_overflow_ = false;
};

}  // namespace mqwarden::mqtt

// WireReader: bounds-checked reading of MQTT data representations (spec 1.5)
// from a packet body. Internal to the codec.
//
// Every read fails softly: it returns false and leaves an error describing the
// broken rule, which the caller returns. Nothing here throws or reads past the
// end of the span.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "mqtt/decode_error.hpp"
#include "mqtt/protocol_version.hpp"

namespace mqwarden::mqtt {

class WireReader {
 public:
  WireReader(std::span<const std::uint8_t> bytes, ProtocolVersion version) : bytes_(bytes), version_(version) {}

  std::size_t remaining() const { return bytes_.size() - pos_; }
  std::size_t position() const { return pos_; }
  bool at_end() const { return pos_ == bytes_.size(); }
  ProtocolVersion version() const { return version_; }
  bool v5() const { return version_ == ProtocolVersion::v5; }

  bool read_byte(std::uint8_t& out);
  bool read_u16(std::uint16_t& out);
  bool read_u32(std::uint32_t& out);
  bool read_varint(std::uint32_t& out);
  // A UTF-8 encoded string, validated per 1.5.3 / 1.5.4.
  bool read_utf8(std::string& out);
  // Binary data: a two-byte length and that many bytes.
  bool read_binary(std::string& out);
  // Everything left (the PUBLISH payload).
  std::string_view read_rest();
  // Advances over `count` bytes and returns them; the caller checked remaining().
  std::span<const std::uint8_t> take(std::size_t count);

  // Records an error and returns false, for use as `return reader.fail(...)`.
  bool fail(ReasonCode reason, std::string_view rule, std::string detail);
  bool fail(DecodeError error) {
    error_ = std::move(error);
    return false;
  }
  // Picks the rule identifier of the version being decoded.
  std::string_view rule(std::string_view v311_rule, std::string_view v5_rule) const {
    return v5() ? v5_rule : v311_rule;
  }
  DecodeError take_error() { return std::move(error_); }

 private:
  bool truncated(std::string_view what);

  std::span<const std::uint8_t> bytes_;
  std::size_t pos_ = 0;
  ProtocolVersion version_;
  DecodeError error_;
};

}  // namespace mqwarden::mqtt

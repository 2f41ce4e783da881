// Decoder: turns a byte stream into packets, incrementally and without I/O.
//
// Feed it whatever arrived, in pieces of any size (one byte at a time works);
// it returns each packet as soon as the last byte of it is in. The maximum
// packet size is enforced from the fixed header, before any of the body is
// buffered. After an error the decoder stays failed: the connection must be
// closed. A complete packet found whole in the input is decoded in place; only
// a packet split across reads is copied into the decoder's own buffer.
//
// Not thread-safe: one decoder per connection, used by one thread at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <variant>
#include <vector>

#include "mqtt/decode_error.hpp"
#include "mqtt/packets.hpp"

namespace mqwarden::mqtt {

struct DecoderOptions {
  // The largest packet accepted, counting the fixed header (MQTT 5.0 counts the
  // whole packet). Larger packets fail with reason 0x95 Packet Too Large.
  std::uint32_t max_packet_size = 4 * 1024 * 1024;
  // The version of every packet but CONNECT, which carries its own. A broker
  // sets it from the CONNECT it accepted.
  ProtocolVersion version = ProtocolVersion::v311;
};

struct NeedMoreInput {};

using DecodeResult = std::variant<NeedMoreInput, Packet, DecodeError>;

class Decoder {
 public:
  explicit Decoder(DecoderOptions options = {});

  void set_version(ProtocolVersion version) { options_.version = version; }
  ProtocolVersion version() const { return options_.version; }
  void set_max_packet_size(std::uint32_t bytes) { options_.max_packet_size = bytes; }

  // Consumes bytes from the front of `input` until one packet is complete, an
  // error is found, or `input` is exhausted; `input` is advanced past what was
  // consumed. Call again with the rest of `input` to get the next packet.
  DecodeResult decode(std::span<const std::uint8_t>& input);

  bool failed() const { return failed_; }
  // Bytes of an incomplete packet held between calls.
  std::size_t buffered_bytes() const { return header_length_ + body_size_; }

 private:
  void fail_state();
  DecodeResult fail(DecodeError error);
  DecodeResult finish(std::span<const std::uint8_t> body);

  // Small fields first and packed: every connection holds a decoder.
  DecoderOptions options_;
  std::uint32_t remaining_length_ = 0;
  std::uint8_t header_[5] = {};  // first byte and up to four length bytes
  std::uint8_t header_length_ = 0;
  bool header_complete_ = false;
  bool failed_ = false;
  std::uint32_t body_size_ = 0;  // bytes of body_ received
  // The body of a packet split across reads (remaining_length_ bytes); null
  // between packets and while packets come whole.
  std::unique_ptr<std::uint8_t[]> body_;
};

// Decodes one packet's body given its fixed header's first byte: the part of
// the decoder that knows the packet layouts. `version` is ignored for CONNECT.
DecodeResult decode_packet(std::uint8_t first_byte, std::span<const std::uint8_t> body, ProtocolVersion version);

}  // namespace mqwarden::mqtt

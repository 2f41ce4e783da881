// WebSocketFraming: the server side of WebSocket (RFC 6455) for MQTT over
// WebSocket (MQTT 5.0 section 6), without I/O — the HTTP upgrade request in
// and the 101 answer out; then the client's frames in and their payload out
// as MQTT bytes, and MQTT bytes wrapped in binary frames for the client.
//
// Frames and MQTT packets are independent: a packet may span frames and a
// frame may hold several packets. Payload is unmasked as it streams in, so a
// large frame is never held whole. The upgrade must ask for the configured
// path and the "mqtt" sub-protocol. Used by one thread at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace mqwarden::net {

class WebSocketFraming {
 public:
  explicit WebSocketFraming(std::string path) : path_(std::move(path)) {}

  struct Received {
    // Set when the connection must end after `reply` is sent: why, for the log.
    std::string close_reason;
  };
  // Consumes `input`: MQTT bytes are appended to `payload`; what must be sent
  // back (the upgrade answer, pongs, a close frame) to `reply`.
  Received receive(std::span<const std::uint8_t> input, std::vector<std::uint8_t>& payload,
                   std::vector<std::uint8_t>& reply);

  bool upgraded() const { return stage_ != Stage::upgrade; }

  // Appends one unmasked binary frame holding `payload` to `out`.
  static void append_frame(std::span<const std::uint8_t> payload, std::vector<std::uint8_t>& out);

 private:
  enum class Stage { upgrade, header, payload, closed };
  Received receive_upgrade(std::span<const std::uint8_t>& input, std::vector<std::uint8_t>& reply);
  // The size of the frame header in `held_`, as far as its first bytes tell.
  std::size_t header_size() const;
  // Reads the complete frame header in `held_`; returns what is wrong with it, if anything.
  std::string take_header();
  void end_control_frame(std::vector<std::uint8_t>& reply, Received& received);

  std::string path_;
  Stage stage_ = Stage::upgrade;
  std::vector<std::uint8_t> held_;  // an incomplete upgrade request, or a frame header
  // The frame being read.
  std::uint8_t opcode_ = 0;
  bool final_ = false;
  std::uint64_t remaining_ = 0;
  std::uint8_t mask_[4] = {};
  std::size_t mask_offset_ = 0;
  std::vector<std::uint8_t> control_;  // payload of a control frame (at most 125 bytes)
  bool in_message_ = false;            // a fragmented binary message is under way
};

}  // namespace mqwarden::net

// Fuzz target for the MQTT decoder. The stream is fed in pieces of a size the
// input chooses; every packet decoded must re-encode, and decode again to an
// equal packet. Any crash, leak, sanitizer report or broken round trip fails.
#include <algorithm>
#include <cstdlib>
#include <span>
#include <vector>

#include "mqtt/decoder.hpp"
#include "mqtt/encoder.hpp"
#include "mqtt_decoder_fuzz_input.hpp"

namespace {

using namespace mqwarden::mqtt;

void check_round_trip(const Packet& packet, ProtocolVersion version) {
  std::vector<std::uint8_t> bytes;
  if (!encode(packet, version, bytes).ok()) std::abort();
  Decoder decoder({.max_packet_size = kMaxRemainingLength + 5, .version = version});
  std::span<const std::uint8_t> input(bytes);
  DecodeResult again = decoder.decode(input);
  if (!input.empty() || !std::holds_alternative<Packet>(again) || std::get<Packet>(again) != packet) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const std::uint8_t control = data[0];
  Decoder decoder({.max_packet_size = 64 * 1024, .version = mqwarden::fuzz::version_of(control)});
  const std::size_t piece_size = mqwarden::fuzz::piece_size_of(control);
  std::span<const std::uint8_t> stream(data + 1, size - 1);
  while (!stream.empty()) {
    std::span<const std::uint8_t> piece = stream.first(std::min(piece_size, stream.size()));
    stream = stream.subspan(piece.size());
    while (!piece.empty()) {
      DecodeResult result = decoder.decode(piece);
      if (std::holds_alternative<DecodeError>(result)) return 0;
      if (const auto* packet = std::get_if<Packet>(&result)) {
        if (const auto* connect = std::get_if<Connect>(packet)) decoder.set_version(connect->version);
        check_round_trip(*packet, decoder.version());
      }
    }
  }
  return 0;
}

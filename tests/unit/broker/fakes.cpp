#include "fakes.hpp"

#include "mqtt/encoder.hpp"

namespace mqwarden::broker::testing {

std::size_t RecordingLink::packet_bytes(const mqtt::Packet& packet) {
  auto size = mqtt::encoded_size(packet, mqtt::ProtocolVersion::v5);
  return size.ok() ? *size : 0;
}

}  // namespace mqwarden::broker::testing

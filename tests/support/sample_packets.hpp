// Sample packets of every type in both protocol versions, for round-trip
// tests, the fuzz seed corpus and the codec benchmarks.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "mqtt/packets.hpp"

namespace mqwarden::testing {

struct SamplePacket {
  std::string name;  // unique, usable as a test or file name
  mqtt::Packet packet;
  mqtt::ProtocolVersion version;
};

// GoogleTest prints a sample by its name.
inline void PrintTo(const SamplePacket& sample, std::ostream* out) { *out << sample.name; }

// A property of type-appropriate, valid value for `id`.
mqtt::Property sample_property(mqtt::PropertyId id);

// One of every property allowed in `context` (two user properties).
mqtt::Properties all_properties(mqtt::PropertyContext context);

// Every packet type in both versions; for MQTT 5.0 each type also without
// properties, with all its properties, and once with each single property.
std::vector<SamplePacket> sample_packets();

}  // namespace mqwarden::testing

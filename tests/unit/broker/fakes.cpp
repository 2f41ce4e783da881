#include "fakes.hpp"

#include <gtest/gtest.h>

#include "broker/enforcement.hpp"
#include "mqtt/encoder.hpp"

namespace mqwarden::broker::testing {

std::size_t RecordingLink::packet_bytes(const mqtt::Packet& packet) {
  auto size = mqtt::encoded_size(packet, mqtt::ProtocolVersion::v5);
  return size.ok() ? *size : 0;
}

std::shared_ptr<policy::Engine> engine_with(const std::string& text, policy::EngineConfig config) {
  auto engine = std::make_shared<policy::Engine>(policy::Registry::defaults(), policy::HostFunctions{}, config);
  policy::SourceSet sources;
  sources.add("test.policy", text);
  auto loaded = engine->load(sources, Enforcement::now_ms());
  EXPECT_TRUE(loaded) << policy::format(loaded.error(), sources);
  return engine;
}

}  // namespace mqwarden::broker::testing

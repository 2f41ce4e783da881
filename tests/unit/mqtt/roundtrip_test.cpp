// Every sample packet, in both protocol versions and with and without each
// property, survives encode -> decode unchanged, and its encoding is stable.
#include <gtest/gtest.h>

#include <set>

#include "mqtt/decoder.hpp"
#include "mqtt/encoder.hpp"
#include "support/sample_packets.hpp"

namespace mqwarden::mqtt {
namespace {

using testing::SamplePacket;

class RoundTrip : public ::testing::TestWithParam<SamplePacket> {};

std::vector<std::uint8_t> encode_or_fail(const Packet& packet, ProtocolVersion version) {
  std::vector<std::uint8_t> bytes;
  auto result = encode(packet, version, bytes);
  EXPECT_TRUE(result.ok()) << (result.ok() ? "" : result.error().what);
  return bytes;
}

TEST_P(RoundTrip, DecodesToTheSamePacket) {
  const SamplePacket& sample = GetParam();
  const std::vector<std::uint8_t> bytes = encode_or_fail(sample.packet, sample.version);

  auto size = encoded_size(sample.packet, sample.version);
  ASSERT_TRUE(size.ok());
  EXPECT_EQ(*size, bytes.size());

  Decoder decoder({.max_packet_size = 1 << 20, .version = sample.version});
  std::span<const std::uint8_t> input(bytes);
  DecodeResult result = decoder.decode(input);
  ASSERT_TRUE(std::holds_alternative<Packet>(result))
      << (std::holds_alternative<DecodeError>(result) ? std::get<DecodeError>(result).to_string() : "need more");
  EXPECT_TRUE(input.empty());
  EXPECT_EQ(std::get<Packet>(result), sample.packet);
  EXPECT_EQ(encode_or_fail(std::get<Packet>(result), sample.version), bytes);
}

TEST_P(RoundTrip, DecodesOneByteAtATime) {
  const SamplePacket& sample = GetParam();
  const std::vector<std::uint8_t> bytes = encode_or_fail(sample.packet, sample.version);
  Decoder decoder({.max_packet_size = 1 << 20, .version = sample.version});
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    std::span<const std::uint8_t> one(&bytes[i], 1);
    DecodeResult result = decoder.decode(one);
    EXPECT_TRUE(one.empty());
    if (i + 1 < bytes.size()) {
      ASSERT_TRUE(std::holds_alternative<NeedMoreInput>(result)) << "at byte " << i;
    } else {
      ASSERT_TRUE(std::holds_alternative<Packet>(result));
      EXPECT_EQ(std::get<Packet>(result), sample.packet);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(AllPackets, RoundTrip, ::testing::ValuesIn(testing::sample_packets()),
                         [](const auto& test) { return test.param.name; });

TEST(RoundTripCoverage, EveryPacketTypeInBothVersions) {
  std::set<std::pair<PacketType, ProtocolVersion>> seen;
  for (const SamplePacket& sample : testing::sample_packets()) {
    seen.emplace(packet_type(sample.packet), sample.version);
  }
  for (int type = 1; type <= 15; ++type) {
    EXPECT_TRUE(seen.contains({static_cast<PacketType>(type), ProtocolVersion::v5})) << type;
    if (type != static_cast<int>(PacketType::auth)) {
      EXPECT_TRUE(seen.contains({static_cast<PacketType>(type), ProtocolVersion::v311})) << type;
    }
  }
}

}  // namespace
}  // namespace mqwarden::mqtt

// The framing of Decoder: partial input, several packets in one read, the
// maximum packet size enforced from the fixed header, and the failed state.
#include <gtest/gtest.h>

#include "mqtt/decoder.hpp"
#include "mqtt/encoder.hpp"

namespace mqwarden::mqtt {
namespace {

std::vector<std::uint8_t> bytes_of(const Packet& packet, ProtocolVersion version = ProtocolVersion::v311) {
  std::vector<std::uint8_t> out;
  EXPECT_TRUE(encode(packet, version, out).ok());
  return out;
}

Publish publish_of_size(std::size_t payload_size) {
  return Publish{"t", 0, QoS::at_most_once, false, false, {}, std::string(payload_size, 'p')};
}

TEST(Decoder, ReturnsEachOfSeveralPacketsInOneRead) {
  std::vector<std::uint8_t> stream = bytes_of(publish_of_size(3));
  const auto ping = bytes_of(Pingreq{});
  stream.insert(stream.end(), ping.begin(), ping.end());
  const auto second = bytes_of(publish_of_size(5));
  stream.insert(stream.end(), second.begin(), second.end());

  Decoder decoder;
  std::span<const std::uint8_t> input(stream);
  EXPECT_EQ(std::get<Packet>(decoder.decode(input)), Packet(publish_of_size(3)));
  EXPECT_EQ(std::get<Packet>(decoder.decode(input)), Packet(Pingreq{}));
  EXPECT_EQ(std::get<Packet>(decoder.decode(input)), Packet(publish_of_size(5)));
  EXPECT_TRUE(input.empty());
  EXPECT_TRUE(std::holds_alternative<NeedMoreInput>(decoder.decode(input)));
}

TEST(Decoder, JoinsAPacketSplitAcrossReadsAtEveryPoint) {
  const auto bytes = bytes_of(publish_of_size(200));  // two-byte remaining length
  for (std::size_t split = 1; split < bytes.size(); ++split) {
    Decoder decoder;
    std::span<const std::uint8_t> first(bytes.data(), split);
    ASSERT_TRUE(std::holds_alternative<NeedMoreInput>(decoder.decode(first))) << split;
    EXPECT_EQ(decoder.buffered_bytes(), split);
    std::span<const std::uint8_t> rest(bytes.data() + split, bytes.size() - split);
    ASSERT_EQ(std::get<Packet>(decoder.decode(rest)), Packet(publish_of_size(200))) << split;
    EXPECT_EQ(decoder.buffered_bytes(), 0u);
  }
}

TEST(Decoder, DecodesTheLargestRemainingLengthEncodings) {
  for (std::size_t payload : {124u, 125u, 16'380u, 16'381u, 2'097'148u, 2'097'149u}) {
    const auto bytes = bytes_of(publish_of_size(payload));
    Decoder decoder({.max_packet_size = 4 * 1024 * 1024});
    std::span<const std::uint8_t> input(bytes);
    auto result = decoder.decode(input);
    ASSERT_TRUE(std::holds_alternative<Packet>(result)) << payload;
    EXPECT_EQ(std::get<Publish>(std::get<Packet>(result)).payload.size(), payload);
  }
}

TEST(Decoder, RefusesAnOversizedPacketBeforeBufferingItsBody) {
  const auto bytes = bytes_of(publish_of_size(1000));
  Decoder decoder({.max_packet_size = 100});
  // Only the fixed header is offered: the size is known from it.
  std::span<const std::uint8_t> header(bytes.data(), 3);
  auto result = decoder.decode(header);
  ASSERT_TRUE(std::holds_alternative<DecodeError>(result));
  EXPECT_EQ(std::get<DecodeError>(result).reason, ReasonCode::packet_too_large);
  EXPECT_EQ(decoder.buffered_bytes(), 0u);
  EXPECT_TRUE(decoder.failed());
}

TEST(Decoder, AcceptsAPacketOfExactlyTheMaximumSize) {
  const auto bytes = bytes_of(publish_of_size(90));
  Decoder decoder({.max_packet_size = static_cast<std::uint32_t>(bytes.size())});
  std::span<const std::uint8_t> input(bytes);
  EXPECT_TRUE(std::holds_alternative<Packet>(decoder.decode(input)));
}

TEST(Decoder, StaysFailedAfterAnError) {
  const std::vector<std::uint8_t> bad{0x00, 0x00};  // reserved packet type 0
  Decoder decoder;
  std::span<const std::uint8_t> input(bad);
  ASSERT_TRUE(std::holds_alternative<DecodeError>(decoder.decode(input)));
  const auto ping = bytes_of(Pingreq{});
  std::span<const std::uint8_t> next(ping);
  EXPECT_TRUE(std::holds_alternative<DecodeError>(decoder.decode(next)));
}

TEST(Decoder, UsesTheVersionSetAfterConnect) {
  Connect connect;
  connect.version = ProtocolVersion::v5;
  connect.client_id = "c";
  auto stream = bytes_of(connect, ProtocolVersion::v5);
  const auto puback = bytes_of(Puback{7, ReasonCode::no_matching_subscribers, {}}, ProtocolVersion::v5);
  stream.insert(stream.end(), puback.begin(), puback.end());

  Decoder decoder;  // starts as 3.1.1; CONNECT carries its own version
  std::span<const std::uint8_t> input(stream);
  const auto first = std::get<Packet>(decoder.decode(input));
  decoder.set_version(std::get<Connect>(first).version);
  const auto second = std::get<Packet>(decoder.decode(input));
  EXPECT_EQ(std::get<Puback>(second).reason_code, ReasonCode::no_matching_subscribers);
}

}  // namespace
}  // namespace mqwarden::mqtt

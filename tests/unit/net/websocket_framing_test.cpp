// WebSocket framing: the upgrade, frames in and out, and the violations that close.
#include "net/websocket_framing.hpp"

#include <gtest/gtest.h>

#include <string>

namespace mqwarden::net {
namespace {

using Bytes = std::vector<std::uint8_t>;

const std::string kRequest =
    "GET /mqtt HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: keep-alive, Upgrade\r\n"
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
    "Sec-WebSocket-Protocol: mqttv3.1, mqtt\r\n\r\n";

Bytes bytes(std::string_view text) {
  return Bytes(text.begin(), text.end());
}

std::string text(const Bytes& data) {
  return std::string(data.begin(), data.end());
}

// A masked client frame.
Bytes client_frame(std::uint8_t first, const Bytes& payload) {
  Bytes frame{first};
  const std::uint8_t mask[4] = {0x12, 0x34, 0x56, 0x78};
  if (payload.size() < 126) {
    frame.push_back(static_cast<std::uint8_t>(0x80 | payload.size()));
  } else {
    frame.push_back(0x80 | 126);
    frame.push_back(static_cast<std::uint8_t>(payload.size() >> 8));
    frame.push_back(static_cast<std::uint8_t>(payload.size()));
  }
  frame.insert(frame.end(), mask, mask + 4);
  for (std::size_t i = 0; i < payload.size(); ++i) frame.push_back(payload[i] ^ mask[i % 4]);
  return frame;
}

struct Upgraded : ::testing::Test {
  void SetUp() override {
    const auto received = framing.receive(bytes(kRequest), payload, reply);
    ASSERT_EQ(received.close_reason, "");
    ASSERT_TRUE(framing.upgraded());
    reply.clear();
  }
  WebSocketFraming framing{"/mqtt"};
  Bytes payload;
  Bytes reply;
};

TEST(WebSocketUpgrade, AnswersWithTheAcceptKeyAndTheMqttSubProtocol) {
  WebSocketFraming framing("/mqtt");
  Bytes payload, reply;
  // In two pieces, as TCP may deliver it.
  EXPECT_EQ(framing.receive(bytes(kRequest.substr(0, 20)), payload, reply).close_reason, "");
  EXPECT_FALSE(framing.upgraded());
  EXPECT_EQ(framing.receive(bytes(kRequest.substr(20)), payload, reply).close_reason, "");
  EXPECT_EQ(text(reply),
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            "Sec-WebSocket-Protocol: mqtt\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n");
}

TEST(WebSocketUpgrade, RefusesAnotherPathAndAMissingSubProtocol) {
  {
    WebSocketFraming framing("/other");
    Bytes payload, reply;
    EXPECT_EQ(framing.receive(bytes(kRequest), payload, reply).close_reason,
              "WebSocket upgrade for /mqtt instead of /other");
    EXPECT_TRUE(text(reply).starts_with("HTTP/1.1 404 Not Found\r\n"));
  }
  WebSocketFraming framing("/mqtt");
  Bytes payload, reply;
  std::string request = kRequest;
  request.replace(request.find("mqttv3.1, mqtt"), 14, "wamp");
  EXPECT_EQ(framing.receive(bytes(request), payload, reply).close_reason,
            "WebSocket upgrade without the \"mqtt\" sub-protocol");
  EXPECT_TRUE(text(reply).starts_with("HTTP/1.1 400 Bad Request\r\n"));
}

TEST(WebSocketUpgrade, RefusesARequestThatIsNotAnUpgrade) {
  WebSocketFraming framing("/mqtt");
  Bytes payload, reply;
  EXPECT_EQ(framing.receive(bytes("GET /mqtt HTTP/1.1\r\nHost: x\r\n\r\n"), payload, reply).close_reason,
            "not a WebSocket upgrade request");
  WebSocketFraming garbage("/mqtt");
  EXPECT_EQ(garbage.receive(Bytes{0x10, 0x0c, 0x00, 0x04, 'M', 'Q', 'T', 'T'}, payload, reply).close_reason,
            "not a WebSocket upgrade request");  // MQTT straight away: refused at once
}

TEST_F(Upgraded, FramesAreUnmaskedAndJoined) {
  const Bytes first = client_frame(0x02, {1, 2, 3});  // binary, not final
  const Bytes second = client_frame(0x80, {4, 5});    // continuation, final
  Bytes stream = first;
  stream.insert(stream.end(), second.begin(), second.end());
  // Byte by byte: headers and payloads split anywhere.
  for (const std::uint8_t byte : stream) {
    ASSERT_EQ(framing.receive(Bytes{byte}, payload, reply).close_reason, "");
  }
  EXPECT_EQ(payload, (Bytes{1, 2, 3, 4, 5}));
  EXPECT_TRUE(reply.empty());
}

TEST_F(Upgraded, ALargeFrame) {
  const Bytes big(70'000, 0xAB);
  Bytes frame{0x82, 0x80 | 127, 0, 0, 0, 0, 0, 1, 0x11, 0x70, 0, 0, 0, 0};  // 70000, zero mask
  frame.insert(frame.end(), big.begin(), big.end());
  EXPECT_EQ(framing.receive(frame, payload, reply).close_reason, "");
  EXPECT_EQ(payload, big);
}

TEST_F(Upgraded, PingIsAnsweredAndCloseIsEchoed) {
  EXPECT_EQ(framing.receive(client_frame(0x89, {7, 8}), payload, reply).close_reason, "");
  EXPECT_EQ(reply, (Bytes{0x8A, 2, 7, 8}));
  reply.clear();
  EXPECT_EQ(framing.receive(client_frame(0x88, {0x03, 0xE8}), payload, reply).close_reason,
            "WebSocket closed by client");
  EXPECT_EQ(reply, (Bytes{0x88, 2, 0x03, 0xE8}));
  EXPECT_TRUE(payload.empty());
}

TEST_F(Upgraded, ViolationsClose) {
  for (const auto& [frame, reason] : std::vector<std::pair<Bytes, std::string>>{
           {client_frame(0x81, {1}), "WebSocket text frame (MQTT needs binary frames)"},
           {Bytes{0x82, 0x01, 0x00}, "unmasked WebSocket frame from the client"},
           {client_frame(0xC2, {1}), "WebSocket frame with reserved bits set"},
           {client_frame(0x80, {1}), "WebSocket continuation frame without a message"},
           {client_frame(0x09, {}), "fragmented or oversized WebSocket control frame"}}) {
    WebSocketFraming fresh("/mqtt");
    Bytes out, answer;
    ASSERT_EQ(fresh.receive(bytes(kRequest), out, answer).close_reason, "");
    answer.clear();
    EXPECT_EQ(fresh.receive(frame, out, answer).close_reason, reason);
    EXPECT_EQ(answer, (Bytes{0x88, 2, 0x03, 0xEA}));  // close, 1002 protocol error
  }
}

TEST(WebSocketFrames, ServerFramesAreBinaryAndUnmasked) {
  Bytes out;
  WebSocketFraming::append_frame(Bytes{9, 9}, out);
  EXPECT_EQ(out, (Bytes{0x82, 2, 9, 9}));
  out.clear();
  WebSocketFraming::append_frame(Bytes(300, 1), out);
  EXPECT_EQ(Bytes(out.begin(), out.begin() + 4), (Bytes{0x82, 126, 1, 44}));
  EXPECT_EQ(out.size(), 304u);
}

}  // namespace
}  // namespace mqwarden::net

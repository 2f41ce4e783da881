// Negative tests of the decoder: one per normative check the specifications put
// on the wire format, fed as hand-built bytes, each asserting the MQTT 5.0
// reason code and the statement (per protocol version) the decoder reports.
// Suites are named after the statement checked (MQTT_3_3_1_4 for
// [MQTT-3.3.1-4]), or after the section where the specification states the
// rule without a number (MQTT_2_2_2_2 for section 2.2.2.2). Every rejected
// packet has an accepted twin differing only in the broken field, so a test
// cannot pass because the builder wrote garbage.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "mqtt/decoder.hpp"
#include "support/packet_bytes.hpp"

namespace mqwarden::mqtt {
namespace {

using testing::Bytes;
using testing::packet;
using Wire = std::vector<std::uint8_t>;

constexpr ProtocolVersion v311 = ProtocolVersion::v311;
constexpr ProtocolVersion v5 = ProtocolVersion::v5;

// First bytes of fixed headers with their required flags.
constexpr std::uint8_t kConnect = 0x10;
constexpr std::uint8_t kConnack = 0x20;
constexpr std::uint8_t kPublish = 0x30;
constexpr std::uint8_t kPuback = 0x40;
constexpr std::uint8_t kPubrec = 0x50;
constexpr std::uint8_t kPubrel = 0x62;
constexpr std::uint8_t kPubcomp = 0x70;
constexpr std::uint8_t kSubscribe = 0x82;
constexpr std::uint8_t kSuback = 0x90;
constexpr std::uint8_t kUnsubscribe = 0xA2;
constexpr std::uint8_t kUnsuback = 0xB0;
constexpr std::uint8_t kPingreq = 0xC0;
constexpr std::uint8_t kPingresp = 0xD0;
constexpr std::uint8_t kDisconnect = 0xE0;
constexpr std::uint8_t kAuth = 0xF0;

// PUBLISH flags.
constexpr std::uint8_t kDup = 0x08;
constexpr std::uint8_t kQoS1 = 0x02;
constexpr std::uint8_t kQoS2 = 0x04;
constexpr std::uint8_t kQoS3 = 0x06;

// CONNECT flags.
constexpr std::uint8_t kUserName = 0x80;
constexpr std::uint8_t kPassword = 0x40;
constexpr std::uint8_t kWillRetain = 0x20;
constexpr std::uint8_t kWillQoS1 = 0x08;
constexpr std::uint8_t kWillQoS3 = 0x18;
constexpr std::uint8_t kWill = 0x04;
constexpr std::uint8_t kCleanStart = 0x02;
constexpr std::uint8_t kConnectReserved = 0x01;

std::string_view name(ProtocolVersion version) {
  return version == v5 ? "v5" : "v311";
}

// `text` with every character that may not appear in a test name replaced by '_'.
std::string identifier(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return out;
}

// ---- Decoding and assertions -------------------------------------------------

// Decodes `bytes` with a fresh decoder, given whole or one byte at a time. A
// packet must use all of `bytes`.
DecodeResult decode(const Wire& bytes, ProtocolVersion version, bool byte_at_a_time) {
  Decoder decoder({.max_packet_size = 1u << 20, .version = version});
  std::span<const std::uint8_t> input(bytes);
  const std::size_t step = byte_at_a_time ? 1 : bytes.size();
  DecodeResult result = NeedMoreInput{};
  while (!input.empty() && std::holds_alternative<NeedMoreInput>(result)) {
    std::span<const std::uint8_t> piece = input.first(std::min(step, input.size()));
    const std::size_t before = piece.size();
    result = decoder.decode(piece);
    input = input.subspan(before - piece.size());
  }
  if (std::holds_alternative<Packet>(result) && !input.empty()) {
    return DecodeError{ReasonCode::unspecified_error, "test", "bytes left after the packet"};
  }
  return result;
}

std::string describe(const DecodeResult& result) {
  if (std::holds_alternative<NeedMoreInput>(result)) return "needs more input";
  if (std::holds_alternative<Packet>(result)) return "a packet";
  return std::get<DecodeError>(result).to_string();
}

::testing::AssertionResult Rejected(const Wire& bytes, ProtocolVersion version, ReasonCode reason,
                                    std::string_view rule) {
  for (bool byte_at_a_time : {false, true}) {
    const DecodeResult result = decode(bytes, version, byte_at_a_time);
    const auto* error = std::get_if<DecodeError>(&result);
    if (error == nullptr || error->reason != reason || error->rule != rule) {
      return ::testing::AssertionFailure()
             << testing::hex(bytes) << " (" << name(version) << (byte_at_a_time ? ", byte at a time" : "") << ") gave "
             << describe(result) << "; expected " << to_string(reason) << " (" << rule << ")";
    }
  }
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult Accepted(const Wire& bytes, ProtocolVersion version) {
  for (bool byte_at_a_time : {false, true}) {
    const DecodeResult result = decode(bytes, version, byte_at_a_time);
    if (!std::holds_alternative<Packet>(result)) {
      return ::testing::AssertionFailure()
             << testing::hex(bytes) << " (" << name(version) << (byte_at_a_time ? ", byte at a time" : "") << ") gave "
             << describe(result) << "; expected a packet";
    }
  }
  return ::testing::AssertionSuccess();
}

// The decoded packet of `bytes`, which must decode.
template <class T>
T decoded(const Wire& bytes, ProtocolVersion version) {
  const DecodeResult result = decode(bytes, version, false);
  if (const auto* packet = std::get_if<Packet>(&result)) {
    if (const auto* typed = std::get_if<T>(packet)) return *typed;
  }
  ADD_FAILURE() << testing::hex(bytes) << " gave " << describe(result);
  return T{};
}

// The rule of the version being tested.
std::string_view per_version(ProtocolVersion version, std::string_view v311_rule, std::string_view v5_rule) {
  return version == v5 ? v5_rule : v311_rule;
}

// Names parameterised tests after the `name` member of their parameter.
struct ByName {
  template <class Param>
  std::string operator()(const ::testing::TestParamInfo<Param>& param) const {
    return identifier(param.param.name);
  }
};

// ---- Packet builders: valid packets, with the field under test as a parameter --

std::uint8_t level(ProtocolVersion version) {
  return static_cast<std::uint8_t>(version);
}

// CONNECT: protocol name and level, flags, keep alive, properties (v5), then `payload`.
Wire connect(ProtocolVersion version, std::uint8_t flags, const Bytes& payload, const Bytes& properties = {}) {
  Bytes body;
  body.string("MQTT").byte(level(version)).byte(flags).u16(60);
  if (version == v5) body.properties(properties);
  return packet(kConnect, body.append(payload));
}

// A CONNECT payload of client id "c" and the will: its properties (v5), topic and payload.
Bytes will_payload(ProtocolVersion version, std::string_view topic, const Bytes& will_properties = {}) {
  Bytes payload;
  payload.string("c");
  if (version == v5) payload.properties(will_properties);
  return payload.string(topic).string("bye");
}

Bytes client_id(std::string_view id = "c") {
  return Bytes().string(id);
}

// PUBLISH body: topic, packet identifier when QoS > 0, properties (v5), payload "x".
Bytes publish_body(ProtocolVersion version, std::string_view topic, std::optional<std::uint16_t> packet_id = {},
                   const Bytes& properties = {}) {
  Bytes body;
  body.string(topic);
  if (packet_id) body.u16(*packet_id);
  if (version == v5) body.properties(properties);
  return body.raw("x");
}

Wire publish(ProtocolVersion version, std::string_view topic, const Bytes& properties = {}) {
  return packet(kPublish, publish_body(version, topic, {}, properties));
}

// SUBSCRIBE of one filter with its options byte.
Wire subscribe(ProtocolVersion version, std::string_view filter, std::uint8_t options, const Bytes& properties = {}) {
  Bytes body;
  body.u16(1);
  if (version == v5) body.properties(properties);
  return packet(kSubscribe, body.string(filter).byte(options));
}

// An acknowledgement or DISCONNECT/AUTH with a reason code and an empty property list.
Wire with_reason(std::uint8_t first_byte, std::optional<std::uint16_t> packet_id, std::uint8_t reason) {
  Bytes body;
  if (packet_id) body.u16(*packet_id);
  return packet(first_byte, body.byte(reason).properties({}));
}

// One property: its identifier, then `value`.
Bytes property(PropertyId id, const Bytes& value) {
  return Bytes().byte(static_cast<std::uint8_t>(id)).append(value);
}

// ---- Fixed header: packet type, flags, remaining length -----------------------

TEST(MQTT_2_2_1, V311PacketType0IsReserved) {
  EXPECT_TRUE(Rejected({0x00, 0x00}, v311, ReasonCode::malformed_packet, "MQTT-2.2.1"));
}

TEST(MQTT_2_2_1, V311PacketType15IsReserved) {
  EXPECT_TRUE(Rejected({0xF0, 0x00}, v311, ReasonCode::malformed_packet, "MQTT-2.2.1"));
  EXPECT_TRUE(Accepted({0xF0, 0x00}, v5));  // AUTH
}

TEST(MQTT_2_1_2, V5PacketType0IsReserved) {
  EXPECT_TRUE(Rejected({0x00, 0x00}, v5, ReasonCode::malformed_packet, "MQTT-2.1.2"));
}

// The valid body of each packet type but PUBLISH, for the flags test.
struct FlagsCase {
  std::string name;
  ProtocolVersion version;
  std::uint8_t first_byte;  // type and the required flags
  Bytes body;
  std::string_view rule;
};

std::vector<FlagsCase> flags_cases() {
  std::vector<FlagsCase> cases;
  for (ProtocolVersion version : {v311, v5}) {
    const bool is_v5 = version == v5;
    const std::string_view zero_rule = per_version(version, "MQTT-2.2.2-1", "MQTT-2.1.3-1");
    auto add = [&](std::string type, std::uint8_t first_byte, Bytes body, std::string_view rule) {
      cases.push_back({type + "_" + std::string(name(version)), version, first_byte, std::move(body), rule});
    };
    Bytes connect_body;
    connect_body.string("MQTT").byte(level(version)).byte(kCleanStart).u16(60);
    if (is_v5) connect_body.properties({});
    add("Connect", kConnect, connect_body.string("c"), zero_rule);
    add("Connack", kConnack, is_v5 ? Bytes{0x00, 0x00, 0x00} : Bytes{0x00, 0x00}, zero_rule);
    add("Puback", kPuback, Bytes{0x00, 0x01}, zero_rule);
    add("Pubrec", kPubrec, Bytes{0x00, 0x01}, zero_rule);
    add("Pubrel", kPubrel, Bytes{0x00, 0x01}, "MQTT-3.6.1-1");
    add("Pubcomp", kPubcomp, Bytes{0x00, 0x01}, zero_rule);
    Bytes subscribe_body{0x00, 0x01};
    if (is_v5) subscribe_body.properties({});
    add("Subscribe", kSubscribe, Bytes(subscribe_body).string("t").byte(0x00), "MQTT-3.8.1-1");
    add("Suback", kSuback, is_v5 ? Bytes{0x00, 0x01, 0x00, 0x00} : Bytes{0x00, 0x01, 0x00}, zero_rule);
    add("Unsubscribe", kUnsubscribe, Bytes(subscribe_body).string("t"), "MQTT-3.10.1-1");
    add("Unsuback", kUnsuback, is_v5 ? Bytes{0x00, 0x01, 0x00, 0x00} : Bytes{0x00, 0x01}, zero_rule);
    add("Pingreq", kPingreq, {}, zero_rule);
    add("Pingresp", kPingresp, {}, zero_rule);
    add("Disconnect", kDisconnect, {}, "MQTT-3.14.1-1");
    if (is_v5) add("Auth", kAuth, {}, "MQTT-3.15.1-1");
  }
  return cases;
}

class FixedHeaderFlags : public ::testing::TestWithParam<FlagsCase> {};

// [MQTT-2.2.2-1] / [MQTT-2.1.3-1] and the per-packet statements: reserved flags must have their fixed value.
TEST_P(FixedHeaderFlags, OnlyTheRequiredValueIsAccepted) {
  const FlagsCase& c = GetParam();
  for (std::uint8_t flags = 0; flags < 16; ++flags) {
    const std::uint8_t first_byte = static_cast<std::uint8_t>((c.first_byte & 0xF0) | flags);
    const Wire bytes = packet(first_byte, c.body);
    if (first_byte == c.first_byte) {
      EXPECT_TRUE(Accepted(bytes, c.version));
    } else {
      EXPECT_TRUE(Rejected(bytes, c.version, ReasonCode::malformed_packet, c.rule));
    }
  }
}

INSTANTIATE_TEST_SUITE_P(MQTT_2_2_2_1_and_2_1_3_1, FixedHeaderFlags, ::testing::ValuesIn(flags_cases()), ByName{});

TEST(MQTT_1_5_5, V5RemainingLengthOfFiveBytesIsMalformed) {
  EXPECT_TRUE(Rejected({kPublish, 0xFF, 0xFF, 0xFF, 0xFF, 0x01}, v5, ReasonCode::malformed_packet, "MQTT-1.5.5"));
}

TEST(MQTT_2_2_3, V311RemainingLengthOfFiveBytesIsMalformed) {
  EXPECT_TRUE(Rejected({kPublish, 0xFF, 0xFF, 0xFF, 0xFF, 0x01}, v311, ReasonCode::malformed_packet, "MQTT-2.2.3"));
}

TEST(MQTT_1_5_5, FourByteRemainingLengthIsAccepted) {
  // 268,435,455: the largest length; the decoder waits for the body.
  Decoder decoder({.max_packet_size = UINT32_MAX, .version = v5});
  const Wire header{kPublish, 0xFF, 0xFF, 0xFF, 0x7F};
  std::span<const std::uint8_t> input(header);
  EXPECT_TRUE(std::holds_alternative<NeedMoreInput>(decoder.decode(input)));
  EXPECT_FALSE(decoder.failed());
}

TEST(MQTT_1_5_5_1, V5RemainingLengthNotMinimallyEncodedIsMalformed) {
  EXPECT_TRUE(Rejected({kPingreq, 0x80, 0x00}, v5, ReasonCode::malformed_packet, "MQTT-1.5.5-1"));
  // 2 written in three bytes, followed by a valid PUBACK body.
  EXPECT_TRUE(Rejected({kPuback, 0x82, 0x80, 0x00, 0x00, 0x01}, v5, ReasonCode::malformed_packet, "MQTT-1.5.5-1"));
  EXPECT_TRUE(Accepted({kPuback, 0x02, 0x00, 0x01}, v5));
}

TEST(MQTT_2_2_3, V311RemainingLengthNotMinimallyEncodedIsMalformed) {
  EXPECT_TRUE(Rejected({kPingreq, 0x80, 0x00}, v311, ReasonCode::malformed_packet, "MQTT-2.2.3"));
}

TEST(MQTT_1_5_5_1, V5PropertyLengthNotMinimallyEncodedIsMalformed) {
  EXPECT_TRUE(Rejected({kDisconnect, 0x03, 0x00, 0x80, 0x00}, v5, ReasonCode::malformed_packet, "MQTT-1.5.5-1"));
  EXPECT_TRUE(Accepted({kDisconnect, 0x02, 0x00, 0x00}, v5));
}

TEST(MQTT_1_5_5_1, V5SubscriptionIdentifierNotMinimallyEncodedIsMalformed) {
  const Bytes non_minimal = Bytes().byte(0x0B).byte(0x81).byte(0x00);  // 1 in two bytes
  EXPECT_TRUE(Rejected(subscribe(v5, "t", 0x00, non_minimal), v5, ReasonCode::malformed_packet, "MQTT-1.5.5-1"));
  EXPECT_TRUE(Accepted(subscribe(v5, "t", 0x00, Bytes{0x0B, 0x01}), v5));
}

// ---- Lengths of fixed-size packets, and fields cut short -----------------------

TEST(MQTT_2_2_3, V311PingreqPingrespDisconnectMustBeEmpty) {
  for (std::uint8_t first_byte : {kPingreq, kPingresp, kDisconnect}) {
    EXPECT_TRUE(Rejected({first_byte, 0x01, 0x00}, v311, ReasonCode::malformed_packet, "MQTT-2.2.3"));
    EXPECT_TRUE(Accepted({first_byte, 0x00}, v311));
  }
}

TEST(MQTT_2_1_4, V5PingreqPingrespMustBeEmpty) {
  for (std::uint8_t first_byte : {kPingreq, kPingresp}) {
    EXPECT_TRUE(Rejected({first_byte, 0x01, 0x00}, v5, ReasonCode::malformed_packet, "MQTT-2.1.4"));
  }
}

TEST(MQTT_2_2_3, V311AcknowledgementWithBytesAfterThePacketIdentifierIsMalformed) {
  for (std::uint8_t first_byte : {kPuback, kPubrec, kPubrel, kPubcomp, kUnsuback}) {
    EXPECT_TRUE(Rejected({first_byte, 0x03, 0x00, 0x01, 0x00}, v311, ReasonCode::malformed_packet, "MQTT-2.2.3"));
  }
  EXPECT_TRUE(Rejected({kConnack, 0x03, 0x00, 0x00, 0x00}, v311, ReasonCode::malformed_packet, "MQTT-2.2.3"));
}

TEST(MQTT_2_2_3, V311StringLongerThanThePacketIsMalformed) {
  const Wire bytes = packet(kPublish, Bytes().u16(10).raw("abc"));
  EXPECT_TRUE(Rejected(bytes, v311, ReasonCode::malformed_packet, "MQTT-2.2.3"));
}

TEST(MQTT_2_1_4, V5StringLongerThanThePacketIsMalformed) {
  const Wire bytes = packet(kPublish, Bytes().u16(10).raw("abc"));
  EXPECT_TRUE(Rejected(bytes, v5, ReasonCode::malformed_packet, "MQTT-2.1.4"));
}

TEST(MQTT_2_1_4, V5TruncatedFieldsAreMalformed) {
  // Packet identifier cut after one byte.
  EXPECT_TRUE(Rejected(packet(kPublish | kQoS1, Bytes().string("t").byte(0x00)), v5, ReasonCode::malformed_packet,
                       "MQTT-2.1.4"));
  // CONNECT whose User Name Flag announces a user name that is not there.
  EXPECT_TRUE(
      Rejected(connect(v5, kCleanStart | kUserName, client_id()), v5, ReasonCode::malformed_packet, "MQTT-2.1.4"));
  // A four byte property value cut short by the end of the packet.
  const Bytes expiry = Bytes().byte(0x02).u16(1);
  EXPECT_TRUE(Rejected(packet(kPublish, Bytes().string("t").properties(expiry)), v5, ReasonCode::malformed_packet,
                       "MQTT-2.1.4"));
}

// ---- UTF-8 strings in every field that holds one ------------------------------

struct BadString {
  std::string name;
  std::string bytes;
};

// Ill-formed UTF-8 or encoded surrogates: [MQTT-1.5.3-1] / [MQTT-1.5.4-1].
const std::vector<BadString> kIllFormed = {
    {"Overlong2Bytes", "\xC0\xAF"},          // '/'
    {"Overlong3Bytes", "\xE0\x80\xAF"},      // '/'
    {"Overlong4Bytes", "\xF0\x80\x80\xAF"},  // '/'
    {"OverlongNull", "\xC0\x80"},
    {"TruncatedSequence", "\xE2\x82"},
    {"LoneContinuationByte", "\x80"},
    {"InvalidLeadByteFF", "\xFF"},
    {"InvalidLeadByteF8", "\xF8\x88\x80\x80\x80"},
    {"AboveU10FFFF", "\xF4\x90\x80\x80"},
    {"SurrogateD800", "\xED\xA0\x80"},
    {"SurrogateDFFF", "\xED\xBF\xBF"},
};

// U+0000: [MQTT-1.5.3-2] / [MQTT-1.5.4-2].
const std::vector<BadString> kNullCharacter = {
    {"NullCharacter", std::string("\0", 1)},
};

// A field holding a UTF-8 string, and a packet with `text` in it.
struct StringField {
  std::string name;
  ProtocolVersion version;
  std::function<Wire(std::string_view text)> build;
};

std::vector<StringField> string_fields() {
  std::vector<StringField> fields;
  for (ProtocolVersion version : {v311, v5}) {
    const std::string suffix = "_" + std::string(name(version));
    fields.push_back({"PublishTopic" + suffix, version,
                      [version](std::string_view text) { return publish(version, "a/" + std::string(text) + "/b"); }});
    fields.push_back({"ClientId" + suffix, version,
                      [version](std::string_view text) { return connect(version, kCleanStart, client_id(text)); }});
    fields.push_back({"WillTopic" + suffix, version, [version](std::string_view text) {
                        return connect(version, kCleanStart | kWill, will_payload(version, text));
                      }});
    fields.push_back({"UserName" + suffix, version, [version](std::string_view text) {
                        return connect(version, kCleanStart | kUserName, client_id().string(text));
                      }});
    fields.push_back({"SubscribeFilter" + suffix, version,
                      [version](std::string_view text) { return subscribe(version, text, 0x00); }});
    fields.push_back({"UnsubscribeFilter" + suffix, version, [version](std::string_view text) {
                        Bytes body{0x00, 0x01};
                        if (version == v5) body.properties({});
                        return packet(kUnsubscribe, body.string(text));
                      }});
  }
  auto publish_with = [](const std::function<Bytes(std::string_view)>& properties) {
    return [properties](std::string_view text) { return publish(v5, "t", properties(text)); };
  };
  fields.push_back({"ContentType_v5", v5, publish_with([](std::string_view text) {
                      return property(PropertyId::content_type, Bytes().string(text));
                    })});
  fields.push_back({"UserPropertyName_v5", v5, publish_with([](std::string_view text) {
                      return property(PropertyId::user_property, Bytes().string(text).string("v"));
                    })});
  fields.push_back({"UserPropertyValue_v5", v5, publish_with([](std::string_view text) {
                      return property(PropertyId::user_property, Bytes().string("k").string(text));
                    })});
  fields.push_back({"ReasonString_v5", v5, [](std::string_view text) {
                      const Bytes reason = property(PropertyId::reason_string, Bytes().string(text));
                      return packet(kPuback, Bytes().u16(1).byte(0x00).properties(reason));
                    }});
  fields.push_back({"AuthenticationMethod_v5", v5, [](std::string_view text) {
                      return connect(v5, kCleanStart, client_id(),
                                     property(PropertyId::authentication_method, Bytes().string(text)));
                    }});
  fields.push_back({"WillContentType_v5", v5, [](std::string_view text) {
                      const Bytes will_properties = property(PropertyId::content_type, Bytes().string(text));
                      return connect(v5, kCleanStart | kWill, will_payload(v5, "w", will_properties));
                    }});
  return fields;
}

using BadStringInField = std::tuple<StringField, BadString>;
class IllFormedString : public ::testing::TestWithParam<BadStringInField> {};
class NullCharacterString : public ::testing::TestWithParam<BadStringInField> {};

std::string utf8_case_name(const ::testing::TestParamInfo<BadStringInField>& info) {
  return std::get<0>(info.param).name + "_" + std::get<1>(info.param).name;
}

TEST_P(IllFormedString, IsMalformed) {
  const auto& [field, bad] = GetParam();
  EXPECT_TRUE(Accepted(field.build("ok"), field.version));
  EXPECT_TRUE(Rejected(field.build("o" + bad.bytes + "k"), field.version, ReasonCode::malformed_packet,
                       per_version(field.version, "MQTT-1.5.3-1", "MQTT-1.5.4-1")));
}

TEST_P(NullCharacterString, IsMalformed) {
  const auto& [field, bad] = GetParam();
  EXPECT_TRUE(Accepted(field.build("ok"), field.version));
  EXPECT_TRUE(Rejected(field.build("o" + bad.bytes + "k"), field.version, ReasonCode::malformed_packet,
                       per_version(field.version, "MQTT-1.5.3-2", "MQTT-1.5.4-2")));
}

INSTANTIATE_TEST_SUITE_P(MQTT_1_5_3_1_and_1_5_4_1, IllFormedString,
                         ::testing::Combine(::testing::ValuesIn(string_fields()), ::testing::ValuesIn(kIllFormed)),
                         utf8_case_name);
INSTANTIATE_TEST_SUITE_P(MQTT_1_5_3_2_and_1_5_4_2, NullCharacterString,
                         ::testing::Combine(::testing::ValuesIn(string_fields()), ::testing::ValuesIn(kNullCharacter)),
                         utf8_case_name);

TEST(MQTT_1_5_3_3, V311ByteOrderMarkIsAcceptedAndKept) {
  const std::string topic =
      "a/\xEF\xBB\xBF"
      "b";
  EXPECT_EQ(decoded<Publish>(publish(v311, topic), v311).topic, topic);
}

TEST(MQTT_1_5_4_3, V5ByteOrderMarkIsAcceptedAndKept) {
  const std::string bom = "\xEF\xBB\xBF";
  EXPECT_EQ(decoded<Publish>(publish(v5, bom + "t"), v5).topic, bom + "t");
  EXPECT_EQ(decoded<Connect>(connect(v5, kCleanStart, client_id(bom)), v5).client_id, bom);
  const Bytes user_property = property(PropertyId::user_property, Bytes().string(bom).string(bom));
  const Publish with_user_property = decoded<Publish>(publish(v5, "t", user_property), v5);
  const Property* decoded_property = with_user_property.properties.find(PropertyId::user_property);
  ASSERT_NE(decoded_property, nullptr);
  EXPECT_EQ(decoded_property->text, bom);
  EXPECT_EQ(decoded_property->value, bom);
}

// ---- Packet identifiers -----------------------------------------------------

struct PacketIdCase {
  std::string name;
  ProtocolVersion version;
  std::function<Wire(std::uint16_t)> build;
};

std::vector<PacketIdCase> packet_id_cases(ProtocolVersion version) {
  const bool is_v5 = version == v5;
  std::vector<PacketIdCase> cases;
  auto add = [&](std::string packet_name, std::function<Wire(std::uint16_t)> build) {
    cases.push_back({std::move(packet_name), version, std::move(build)});
  };
  add("PublishQoS1", [=](std::uint16_t id) { return packet(kPublish | kQoS1, publish_body(version, "t", id)); });
  add("PublishQoS2", [=](std::uint16_t id) { return packet(kPublish | kQoS2, publish_body(version, "t", id)); });
  for (auto [packet_name, first_byte] : {std::pair{"Puback", kPuback}, std::pair{"Pubrec", kPubrec},
                                         std::pair{"Pubrel", kPubrel}, std::pair{"Pubcomp", kPubcomp}}) {
    const std::uint8_t type_byte = first_byte;
    add(packet_name, [=](std::uint16_t id) { return packet(type_byte, Bytes().u16(id)); });
  }
  add("Subscribe", [=](std::uint16_t id) {
    Bytes body = Bytes().u16(id);
    if (is_v5) body.properties({});
    return packet(kSubscribe, body.string("t").byte(0x00));
  });
  add("Suback", [=](std::uint16_t id) {
    Bytes body = Bytes().u16(id);
    if (is_v5) body.properties({});
    return packet(kSuback, body.byte(0x00));
  });
  add("Unsubscribe", [=](std::uint16_t id) {
    Bytes body = Bytes().u16(id);
    if (is_v5) body.properties({});
    return packet(kUnsubscribe, body.string("t"));
  });
  add("Unsuback", [=](std::uint16_t id) {
    Bytes body = Bytes().u16(id);
    if (is_v5) body.properties({}).byte(0x00);
    return packet(kUnsuback, body);
  });
  return cases;
}

class PacketIdentifier : public ::testing::TestWithParam<PacketIdCase> {};

TEST_P(PacketIdentifier, ZeroIsRejected) {
  const PacketIdCase& c = GetParam();
  EXPECT_TRUE(Accepted(c.build(1), c.version));
  EXPECT_TRUE(Accepted(c.build(0xFFFF), c.version));
  EXPECT_TRUE(Rejected(c.build(0), c.version, ReasonCode::protocol_error,
                       per_version(c.version, "MQTT-2.3.1-1", "MQTT-2.2.1-3")));
}

INSTANTIATE_TEST_SUITE_P(MQTT_2_3_1_1, PacketIdentifier, ::testing::ValuesIn(packet_id_cases(v311)), ByName{});
INSTANTIATE_TEST_SUITE_P(MQTT_2_2_1_3, PacketIdentifier, ::testing::ValuesIn(packet_id_cases(v5)), ByName{});

// ---- MQTT 5.0 properties ----------------------------------------------------

constexpr PropertyContext kAllContexts[] = {
    PropertyContext::connect,    PropertyContext::will,   PropertyContext::connack,     PropertyContext::publish,
    PropertyContext::puback,     PropertyContext::pubrec, PropertyContext::pubrel,      PropertyContext::pubcomp,
    PropertyContext::subscribe,  PropertyContext::suback, PropertyContext::unsubscribe, PropertyContext::unsuback,
    PropertyContext::disconnect, PropertyContext::auth,
};

// A valid v5 packet carrying `properties` where `context` puts them.
Wire packet_with_properties(PropertyContext context, const Bytes& properties) {
  const Bytes id{0x00, 0x01};
  switch (context) {
    case PropertyContext::connect: return connect(v5, kCleanStart, client_id(), properties);
    case PropertyContext::will: return connect(v5, kCleanStart | kWill, will_payload(v5, "w", properties));
    case PropertyContext::connack: return packet(kConnack, Bytes{0x00, 0x00}.properties(properties));
    case PropertyContext::publish: return publish(v5, "t", properties);
    case PropertyContext::puback: return packet(kPuback, Bytes(id).byte(0x00).properties(properties));
    case PropertyContext::pubrec: return packet(kPubrec, Bytes(id).byte(0x00).properties(properties));
    case PropertyContext::pubrel: return packet(kPubrel, Bytes(id).byte(0x00).properties(properties));
    case PropertyContext::pubcomp: return packet(kPubcomp, Bytes(id).byte(0x00).properties(properties));
    case PropertyContext::subscribe: return subscribe(v5, "t", 0x00, properties);
    case PropertyContext::suback: return packet(kSuback, Bytes(id).properties(properties).byte(0x00));
    case PropertyContext::unsubscribe: return packet(kUnsubscribe, Bytes(id).properties(properties).string("t"));
    case PropertyContext::unsuback: return packet(kUnsuback, Bytes(id).properties(properties).byte(0x00));
    case PropertyContext::disconnect: return packet(kDisconnect, Bytes{0x00}.properties(properties));
    case PropertyContext::auth: return packet(kAuth, Bytes{0x00}.properties(properties));
  }
  return {};
}

// A property with a value valid for its type in every packet it may appear in.
Bytes valid_property(std::uint8_t id) {
  Bytes value;
  switch (find_property_info(id)->type) {
    case PropertyType::byte: value.byte(1); break;
    case PropertyType::two_byte_integer: value.u16(10); break;
    case PropertyType::four_byte_integer: value.u32(100); break;
    case PropertyType::variable_byte_integer: value.varint(5); break;
    case PropertyType::utf8_string: value.string("a/b"); break;
    case PropertyType::binary_data: value.string(std::string("\x00\xFF", 2)); break;
    case PropertyType::utf8_string_pair: value.string("k").string("v"); break;
  }
  return property(static_cast<PropertyId>(id), value);
}

std::vector<std::uint8_t> known_property_ids() {
  std::vector<std::uint8_t> ids;
  for (unsigned id = 0; id <= 0xFF; ++id) {
    if (find_property_info(static_cast<std::uint8_t>(id)) != nullptr) ids.push_back(static_cast<std::uint8_t>(id));
  }
  return ids;
}

class EveryProperty : public ::testing::TestWithParam<std::uint8_t> {
 protected:
  PropertyId id() const { return static_cast<PropertyId>(GetParam()); }
  const PropertyInfo& info() const { return *find_property_info(GetParam()); }
};

std::string property_case_name(const ::testing::TestParamInfo<std::uint8_t>& info) {
  return identifier(find_property_info(info.param)->name);
}

// Section 2.2.2.2: an identifier not valid for the packet type is a Malformed Packet.
TEST_P(EveryProperty, IsAcceptedWhereAllowedAndMalformedElsewhere) {
  int allowed = 0;
  for (PropertyContext context : kAllContexts) {
    SCOPED_TRACE(static_cast<int>(context));
    const Wire bytes = packet_with_properties(context, valid_property(GetParam()));
    if (property_allowed(id(), context)) {
      ++allowed;
      EXPECT_TRUE(Accepted(bytes, v5));
    } else {
      EXPECT_TRUE(Rejected(bytes, v5, ReasonCode::malformed_packet, "MQTT-2.2.2.2"));
    }
  }
  EXPECT_GT(allowed, 0) << info().name << " is allowed nowhere";
}

// "It is a Protocol Error to include <property> more than once", for every
// property but User Property (always repeatable) and Subscription Identifier
// (repeatable in PUBLISH only).
TEST_P(EveryProperty, TwiceIsAProtocolErrorUnlessRepeatable) {
  EXPECT_EQ(info().repeatable, id() == PropertyId::user_property || id() == PropertyId::subscription_identifier);
  const Bytes twice = Bytes(valid_property(GetParam())).append(valid_property(GetParam()));
  for (PropertyContext context : kAllContexts) {
    if (!property_allowed(id(), context)) continue;
    SCOPED_TRACE(static_cast<int>(context));
    const bool repeatable = id() == PropertyId::user_property ||
                            (id() == PropertyId::subscription_identifier && context == PropertyContext::publish);
    if (repeatable) {
      EXPECT_TRUE(Accepted(packet_with_properties(context, twice), v5));
    } else {
      EXPECT_TRUE(Rejected(packet_with_properties(context, twice), v5, ReasonCode::protocol_error, "MQTT-2.2.2.2"));
    }
  }
}

INSTANTIATE_TEST_SUITE_P(MQTT_2_2_2_2, EveryProperty, ::testing::ValuesIn(known_property_ids()), property_case_name);

TEST(MQTT_1_5_7_1, UserPropertyMayRepeatWithTheSameName) {
  const Bytes properties = Bytes()
                               .append(property(PropertyId::user_property, Bytes().string("k").string("1")))
                               .append(property(PropertyId::user_property, Bytes().string("k").string("2")));
  const Publish decoded_publish = decoded<Publish>(publish(v5, "t", properties), v5);
  EXPECT_EQ(decoded_publish.properties.size(), 2u);
}

TEST(MQTT_3_3_2_3_8, SubscriptionIdentifierMayRepeatInPublish) {
  const Bytes properties = Bytes{0x0B, 0x01, 0x0B, 0x02};
  const Publish decoded_publish = decoded<Publish>(publish(v5, "t", properties), v5);
  EXPECT_EQ(decoded_publish.properties.size(), 2u);
}

TEST(MQTT_3_8_2_1_2, SubscriptionIdentifierTwiceInSubscribeIsAProtocolError) {
  EXPECT_TRUE(Rejected(subscribe(v5, "t", 0x00, Bytes{0x0B, 0x01, 0x0B, 0x02}), v5, ReasonCode::protocol_error,
                       "MQTT-2.2.2.2"));
}

TEST(MQTT_3_8_2_1_2, SubscriptionIdentifierOfZeroIsAProtocolError) {
  EXPECT_TRUE(Rejected(subscribe(v5, "t", 0x00, Bytes{0x0B, 0x00}), v5, ReasonCode::protocol_error, "MQTT-3.8.2.1.2"));
  EXPECT_TRUE(Rejected(publish(v5, "t", Bytes{0x0B, 0x00}), v5, ReasonCode::protocol_error, "MQTT-3.8.2.1.2"));
  EXPECT_TRUE(Accepted(subscribe(v5, "t", 0x00, Bytes().byte(0x0B).varint(kMaxVariableByteInteger)), v5));
}

TEST(MQTT_2_2_2_2, UnknownPropertyIdentifierIsMalformed) {
  for (std::uint8_t unknown : {0x00, 0x04, 0x0A, 0x14, 0x1B, 0x2B, 0x7F}) {
    EXPECT_TRUE(Rejected(publish(v5, "t", Bytes{unknown, 0x00}), v5, ReasonCode::malformed_packet, "MQTT-2.2.2.2"))
        << int{unknown};
  }
  // Identifier 128 as a two-byte variable byte integer.
  EXPECT_TRUE(Rejected(publish(v5, "t", Bytes{0x80, 0x01, 0x00}), v5, ReasonCode::malformed_packet, "MQTT-2.2.2.2"));
}

TEST(MQTT_2_2_2_1, PropertyLengthBeyondThePacketIsMalformed) {
  // PUBACK: id, reason, property length 5, then only two bytes.
  EXPECT_TRUE(
      Rejected({kPuback, 0x06, 0x00, 0x01, 0x00, 0x05, 0x01, 0x01}, v5, ReasonCode::malformed_packet, "MQTT-2.2.2.1"));
  EXPECT_TRUE(Rejected(packet(kPublish, Bytes().string("t").varint(100).raw("xyz")), v5, ReasonCode::malformed_packet,
                       "MQTT-2.2.2.1"));
}

TEST(MQTT_2_2_2_1, PropertyValueBeyondThePropertyLengthIsMalformed) {
  // Content Type of two bytes, but the property length ends after its length field;
  // the string would be read from the payload.
  const Wire bytes = packet(kPublish, Bytes().string("t").varint(3).byte(0x03).u16(2).raw("ab"));
  EXPECT_TRUE(Rejected(bytes, v5, ReasonCode::malformed_packet, "MQTT-2.2.2.1"));
}

// Request Problem Information, Maximum QoS, Retain Available, ...: a byte that is 0 or 1.
TEST(MQTT_2_2_2_2, BooleanBytePropertyOfTwoIsAProtocolError) {
  int checked = 0;
  for (std::uint8_t id : known_property_ids()) {
    if (find_property_info(id)->type != PropertyType::byte) continue;
    SCOPED_TRACE(find_property_info(id)->name);
    ++checked;
    const auto context = *std::find_if(std::begin(kAllContexts), std::end(kAllContexts), [&](PropertyContext c) {
      return property_allowed(static_cast<PropertyId>(id), c);
    });
    for (std::uint8_t value : {0, 1}) {
      EXPECT_TRUE(Accepted(packet_with_properties(context, Bytes{id, value}), v5));
    }
    for (std::uint8_t value : {2, 0xFF}) {
      EXPECT_TRUE(
          Rejected(packet_with_properties(context, Bytes{id, value}), v5, ReasonCode::protocol_error, "MQTT-2.2.2.2"));
    }
  }
  EXPECT_EQ(checked, 8);
}

TEST(MQTT_3_1_2_11_3, ReceiveMaximumOfZeroIsAProtocolError) {
  const Bytes zero = property(PropertyId::receive_maximum, Bytes().u16(0));
  EXPECT_TRUE(Rejected(connect(v5, kCleanStart, client_id(), zero), v5, ReasonCode::protocol_error, "MQTT-3.1.2.11.3"));
  EXPECT_TRUE(Rejected(packet_with_properties(PropertyContext::connack, zero), v5, ReasonCode::protocol_error,
                       "MQTT-3.1.2.11.3"));
}

TEST(MQTT_3_1_2_11_4, MaximumPacketSizeOfZeroIsAProtocolError) {
  const Bytes zero = property(PropertyId::maximum_packet_size, Bytes().u32(0));
  EXPECT_TRUE(Rejected(connect(v5, kCleanStart, client_id(), zero), v5, ReasonCode::protocol_error, "MQTT-3.1.2.11.4"));
}

TEST(MQTT_3_3_2_8, TopicAliasOfZeroIsTopicAliasInvalid) {
  const Bytes zero = property(PropertyId::topic_alias, Bytes().u16(0));
  EXPECT_TRUE(Rejected(publish(v5, "t", zero), v5, ReasonCode::topic_alias_invalid, "MQTT-3.3.2-8"));
}

TEST(MQTT_3_3_2_14, ResponseTopicWithAWildcardIsAProtocolError) {
  for (std::string_view topic : {"replies/+", "replies/#"}) {
    const Bytes response_topic = property(PropertyId::response_topic, Bytes().string(topic));
    EXPECT_TRUE(Rejected(publish(v5, "t", response_topic), v5, ReasonCode::protocol_error, "MQTT-3.3.2-14"));
    EXPECT_TRUE(Rejected(connect(v5, kCleanStart | kWill, will_payload(v5, "w", response_topic)), v5,
                         ReasonCode::protocol_error, "MQTT-3.3.2-14"));
  }
}

// ---- PUBLISH -----------------------------------------------------------------

TEST(MQTT_3_3_1_4, PublishWithQoS3IsMalformed) {
  for (ProtocolVersion version : {v311, v5}) {
    EXPECT_TRUE(Rejected(packet(kPublish | kQoS3, publish_body(version, "t", 1)), version, ReasonCode::malformed_packet,
                         "MQTT-3.3.1-4"));
    EXPECT_TRUE(Accepted(packet(kPublish | kQoS2, publish_body(version, "t", 1)), version));
  }
}

TEST(MQTT_3_3_1_2, DupWithQoS0IsMalformed) {
  for (ProtocolVersion version : {v311, v5}) {
    EXPECT_TRUE(Rejected(packet(kPublish | kDup, publish_body(version, "t")), version, ReasonCode::malformed_packet,
                         "MQTT-3.3.1-2"));
    EXPECT_TRUE(Accepted(packet(kPublish | kDup | kQoS1, publish_body(version, "t", 1)), version));
  }
}

TEST(MQTT_3_3_2_2, WildcardInPublishTopicIsTopicNameInvalid) {
  for (ProtocolVersion version : {v311, v5}) {
    for (std::string_view topic : {"a/+", "+", "a/#", "#", "a+b", "a/b#"}) {
      EXPECT_TRUE(Rejected(publish(version, topic), version, ReasonCode::topic_name_invalid, "MQTT-3.3.2-2"));
    }
  }
}

TEST(MQTT_4_7_3_1, V311EmptyTopicNameIsMalformed) {
  EXPECT_TRUE(Rejected(publish(v311, ""), v311, ReasonCode::malformed_packet, "MQTT-4.7.3-1"));
}

TEST(MQTT_3_3_2_1, V5EmptyTopicNameWithoutTopicAliasIsAProtocolError) {
  EXPECT_TRUE(Rejected(publish(v5, ""), v5, ReasonCode::protocol_error, "MQTT-3.3.2.1"));
  // With a Topic Alias the name may be empty (section 3.3.2.3.4).
  const Bytes alias = property(PropertyId::topic_alias, Bytes().u16(3));
  EXPECT_TRUE(Accepted(publish(v5, "", alias), v5));
}

// ---- CONNECT -----------------------------------------------------------------

TEST(MQTT_3_1_2_1, ProtocolNameOtherThanMQTTIsRefused) {
  for (std::string_view protocol : {"MQTX", "mqtt", "MQTTT", ""}) {
    const Wire bytes = packet(kConnect, Bytes().string(protocol).byte(4).byte(kCleanStart).u16(60).string("c"));
    EXPECT_TRUE(Rejected(bytes, v311, ReasonCode::unsupported_protocol_version, "MQTT-3.1.2-1")) << protocol;
  }
}

TEST(MQTT_3_1_2_2, Mqtt31ProtocolNameMQIsdpIsAnUnsupportedVersion) {
  const Wire bytes = packet(kConnect, Bytes().string("MQIsdp").byte(3).byte(kCleanStart).u16(60).string("c"));
  EXPECT_TRUE(Rejected(bytes, v311, ReasonCode::unsupported_protocol_version, "MQTT-3.1.2-2"));
}

TEST(MQTT_3_1_2_2, ProtocolLevelOtherThan4Or5IsAnUnsupportedVersion) {
  for (std::uint8_t protocol_level : {0, 3, 6, 0xFF}) {
    const Wire bytes =
        packet(kConnect, Bytes().string("MQTT").byte(protocol_level).byte(kCleanStart).u16(60).string("c"));
    EXPECT_TRUE(Rejected(bytes, v311, ReasonCode::unsupported_protocol_version, "MQTT-3.1.2-2")) << int{protocol_level};
  }
}

TEST(MQTT_3_1_2_3, ReservedConnectFlagIsMalformed) {
  for (ProtocolVersion version : {v311, v5}) {
    EXPECT_TRUE(Rejected(connect(version, kCleanStart | kConnectReserved, client_id()), version,
                         ReasonCode::malformed_packet, "MQTT-3.1.2-3"));
    EXPECT_TRUE(Accepted(connect(version, kCleanStart, client_id()), version));
  }
}

// Will QoS set without the Will Flag.
TEST(MQTT_3_1_2_13, V311WillQoSWithoutWillFlagIsMalformed) {
  EXPECT_TRUE(Rejected(connect(v311, kCleanStart | kWillQoS1, client_id()), v311, ReasonCode::malformed_packet,
                       "MQTT-3.1.2-13"));
  EXPECT_TRUE(Accepted(connect(v311, kCleanStart | kWill | kWillQoS1, will_payload(v311, "w")), v311));
}

TEST(MQTT_3_1_2_11, V5WillQoSWithoutWillFlagIsMalformed) {
  EXPECT_TRUE(
      Rejected(connect(v5, kCleanStart | kWillQoS1, client_id()), v5, ReasonCode::malformed_packet, "MQTT-3.1.2-11"));
  EXPECT_TRUE(Accepted(connect(v5, kCleanStart | kWill | kWillQoS1, will_payload(v5, "w")), v5));
}

// Will Retain set without the Will Flag.
TEST(MQTT_3_1_2_15, V311WillRetainWithoutWillFlagIsMalformed) {
  EXPECT_TRUE(Rejected(connect(v311, kCleanStart | kWillRetain, client_id()), v311, ReasonCode::malformed_packet,
                       "MQTT-3.1.2-15"));
  EXPECT_TRUE(Accepted(connect(v311, kCleanStart | kWill | kWillRetain, will_payload(v311, "w")), v311));
}

TEST(MQTT_3_1_2_13, V5WillRetainWithoutWillFlagIsMalformed) {
  EXPECT_TRUE(
      Rejected(connect(v5, kCleanStart | kWillRetain, client_id()), v5, ReasonCode::malformed_packet, "MQTT-3.1.2-13"));
  EXPECT_TRUE(Accepted(connect(v5, kCleanStart | kWill | kWillRetain, will_payload(v5, "w")), v5));
}

TEST(MQTT_3_1_2_14, V311WillQoS3IsMalformed) {
  EXPECT_TRUE(Rejected(connect(v311, kCleanStart | kWill | kWillQoS3, will_payload(v311, "w")), v311,
                       ReasonCode::malformed_packet, "MQTT-3.1.2-14"));
}

TEST(MQTT_3_1_2_12, V5WillQoS3IsMalformed) {
  EXPECT_TRUE(Rejected(connect(v5, kCleanStart | kWill | kWillQoS3, will_payload(v5, "w")), v5,
                       ReasonCode::malformed_packet, "MQTT-3.1.2-12"));
}

TEST(MQTT_3_1_2_22, V311PasswordWithoutUserNameIsMalformed) {
  EXPECT_TRUE(Rejected(connect(v311, kCleanStart | kPassword, client_id().string("pw")), v311,
                       ReasonCode::malformed_packet, "MQTT-3.1.2-22"));
  EXPECT_TRUE(Accepted(connect(v311, kCleanStart | kUserName | kPassword, client_id().string("u").string("pw")), v311));
}

// 5.0 dropped [MQTT-3.1.2-22]: a Password Flag alone announces a password ([MQTT-3.1.2-19]).
TEST(MQTT_3_1_2_19, V5PasswordWithoutUserNameIsAccepted) {
  const Connect decoded_connect = decoded<Connect>(connect(v5, kCleanStart | kPassword, client_id().string("pw")), v5);
  EXPECT_FALSE(decoded_connect.username.has_value());
  EXPECT_EQ(decoded_connect.password, "pw");
}

TEST(MQTT_4_7_1_1, V311WillTopicWithAWildcardIsTopicNameInvalid) {
  EXPECT_TRUE(Rejected(connect(v311, kCleanStart | kWill, will_payload(v311, "w/+")), v311,
                       ReasonCode::topic_name_invalid, "MQTT-4.7.1-1"));
}

TEST(MQTT_4_7_0_1, V5WillTopicWithAWildcardIsTopicNameInvalid) {
  EXPECT_TRUE(Rejected(connect(v5, kCleanStart | kWill, will_payload(v5, "w/#")), v5, ReasonCode::topic_name_invalid,
                       "MQTT-4.7.0-1"));
}

TEST(MQTT_3_1_3, BytesAfterTheConnectPayloadAreMalformed) {
  for (ProtocolVersion version : {v311, v5}) {
    EXPECT_TRUE(Rejected(connect(version, kCleanStart, client_id().byte(0x00)), version, ReasonCode::malformed_packet,
                         "MQTT-3.1.3"));
  }
}

// ---- CONNACK -----------------------------------------------------------------

TEST(MQTT_3_2_2_1, V311ReservedAcknowledgeFlagsAreMalformed) {
  for (std::uint8_t flags : {0x02, 0x80, 0xFE}) {
    EXPECT_TRUE(Rejected({kConnack, 0x02, flags, 0x00}, v311, ReasonCode::malformed_packet, "MQTT-3.2.2.1"));
  }
  EXPECT_TRUE(Accepted({kConnack, 0x02, 0x01, 0x00}, v311));
}

TEST(MQTT_3_2_2_1, V5ReservedAcknowledgeFlagsAreMalformed) {
  for (std::uint8_t flags : {0x02, 0x80, 0xFE}) {
    EXPECT_TRUE(Rejected({kConnack, 0x03, flags, 0x00, 0x00}, v5, ReasonCode::malformed_packet, "MQTT-3.2.2-1"));
  }
  EXPECT_TRUE(Accepted({kConnack, 0x03, 0x01, 0x00, 0x00}, v5));
}

TEST(MQTT_3_2_2_4, V311SessionPresentWithARefusalIsAProtocolError) {
  EXPECT_TRUE(Rejected({kConnack, 0x02, 0x01, 0x05}, v311, ReasonCode::protocol_error, "MQTT-3.2.2-4"));
  EXPECT_TRUE(Accepted({kConnack, 0x02, 0x00, 0x05}, v311));
}

TEST(MQTT_3_2_2_6, V5SessionPresentWithARefusalIsAProtocolError) {
  EXPECT_TRUE(Rejected({kConnack, 0x03, 0x01, 0x87, 0x00}, v5, ReasonCode::protocol_error, "MQTT-3.2.2-6"));
  EXPECT_TRUE(Accepted({kConnack, 0x03, 0x00, 0x87, 0x00}, v5));
}

TEST(MQTT_3_2_2_3, V311ReservedReturnCodeIsMalformed) {
  EXPECT_TRUE(Rejected({kConnack, 0x02, 0x00, 0x06}, v311, ReasonCode::malformed_packet, "MQTT-3.2.2.3"));
}

// ---- SUBSCRIBE, SUBACK, UNSUBSCRIBE ------------------------------------------

TEST(MQTT_3_8_3_4, V311ReservedRequestedQoSBitsAreMalformed) {
  for (int bit = 2; bit < 8; ++bit) {
    EXPECT_TRUE(Rejected(subscribe(v311, "t", static_cast<std::uint8_t>(1u << bit)), v311, ReasonCode::malformed_packet,
                         "MQTT-3-8.3-4"))
        << bit;
  }
}

TEST(MQTT_3_8_3_4, V311RequestedQoS3IsMalformed) {
  EXPECT_TRUE(Rejected(subscribe(v311, "t", 0x03), v311, ReasonCode::malformed_packet, "MQTT-3-8.3-4"));
  EXPECT_TRUE(Accepted(subscribe(v311, "t", 0x02), v311));
}

TEST(MQTT_3_8_3_5, V5ReservedSubscriptionOptionBitsAreMalformed) {
  for (std::uint8_t options : {0x40, 0x80, 0xC0}) {
    EXPECT_TRUE(Rejected(subscribe(v5, "t", options), v5, ReasonCode::malformed_packet, "MQTT-3.8.3-5"));
  }
  // Every defined option bit set: QoS 2, No Local, Retain As Published, Retain Handling 2.
  EXPECT_TRUE(Accepted(subscribe(v5, "t", 0x2E), v5));
}

TEST(MQTT_3_8_3_1, V5MaximumQoS3IsAProtocolError) {
  EXPECT_TRUE(Rejected(subscribe(v5, "t", 0x03), v5, ReasonCode::protocol_error, "MQTT-3.8.3.1"));
}

TEST(MQTT_3_8_3_1, V5RetainHandling3IsAProtocolError) {
  EXPECT_TRUE(Rejected(subscribe(v5, "t", 0x30), v5, ReasonCode::protocol_error, "MQTT-3.8.3.1"));
}

TEST(MQTT_3_8_3_4, V5NoLocalOnASharedSubscriptionIsAProtocolError) {
  constexpr std::uint8_t kNoLocal = 0x04;
  EXPECT_TRUE(Rejected(subscribe(v5, "$share/g/t", kNoLocal), v5, ReasonCode::protocol_error, "MQTT-3.8.3-4"));
  EXPECT_TRUE(Accepted(subscribe(v5, "$share/g/t", 0x00), v5));
  EXPECT_TRUE(Accepted(subscribe(v5, "t", kNoLocal), v5));
}

TEST(MQTT_3_8_3_3, V311SubscribeWithoutFiltersIsAProtocolError) {
  EXPECT_TRUE(Rejected(packet(kSubscribe, Bytes().u16(1)), v311, ReasonCode::protocol_error, "MQTT-3.8.3-3"));
}

TEST(MQTT_3_8_3_2, V5SubscribeWithoutFiltersIsAProtocolError) {
  EXPECT_TRUE(
      Rejected(packet(kSubscribe, Bytes().u16(1).properties({})), v5, ReasonCode::protocol_error, "MQTT-3.8.3-2"));
}

TEST(MQTT_3_10_3_2, UnsubscribeWithoutFiltersIsAProtocolError) {
  EXPECT_TRUE(Rejected(packet(kUnsubscribe, Bytes().u16(1)), v311, ReasonCode::protocol_error, "MQTT-3.10.3-2"));
  EXPECT_TRUE(
      Rejected(packet(kUnsubscribe, Bytes().u16(1).properties({})), v5, ReasonCode::protocol_error, "MQTT-3.10.3-2"));
}

TEST(MQTT_3_9_3_2, V311ReservedSubackReturnCodeIsMalformed) {
  for (std::uint8_t code : {0x03, 0x7F, 0x81, 0xFF}) {
    EXPECT_TRUE(Rejected({kSuback, 0x03, 0x00, 0x01, code}, v311, ReasonCode::malformed_packet, "MQTT-3.9.3-2"))
        << int{code};
  }
  EXPECT_TRUE(Accepted({kSuback, 0x06, 0x00, 0x01, 0x00, 0x01, 0x02, 0x80}, v311));
}

// ---- MQTT 5.0 reason codes not allowed in the packet --------------------------

struct ReasonCase {
  std::string name;
  std::uint8_t first_byte;
  bool has_packet_id;
  std::uint8_t allowed;
  std::uint8_t not_allowed;
  std::string_view rule;
};

const std::vector<ReasonCase> kReasonCases = {
    {"Connack_3_2_2_8", kConnack, false, 0x87, 0x01, "MQTT-3.2.2-8"},
    {"Puback_3_4_2_1", kPuback, true, 0x10, 0x92, "MQTT-3.4.2-1"},
    {"Pubrec_3_5_2_1", kPubrec, true, 0x10, 0x81, "MQTT-3.5.2-1"},
    {"Pubrel_3_6_2_1", kPubrel, true, 0x92, 0x80, "MQTT-3.6.2-1"},
    {"Pubcomp_3_7_2_1", kPubcomp, true, 0x92, 0x10, "MQTT-3.7.2-1"},
    {"Suback_3_9_3_2", kSuback, true, 0x02, 0x11, "MQTT-3.9.3-2"},
    {"Unsuback_3_11_3_2", kUnsuback, true, 0x11, 0x01, "MQTT-3.11.3-2"},
    {"Disconnect_3_14_2_1", kDisconnect, false, 0x04, 0x01, "MQTT-3.14.2-1"},
    {"Auth_3_15_2_1", kAuth, false, 0x18, 0x80, "MQTT-3.15.2-1"},
};

class ReasonCodeOfPacket : public ::testing::TestWithParam<ReasonCase> {};

// Builds the packet around `reason`; CONNACK has its acknowledge flags first,
// SUBACK and UNSUBACK their properties before the reason codes.
Wire packet_with_reason(const ReasonCase& c, std::uint8_t reason) {
  if (c.first_byte == kConnack) return packet(kConnack, Bytes{0x00, reason}.properties({}));
  if (c.first_byte == kSuback || c.first_byte == kUnsuback) {
    return packet(c.first_byte, Bytes().u16(1).properties({}).byte(reason));
  }
  return with_reason(c.first_byte, c.has_packet_id ? std::optional<std::uint16_t>(1) : std::nullopt, reason);
}

TEST_P(ReasonCodeOfPacket, CodeNotListedForThePacketIsAProtocolError) {
  const ReasonCase& c = GetParam();
  EXPECT_TRUE(Accepted(packet_with_reason(c, c.allowed), v5));
  EXPECT_TRUE(Rejected(packet_with_reason(c, c.not_allowed), v5, ReasonCode::protocol_error, c.rule));
  EXPECT_TRUE(Rejected(packet_with_reason(c, 0xFF), v5, ReasonCode::protocol_error, c.rule));
}

INSTANTIATE_TEST_SUITE_P(MQTT_2_4, ReasonCodeOfPacket, ::testing::ValuesIn(kReasonCases), ByName{});

}  // namespace
}  // namespace mqwarden::mqtt

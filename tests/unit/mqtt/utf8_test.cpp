// check_utf8: the well-formedness rules of RFC 3629 that MQTT strings must
// follow ([MQTT-1.5.3-1] in 3.1.1, [MQTT-1.5.4-1] in 5.0), no U+0000
// ([MQTT-1.5.3-2] / [MQTT-1.5.4-2]), and U+FEFF kept as a character
// ([MQTT-1.5.3-3] / [MQTT-1.5.4-3]). Each range boundary is tested from both
// sides, every overlong form, and both ends of the surrogate block.
#include "mqtt/utf8.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

namespace mqwarden::mqtt {
namespace {

struct Utf8Case {
  std::string name;
  std::string bytes;
  Utf8Status expected;
};

// Statuses compared by name, so that a failure prints which one came out.
std::string_view status_name(Utf8Status status) {
  switch (status) {
    case Utf8Status::valid: return "valid";
    case Utf8Status::ill_formed: return "ill_formed";
    case Utf8Status::surrogate: return "surrogate";
    case Utf8Status::null_character: return "null_character";
  }
  return "?";
}

std::string_view check(std::string_view text) {
  return status_name(check_utf8(text));
}

class CheckUtf8 : public ::testing::TestWithParam<Utf8Case> {};

TEST_P(CheckUtf8, Classifies) {
  const Utf8Case& c = GetParam();
  EXPECT_EQ(check(c.bytes), status_name(c.expected));
  // The same sequence between ASCII characters is classified the same way.
  EXPECT_EQ(check("a" + c.bytes + "z"), status_name(c.expected));
}

std::string case_name(const ::testing::TestParamInfo<Utf8Case>& info) {
  return info.param.name;
}

// Code points at the edges of each encoding length.
INSTANTIATE_TEST_SUITE_P(MQTT_1_5_4_1_Boundaries, CheckUtf8,
                         ::testing::Values(Utf8Case{"U0001", "\x01", Utf8Status::valid},
                                           Utf8Case{"U007F", "\x7F", Utf8Status::valid},
                                           Utf8Case{"U0080", "\xC2\x80", Utf8Status::valid},
                                           Utf8Case{"U07FF", "\xDF\xBF", Utf8Status::valid},
                                           Utf8Case{"U0800", "\xE0\xA0\x80", Utf8Status::valid},
                                           Utf8Case{"UFFFF", "\xEF\xBF\xBF", Utf8Status::valid},
                                           Utf8Case{"U10000", "\xF0\x90\x80\x80", Utf8Status::valid},
                                           Utf8Case{"U10FFFF", "\xF4\x8F\xBF\xBF", Utf8Status::valid},
                                           Utf8Case{"U110000", "\xF4\x90\x80\x80", Utf8Status::ill_formed},
                                           Utf8Case{"U1FFFFF", "\xF7\xBF\xBF\xBF", Utf8Status::ill_formed}),
                         case_name);

// The largest code point of each shorter length, written one byte longer.
INSTANTIATE_TEST_SUITE_P(MQTT_1_5_4_1_Overlong, CheckUtf8,
                         ::testing::Values(Utf8Case{"TwoByteNul", "\xC0\x80", Utf8Status::ill_formed},
                                           Utf8Case{"TwoByteU007F", "\xC1\xBF", Utf8Status::ill_formed},
                                           Utf8Case{"ThreeByteU007F", "\xE0\x81\xBF", Utf8Status::ill_formed},
                                           Utf8Case{"ThreeByteU07FF", "\xE0\x9F\xBF", Utf8Status::ill_formed},
                                           Utf8Case{"FourByteU007F", "\xF0\x80\x81\xBF", Utf8Status::ill_formed},
                                           Utf8Case{"FourByteUFFFF", "\xF0\x8F\xBF\xBF", Utf8Status::ill_formed},
                                           // An overlong surrogate is ill-formed before it is a surrogate.
                                           Utf8Case{"FourByteUD800", "\xF0\x8D\xA0\x80", Utf8Status::ill_formed}),
                         case_name);

INSTANTIATE_TEST_SUITE_P(MQTT_1_5_4_1_BadSequences, CheckUtf8,
                         ::testing::Values(Utf8Case{"LoneContinuation80", "\x80", Utf8Status::ill_formed},
                                           Utf8Case{"LoneContinuationBF", "\xBF", Utf8Status::ill_formed},
                                           Utf8Case{"TwoContinuations", "\x80\x80", Utf8Status::ill_formed},
                                           Utf8Case{"TruncatedTwoByte", "\xC2", Utf8Status::ill_formed},
                                           Utf8Case{"TruncatedThreeByte", "\xE2\x82", Utf8Status::ill_formed},
                                           Utf8Case{"TruncatedFourByte", "\xF0\x9F\x98", Utf8Status::ill_formed},
                                           Utf8Case{"LeadFollowedByAscii",
                                                    "\xC3"
                                                    "A",
                                                    Utf8Status::ill_formed},
                                           Utf8Case{"ExtraContinuation", "\xC3\xA9\x80", Utf8Status::ill_formed},
                                           Utf8Case{"LeadF5", "\xF5\x80\x80\x80", Utf8Status::ill_formed},
                                           Utf8Case{"LeadF8", "\xF8\x88\x80\x80\x80", Utf8Status::ill_formed},
                                           Utf8Case{"LeadFC", "\xFC\x84\x80\x80\x80\x80", Utf8Status::ill_formed},
                                           Utf8Case{"LeadFE", "\xFE", Utf8Status::ill_formed},
                                           Utf8Case{"LeadFF", "\xFF", Utf8Status::ill_formed}),
                         case_name);

// U+D800..U+DFFF and their neighbours.
INSTANTIATE_TEST_SUITE_P(MQTT_1_5_4_1_Surrogates, CheckUtf8,
                         ::testing::Values(Utf8Case{"UD7FF", "\xED\x9F\xBF", Utf8Status::valid},
                                           Utf8Case{"UD800", "\xED\xA0\x80", Utf8Status::surrogate},
                                           Utf8Case{"UDBFF", "\xED\xAF\xBF", Utf8Status::surrogate},
                                           Utf8Case{"UDC00", "\xED\xB0\x80", Utf8Status::surrogate},
                                           Utf8Case{"UDFFF", "\xED\xBF\xBF", Utf8Status::surrogate},
                                           Utf8Case{"UE000", "\xEE\x80\x80", Utf8Status::valid},
                                           // CESU-8 pair for U+1F600: two encoded surrogates.
                                           Utf8Case{"SurrogatePair", "\xED\xA0\xBD\xED\xB8\x80",
                                                    Utf8Status::surrogate}),
                         case_name);

INSTANTIATE_TEST_SUITE_P(MQTT_1_5_4_2_NullCharacter, CheckUtf8,
                         ::testing::Values(Utf8Case{"Nul", std::string(1, '\0'), Utf8Status::null_character},
                                           Utf8Case{"NulAfterMultibyte", std::string("\xC3\xA9") + '\0',
                                                    Utf8Status::null_character}),
                         case_name);

// U+FEFF is a character like any other; non-characters and controls are only SHOULD NOT.
INSTANTIATE_TEST_SUITE_P(MQTT_1_5_4_3_Accepted, CheckUtf8,
                         ::testing::Values(Utf8Case{"ByteOrderMark", "\xEF\xBB\xBF", Utf8Status::valid},
                                           Utf8Case{"NonCharacterUFFFE", "\xEF\xBF\xBE", Utf8Status::valid},
                                           Utf8Case{"ControlU001F", "\x1F", Utf8Status::valid},
                                           Utf8Case{"ControlU009F", "\xC2\x9F", Utf8Status::valid},
                                           Utf8Case{"Mixed", "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80",
                                                    Utf8Status::valid}),
                         case_name);

TEST(MQTT_1_5_4_1, EmptyStringIsValid) {
  EXPECT_EQ(check(""), "valid");
}

TEST(MQTT_1_5_4_1, FirstProblemDecides) {
  // An ill-formed byte before a U+0000, and the other way round.
  EXPECT_EQ(check(std::string("\xFF") + '\0'), "ill_formed");
  EXPECT_EQ(check(std::string(1, '\0') + "\xFF"), "null_character");
}

TEST(MQTT_1_5_4_1, EveryTwoByteSequenceMatchesTheDefinition) {
  // Exhaustive over two bytes: valid exactly when lead C2..DF and continuation 80..BF,
  // or both ASCII and neither is NUL.
  for (unsigned first = 0; first < 256; ++first) {
    for (unsigned second = 0; second < 256; ++second) {
      const std::string text{static_cast<char>(first), static_cast<char>(second)};
      const bool ascii = first < 0x80 && second < 0x80;
      const bool two_byte = first >= 0xC2 && first <= 0xDF && second >= 0x80 && second <= 0xBF;
      const bool has_nul = (first == 0 || (first < 0x80 && second == 0));
      if (has_nul) continue;  // covered by the null character cases
      EXPECT_EQ(check_utf8(text) == Utf8Status::valid, ascii || two_byte) << std::hex << first << ' ' << second;
    }
  }
}

}  // namespace
}  // namespace mqwarden::mqtt

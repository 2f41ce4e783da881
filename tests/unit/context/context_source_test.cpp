// Tests read_observation and find_field (context_source.hpp): whose context a
// message is (a topic level, a payload field, the publisher), the value it
// carries (a position from two fields, a number, a string or JSON), what a
// source refuses to read, and when the value goes stale.
#include "context/context_source.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>

namespace mqwarden::context {
namespace {

constexpr std::int64_t kNow = 1'795'392'000'000;

ContextSourceSpec position_source() {
  ContextSourceSpec source;
  source.topic = "gps/#";
  return source;
}

ContextSourceSpec value_source(ContextKind kind, std::string field) {
  ContextSourceSpec source;
  source.name = "reading";
  source.topic = "sensors/#";
  source.kind = kind;
  source.value = std::move(field);
  return source;
}

// The observation `source` makes of `payload_text` (JSON) published by "publisher" on `topic`.
std::optional<Observation> observe(const ContextSourceSpec& source, std::string_view payload_text,
                                   std::string_view topic = "gps/board1/fix",
                                   std::string_view publisher = "publisher") {
  const nlohmann::json payload = nlohmann::json::parse(payload_text);
  return read_observation(source, topic, publisher, &payload, kNow);
}

std::optional<std::string> entity_of(const std::optional<Observation>& observation) {
  if (!observation) return std::nullopt;
  return observation->entity;
}

constexpr std::string_view kFix = R"({"lat": 45.5, "lon": 9.25, "device": {"id": "board7", "serial": 7}})";

// --- whose context --------------------------------------------------------

TEST(ReadObservationEntity, FromTheTopicLevelCountedFromOne) {
  ContextSourceSpec source = position_source();
  source.entity_level = 2;
  EXPECT_EQ(entity_of(observe(source, kFix)), "board1");
  source.entity_level = 1;
  EXPECT_EQ(entity_of(observe(source, kFix)), "gps");
  source.entity_level = 3;
  EXPECT_EQ(entity_of(observe(source, kFix)), "fix");
}

TEST(ReadObservationEntity, NoneWhenTheTopicHasTooFewLevels) {
  ContextSourceSpec source = position_source();
  source.entity_level = 4;
  EXPECT_EQ(observe(source, kFix, "gps/board1/fix"), std::nullopt);
  source.entity_level = 2;
  EXPECT_EQ(observe(source, kFix, "gps"), std::nullopt);
}

TEST(ReadObservationEntity, FromADottedPayloadField) {
  ContextSourceSpec source = position_source();
  source.entity_field = "device.id";
  EXPECT_EQ(entity_of(observe(source, kFix)), "board7");
}

TEST(ReadObservationEntity, NoneWhenThePayloadFieldIsNotAString) {
  ContextSourceSpec source = position_source();
  source.entity_field = "device.serial";
  EXPECT_EQ(observe(source, kFix), std::nullopt);
  source.entity_field = "device";  // an object
  EXPECT_EQ(observe(source, kFix), std::nullopt);
  source.entity_field = "device.owner";  // absent
  EXPECT_EQ(observe(source, kFix), std::nullopt);
}

TEST(ReadObservationEntity, ThePublisherWhenNeitherLevelNorFieldIsSet) {
  EXPECT_EQ(entity_of(observe(position_source(), kFix, "gps/board1/fix", "tracker-3")), "tracker-3");
  EXPECT_EQ(observe(position_source(), kFix, "gps/board1/fix", ""), std::nullopt);
}

TEST(ReadObservationEntity, TopicLevelComesBeforeFieldAndPublisher) {
  ContextSourceSpec source = position_source();
  source.entity_level = 2;
  source.entity_field = "device.id";
  EXPECT_EQ(entity_of(observe(source, kFix, "gps/board1/fix", "tracker-3")), "board1");
  source.entity_level = 0;
  EXPECT_EQ(entity_of(observe(source, kFix, "gps/board1/fix", "tracker-3")), "board7");
}

// --- positions ------------------------------------------------------------

TEST(ReadObservationPosition, FromTheLatitudeAndLongitudeFields) {
  const auto observation = observe(position_source(), kFix);
  ASSERT_TRUE(observation.has_value());
  ASSERT_TRUE(observation->reading.position.has_value());
  EXPECT_EQ(observation->reading.position->latitude, 45.5);
  EXPECT_EQ(observation->reading.position->longitude, 9.25);
  EXPECT_EQ(observation->reading.value, (nlohmann::json{{"lat", 45.5}, {"lon", 9.25}}));
}

TEST(ReadObservationPosition, FromDottedFieldsTheSourceNames) {
  ContextSourceSpec source = position_source();
  source.latitude = "fix.latitude";
  source.longitude = "fix.longitude";
  const auto observation = observe(source, R"({"fix": {"latitude": -33.9, "longitude": 151.2}})");
  ASSERT_TRUE(observation.has_value());
  EXPECT_EQ(observation->reading.value, (nlohmann::json{{"lat", -33.9}, {"lon", 151.2}}));
}

TEST(ReadObservationPosition, AcceptsTheLimitsOfTheRanges) {
  EXPECT_TRUE(observe(position_source(), R"({"lat": 90, "lon": -180})").has_value());
  EXPECT_TRUE(observe(position_source(), R"({"lat": -90, "lon": 180})").has_value());
}

class UnreadablePosition : public ::testing::TestWithParam<std::string_view> {};

TEST_P(UnreadablePosition, IsNotObserved) {
  EXPECT_EQ(observe(position_source(), GetParam()), std::nullopt);
}

INSTANTIATE_TEST_SUITE_P(ReadObservationPosition, UnreadablePosition,
                         ::testing::Values(R"({"lat": "45.5", "lon": 9.25})",  // not a number
                                           R"({"lat": 45.5, "lon": null})",
                                           R"({"lat": 45.5})",  // missing
                                           R"({"lon": 9.25})",
                                           R"({"lat": 90.5, "lon": 9.25})",  // out of range
                                           R"({"lat": -90.5, "lon": 9.25})", R"({"lat": 45.5, "lon": 180.5})",
                                           R"({"lat": 45.5, "lon": -180.5})", R"([45.5, 9.25])"));

// --- other kinds ------------------------------------------------------------

struct ValueCase {
  ContextKind kind;
  std::string_view payload;
  std::optional<nlohmann::json> stored;  // nullopt: not observed
};

// How the case reads in test names and failures.
void PrintTo(const ValueCase& value_case, std::ostream* out) {
  *out << value_case.payload << " -> " << (value_case.stored ? value_case.stored->dump() : "not observed");
}

class ValueOfKind : public ::testing::TestWithParam<ValueCase> {};

TEST_P(ValueOfKind, IsStoredOnlyWhenTheFieldHasTheRightType) {
  const auto observation = observe(value_source(GetParam().kind, "v"), GetParam().payload);
  ASSERT_EQ(observation.has_value(), GetParam().stored.has_value());
  if (observation) {
    EXPECT_EQ(observation->reading.value, *GetParam().stored);
    EXPECT_FALSE(observation->reading.position.has_value());
  }
}

INSTANTIATE_TEST_SUITE_P(
    ReadObservationValue, ValueOfKind,
    ::testing::Values(ValueCase{ContextKind::number, R"({"v": 21.5})", nlohmann::json(21.5)},
                      ValueCase{ContextKind::number, R"({"v": "21.5"})", std::nullopt},
                      ValueCase{ContextKind::number, R"({"v": true})", std::nullopt},
                      ValueCase{ContextKind::string, R"({"v": "away"})", nlohmann::json("away")},
                      ValueCase{ContextKind::string, R"({"v": 3})", std::nullopt},
                      ValueCase{ContextKind::string, R"({"v": {"state": "away"}})", std::nullopt},
                      ValueCase{ContextKind::json, R"({"v": {"state": "away"}})", nlohmann::json{{"state", "away"}}},
                      ValueCase{ContextKind::json, R"({"v": [1, 2]})", nlohmann::json{1, 2}},
                      ValueCase{ContextKind::json, R"({"v": "away"})", nlohmann::json("away")},
                      ValueCase{ContextKind::number, R"({"w": 1})", std::nullopt},  // missing field
                      ValueCase{ContextKind::json, R"({"w": 1})", std::nullopt}));

TEST(ReadObservationValue, EmptyFieldIsTheWholePayload) {
  const auto observation = observe(value_source(ContextKind::json, ""), R"({"state": "away", "since": 3})");
  ASSERT_TRUE(observation.has_value());
  EXPECT_EQ(observation->reading.value, (nlohmann::json{{"state", "away"}, {"since", 3}}));

  const auto number = observe(value_source(ContextKind::number, ""), "21.5");
  ASSERT_TRUE(number.has_value());
  EXPECT_EQ(number->reading.value, nlohmann::json(21.5));
}

TEST(ReadObservationValue, DottedField) {
  const auto observation =
      observe(value_source(ContextKind::string, "status.presence"), R"({"status": {"presence": "home"}})");
  ASSERT_TRUE(observation.has_value());
  EXPECT_EQ(observation->reading.value, nlohmann::json("home"));
}

// --- payloads that are not JSON, and time -----------------------------------

TEST(ReadObservation, PayloadThatIsNotJsonIsNotObserved) {
  for (const ContextSourceSpec& source :
       {position_source(), value_source(ContextKind::json, ""), value_source(ContextKind::string, "v")}) {
    EXPECT_EQ(read_observation(source, "gps/board1", "publisher", nullptr, kNow), std::nullopt);
  }
}

TEST(ReadObservation, GoesStaleAfterTheSourcesMaximumAge) {
  ContextSourceSpec source = position_source();
  source.max_age = std::chrono::seconds(30);
  const auto observation = observe(source, kFix);
  ASSERT_TRUE(observation.has_value());
  EXPECT_EQ(observation->reading.observed_ms, kNow);
  EXPECT_EQ(observation->reading.stale_at_ms, kNow + 30'000);
}

TEST(ReadObservation, MaximumAgeZeroNeverGoesStale) {
  ContextSourceSpec source = position_source();
  source.max_age = std::chrono::milliseconds(0);
  const auto observation = observe(source, kFix);
  ASSERT_TRUE(observation.has_value());
  EXPECT_EQ(observation->reading.stale_at_ms, kNever);
}

// --- find_field ---------------------------------------------------------------

TEST(FindField, FollowsNestedObjects) {
  const nlohmann::json document = nlohmann::json::parse(R"({"a": {"b": {"c": 42}}, "x": 1})");
  const nlohmann::json* found = find_field(document, "a.b.c");
  ASSERT_NE(found, nullptr);
  EXPECT_EQ(*found, 42);
  ASSERT_NE(find_field(document, "a.b"), nullptr);
  EXPECT_EQ(*find_field(document, "a.b"), (nlohmann::json{{"c", 42}}));
  EXPECT_EQ(find_field(document, ""), &document);
}

TEST(FindField, AbsentPathsAreNull) {
  const nlohmann::json document = nlohmann::json::parse(R"({"a": {"b": [1, 2]}, "s": "text"})");
  EXPECT_EQ(find_field(document, "a.c"), nullptr);
  EXPECT_EQ(find_field(document, "b"), nullptr);
  EXPECT_EQ(find_field(document, "a.b.0"), nullptr);  // arrays are not followed
  EXPECT_EQ(find_field(document, "s.length"), nullptr);
  EXPECT_EQ(find_field(nlohmann::json::array({1}), "a"), nullptr);
}

}  // namespace
}  // namespace mqwarden::context

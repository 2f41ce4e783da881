// Tests ContextLayer::observe on actual publish events: a message on a
// configured source's topic updates the store and raises `context <name>
// changes` only when the value changes; other topics and unreadable payloads
// are not observed; and the situations of the policy in force follow the
// positions observed, read through the layer's own `position` function.
// The clock is fixed by the test and the tick thread is never started.
#include "context/context_layer.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "support/context_policy.hpp"
#include "unit/context/context_test_support.hpp"

namespace mqwarden::context {
namespace {

using testing::context_changes;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using testing::situation_starts;
using ::testing::UnorderedElementsAre;

constexpr std::int64_t kNow = 1'795'392'000'000;

ContextOptions gps_and_presence_sources() {
  ContextSourceSpec gps;
  gps.topic = "gps/+";
  gps.entity_level = 2;
  gps.max_age = std::chrono::minutes(1);

  ContextSourceSpec presence;
  presence.name = "presence";
  presence.topic = "presence";
  presence.kind = ContextKind::string;
  presence.value = "state";  // the entity is the publisher

  ContextOptions options;
  options.sources = {gps, presence};
  return options;
}

class ContextLayerTest : public ::testing::Test {
 protected:
  // `client_id` publishes `payload` on `topic`, and the layer observes the actual publish.
  void publish(std::string_view topic, std::string_view payload, std::string_view client_id = "publisher") {
    const policy::Payload bytes(payload);
    policy::Event published;
    published.mode = policy::Mode::actual;
    published.activity = policy::Activity::publish;
    published.time_ms = now_ms;
    published.client.id = client_id;
    published.topic = topic;
    published.payload = &bytes;
    layer.observe(published);
  }

  std::int64_t now_ms = kNow;
  testing::EventRecorder raised;
  ContextLayer layer{gps_and_presence_sources(), raised.raise(), [this] { return now_ms; }};
};

TEST_F(ContextLayerTest, PublishOnASourcesTopicUpdatesTheStoreAndRaisesAChange) {
  publish("gps/board1", R"({"lat": 45.5, "lon": 9.25, "speed": 3})");
  EXPECT_EQ(layer.observations(), 1u);
  const auto position = layer.store().position("board1", now_ms);
  ASSERT_TRUE(position.has_value());
  EXPECT_EQ(position->latitude, 45.5);
  EXPECT_EQ(position->longitude, 9.25);
  EXPECT_THAT(raised.events(),
              ElementsAre(context_changes("position", "board1", nlohmann::json{{"lat", 45.5}, {"lon", 9.25}})));
  EXPECT_THAT(raised.modes(), ElementsAre(policy::Mode::actual));
  EXPECT_THAT(raised.times(), ElementsAre(kNow));
}

TEST_F(ContextLayerTest, SameValueAgainRaisesNoChange) {
  publish("gps/board1", R"({"lat": 45.5, "lon": 9.25})");
  raised.take();
  now_ms += 1'000;
  publish("gps/board1", R"({"lat": 45.5, "lon": 9.25, "speed": 0})");
  EXPECT_EQ(layer.observations(), 2u);
  EXPECT_THAT(raised.take(), IsEmpty());
  // The refresh still counts: the value is fresh a minute after the second message, not the first.
  EXPECT_TRUE(layer.store().position("board1", kNow + 60'500).has_value());
}

TEST_F(ContextLayerTest, NewValueRaisesAnotherChange) {
  publish("gps/board1", R"({"lat": 45.5, "lon": 9.25})");
  raised.take();
  publish("gps/board1", R"({"lat": 45.6, "lon": 9.25})");
  EXPECT_THAT(raised.take(),
              ElementsAre(context_changes("position", "board1", nlohmann::json{{"lat", 45.6}, {"lon", 9.25}})));
}

TEST_F(ContextLayerTest, EachSourceNamesItsContext) {
  publish("presence", R"({"state": "away"})", "owner");
  EXPECT_THAT(raised.take(), ElementsAre(context_changes("presence", "owner", "away")));
  EXPECT_EQ(layer.store().value("owner", "presence", now_ms), nlohmann::json("away"));
  EXPECT_EQ(layer.store().position("owner", now_ms), std::nullopt);
}

TEST_F(ContextLayerTest, TopicThatMatchesNoSourceIsNotObserved) {
  publish("weather/board1", R"({"lat": 45.5, "lon": 9.25})");
  publish("gps/board1/extra", R"({"lat": 45.5, "lon": 9.25})");  // "gps/+" is one level only
  EXPECT_EQ(layer.observations(), 0u);
  EXPECT_EQ(layer.store().entities(), 0u);
  EXPECT_THAT(raised.events(), IsEmpty());
}

TEST_F(ContextLayerTest, UnreadablePayloadIsNotObserved) {
  publish("gps/board1", "45.5,9.25");               // not JSON
  publish("gps/board1", R"({"lat": 45.5})");        // no longitude
  publish("presence", R"({"state": 1})", "owner");  // not a string
  EXPECT_EQ(layer.observations(), 0u);
  EXPECT_EQ(layer.store().entities(), 0u);
  EXPECT_THAT(raised.events(), IsEmpty());
}

TEST_F(ContextLayerTest, SituationsOfThePolicyInForceFollowTheObservedPositions) {
  policy::HostFunctions functions;
  layer.add_functions(functions);
  mqwarden::testing::add_distance(functions);
  std::string errors;
  auto policy = mqwarden::testing::compile_policy_text(
      mqwarden::testing::near_100m_policy({{"board1", "board2"}, {"board2", "board1"}}), std::move(functions), errors);
  ASSERT_NE(policy, nullptr) << errors;
  layer.use(policy);
  EXPECT_EQ(layer.situations().instances(), 2u);

  publish("gps/board1", R"({"lat": 45.8, "lon": 8.6})");
  publish("gps/board2", R"({"lat": 45.8003, "lon": 8.6})");  // about 33 m north
  EXPECT_THAT(raised.take(), UnorderedElementsAre(
                                 context_changes("position", "board1", nlohmann::json{{"lat", 45.8}, {"lon", 8.6}}),
                                 context_changes("position", "board2", nlohmann::json{{"lat", 45.8003}, {"lon", 8.6}}),
                                 situation_starts("near_100m", {"board1", "board2"}),
                                 situation_starts("near_100m", {"board2", "board1"})));
  EXPECT_TRUE(layer.situations().holds("near_100m", {"board1", "board2"}));
}

}  // namespace
}  // namespace mqwarden::context

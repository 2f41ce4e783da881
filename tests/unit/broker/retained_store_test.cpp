// RetainedStore: set, replace and clear by topic; matching by filters with
// wildcards, the '$' rule, expiry; topics of very many levels.
#include "broker/retained_store.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace mqwarden::broker {
namespace {

const Clock::time_point kNow = Clock::time_point(std::chrono::hours(1));

MessagePtr retained(std::string topic, std::string payload = "p") {
  return make_message(mqtt::Publish{std::move(topic), 1, mqtt::QoS::at_least_once, true, false, {}, std::move(payload)},
                      "publisher", kNow);
}

std::vector<std::string> topics(const std::vector<MessagePtr>& messages) {
  std::vector<std::string> found;
  for (const auto& message : messages) found.push_back(message->topic);
  std::sort(found.begin(), found.end());
  return found;
}

class RetainedStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* topic : {"sport", "sport/tennis", "sport/tennis/player1", "sport/tennis/player2", "sport/golf",
                              "/leading", "a//b", "$SYS/broker/uptime", "$other/x"}) {
      store_.retain(retained(topic), kNow);
    }
  }
  std::vector<std::string> match(std::string_view filter) { return topics(store_.matching(filter, kNow)); }

  RetainedStore store_{nullptr};
};

TEST_F(RetainedStoreTest, ExactTopic) {
  EXPECT_EQ(match("sport/tennis"), std::vector<std::string>{"sport/tennis"});
  EXPECT_TRUE(match("sport/cricket").empty());
  EXPECT_EQ(match("a//b"), std::vector<std::string>{"a//b"});
}

TEST_F(RetainedStoreTest, SingleLevelWildcard) {
  EXPECT_EQ(match("sport/+"), (std::vector<std::string>{"sport/golf", "sport/tennis"}));
  EXPECT_EQ(match("sport/+/+"), (std::vector<std::string>{"sport/tennis/player1", "sport/tennis/player2"}));
  EXPECT_EQ(match("+/leading"), std::vector<std::string>{"/leading"});
  EXPECT_EQ(match("a/+/b"), std::vector<std::string>{"a//b"});
}

TEST_F(RetainedStoreTest, MQTT_4_7_1_2_MultiLevelWildcardIncludesTheParent) {
  EXPECT_EQ(match("sport/tennis/#"),
            (std::vector<std::string>{"sport/tennis", "sport/tennis/player1", "sport/tennis/player2"}));
  EXPECT_EQ(match("sport/#").size(), 5u);
}

TEST_F(RetainedStoreTest, MQTT_4_7_2_1_WildcardsAtTheStartDoNotMatchDollarTopics) {
  const auto all = match("#");
  EXPECT_EQ(all.size(), 7u);
  EXPECT_TRUE(std::none_of(all.begin(), all.end(), [](const std::string& t) { return t.starts_with('$'); }));
  EXPECT_EQ(match("+/broker/uptime"), std::vector<std::string>{});
  EXPECT_EQ(match("$SYS/#"), std::vector<std::string>{"$SYS/broker/uptime"});
  EXPECT_EQ(match("$other/+"), std::vector<std::string>{"$other/x"});
}

TEST_F(RetainedStoreTest, ReplacedAndCleared) {
  store_.retain(retained("sport/golf", "new"), kNow);
  ASSERT_EQ(store_.matching("sport/golf", kNow).size(), 1u);
  EXPECT_EQ(store_.matching("sport/golf", kNow)[0]->payload, "new");
  EXPECT_EQ(store_.size(), 9u);
  store_.retain(retained("sport/tennis", ""), kNow);  // [MQTT-3.3.1-10]
  EXPECT_TRUE(match("sport/tennis").empty());
  EXPECT_EQ(match("sport/tennis/+").size(), 2u);  // its children stay
  store_.retain(retained("no/such/topic", ""), kNow);
  EXPECT_EQ(store_.size(), 8u);
}

TEST_F(RetainedStoreTest, ExpiredMessagesAreNotReturned) {
  mqtt::Publish publish{"expiring", 1, mqtt::QoS::at_least_once, true, false, {}, "x"};
  publish.properties.add_number(mqtt::PropertyId::message_expiry_interval, 10);
  store_.retain(make_message(std::move(publish), "p", kNow), kNow);
  EXPECT_EQ(store_.matching("expiring", kNow + std::chrono::seconds(9)).size(), 1u);
  EXPECT_TRUE(store_.matching("expiring", kNow + std::chrono::seconds(10)).empty());
}

TEST(RetainedStoreDepth, TopicsOfThousandsOfLevelsNeitherOverflowNorLeak) {
  std::string deep;
  for (int i = 0; i < 30'000; ++i) deep += "x/";
  deep += "end";
  {
    RetainedStore store(nullptr);
    store.retain(retained(deep), kNow);
    EXPECT_EQ(store.matching("#", kNow).size(), 1u);
    EXPECT_EQ(store.matching(deep, kNow).size(), 1u);
    std::string pluses;
    for (int i = 0; i < 30'000; ++i) pluses += "+/";
    EXPECT_EQ(store.matching(pluses + "+", kNow).size(), 1u);
  }  // destroyed without recursing through 30,000 levels
  RetainedStore store(nullptr);
  store.retain(retained(deep), kNow);
  store.retain(retained(deep, ""), kNow);
  EXPECT_EQ(store.size(), 0u);
}

}  // namespace
}  // namespace mqwarden::broker

// Topic Aliases a server assigns toward a client (spec 3.3.2.3.4).
#include "mqtt/outgoing_topic_aliases.hpp"

#include <gtest/gtest.h>

namespace mqwarden::mqtt {
namespace {

Publish publish_to(std::string topic) {
  Publish publish;
  publish.topic = std::move(topic);
  publish.payload = "x";
  return publish;
}

std::optional<std::uint32_t> alias_of(const Publish& publish) {
  return publish.properties.number(PropertyId::topic_alias);
}

TEST(OutgoingTopicAliases, FirstUseCarriesTopicAndAliasLaterOnlyTheAlias) {
  OutgoingTopicAliases aliases(5);
  Publish first = publish_to("plant/1/temp");
  EXPECT_TRUE(aliases.apply(first).assigned);
  EXPECT_EQ(first.topic, "plant/1/temp");
  EXPECT_EQ(alias_of(first), 1u);

  Publish again = publish_to("plant/1/temp");
  EXPECT_FALSE(aliases.apply(again).assigned);
  EXPECT_EQ(again.topic, "");  // [MQTT-3.3.2-13]: the alias stands for the topic
  EXPECT_EQ(alias_of(again), 1u);

  Publish other = publish_to("plant/2/temp");
  aliases.apply(other);
  EXPECT_EQ(alias_of(other), 2u);
}

TEST(OutgoingTopicAliases, NeverAboveTheClientsMaximum) {  // [MQTT-3.3.2-9]
  OutgoingTopicAliases aliases(2);
  for (const char* topic : {"a", "b"}) {
    Publish publish = publish_to(topic);
    aliases.apply(publish);
  }
  Publish third = publish_to("c");
  EXPECT_FALSE(aliases.apply(third).assigned);
  EXPECT_EQ(third.topic, "c");
  EXPECT_FALSE(alias_of(third));
  EXPECT_EQ(aliases.size(), 2u);
}

TEST(OutgoingTopicAliases, MaximumZeroMeansNone) {  // [MQTT-3.3.2-8]
  OutgoingTopicAliases aliases(0);
  Publish publish = publish_to("a");
  EXPECT_FALSE(aliases.apply(publish).assigned);
  EXPECT_FALSE(alias_of(publish));
}

TEST(OutgoingTopicAliases, UndoFreesTheNewAlias) {
  OutgoingTopicAliases aliases(1);
  Publish publish = publish_to("big/topic");
  ASSERT_TRUE(aliases.apply(publish).assigned);
  aliases.undo(publish);
  EXPECT_EQ(publish.topic, "big/topic");
  EXPECT_FALSE(alias_of(publish));
  EXPECT_EQ(aliases.size(), 0u);
  Publish next = publish_to("other");
  EXPECT_TRUE(aliases.apply(next).assigned);
  EXPECT_EQ(alias_of(next), 1u);  // the freed alias is used again
}

}  // namespace
}  // namespace mqwarden::mqtt

// SubscriptionTree: adding, replacing and removing subscriptions, shared
// groups, and matching checked against mqtt::topic_matches on random filters
// and topics.
#include "broker/subscription_tree.hpp"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "mqtt/topic.hpp"

namespace mqwarden::broker {
namespace {

// Records what a match visits.
class Recorder : public SubscriptionVisitor {
 public:
  void on_subscription(const Subscription& subscription) override { plain.push_back(subscription); }
  void on_shared_group(std::string_view group, std::span<const Subscription> members,
                       std::size_t& next_member) override {
    groups[std::string(group)] = std::vector<Subscription>(members.begin(), members.end());
    picked[std::string(group)] = members[next_member].subscriber;
    next_member = (next_member + 1) % members.size();
  }

  std::multiset<SubscriberId> subscribers() const {
    std::multiset<SubscriberId> ids;
    for (const auto& s : plain) ids.insert(s.subscriber);
    return ids;
  }

  std::vector<Subscription> plain;
  std::map<std::string, std::vector<Subscription>> groups;
  std::map<std::string, SubscriberId> picked;
};

Subscription sub(SubscriberId id, mqtt::QoS qos = mqtt::QoS::at_most_once, std::uint32_t identifier = 0) {
  return Subscription{id, {qos, false, false, mqtt::RetainHandling::send_on_subscribe}, identifier};
}

std::multiset<SubscriberId> matches(SubscriptionTree& tree, std::string_view topic) {
  Recorder recorder;
  tree.match(topic, recorder);
  return recorder.subscribers();
}

TEST(SubscriptionTree, MatchesExactAndWildcardFilters) {
  SubscriptionTree tree;
  tree.add("sport/tennis/player1", sub(1));
  tree.add("sport/tennis/+", sub(2));
  tree.add("sport/#", sub(3));
  tree.add("#", sub(4));
  tree.add("+/+/+", sub(5));
  tree.add("sport/+/player1/#", sub(6));
  EXPECT_EQ(matches(tree, "sport/tennis/player1"), (std::multiset<SubscriberId>{1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(matches(tree, "sport"), (std::multiset<SubscriberId>{3, 4}));  // "sport/#" matches the parent
  EXPECT_EQ(matches(tree, "sport/tennis"), (std::multiset<SubscriberId>{3, 4}));
  EXPECT_EQ(matches(tree, "news"), (std::multiset<SubscriberId>{4}));
}

TEST(SubscriptionTree, MQTT_4_7_2_1_LeadingWildcardsDoNotMatchDollarTopics) {
  SubscriptionTree tree;
  tree.add("#", sub(1));
  tree.add("+/monitor/Clients", sub(2));
  tree.add("$SYS/#", sub(3));
  tree.add("$SYS/monitor/+", sub(4));
  EXPECT_EQ(matches(tree, "$SYS/monitor/Clients"), (std::multiset<SubscriberId>{3, 4}));
  EXPECT_EQ(matches(tree, "x/monitor/Clients"), (std::multiset<SubscriberId>{1, 2}));
}

TEST(SubscriptionTree, EmptyLevelsAreLevels) {
  SubscriptionTree tree;
  tree.add("+/+", sub(1));
  tree.add("/+", sub(2));
  tree.add("+", sub(3));
  tree.add("a//b", sub(4));
  EXPECT_EQ(matches(tree, "/finance"), (std::multiset<SubscriberId>{1, 2}));
  EXPECT_EQ(matches(tree, "a//b"), (std::multiset<SubscriberId>{4}));
  EXPECT_EQ(matches(tree, "a/"), (std::multiset<SubscriberId>{1}));
}

TEST(SubscriptionTree, MQTT_3_8_4_3_ASecondSubscriptionToTheSameFilterReplacesTheFirst) {
  SubscriptionTree tree;
  EXPECT_TRUE(tree.add("a/b", sub(1, mqtt::QoS::at_most_once)));
  EXPECT_FALSE(tree.add("a/b", sub(1, mqtt::QoS::exactly_once, 7)));
  EXPECT_EQ(tree.size(), 1u);
  Recorder recorder;
  tree.match("a/b", recorder);
  ASSERT_EQ(recorder.plain.size(), 1u);
  EXPECT_EQ(recorder.plain[0], sub(1, mqtt::QoS::exactly_once, 7));
}

TEST(SubscriptionTree, OverlappingFiltersOfOneSubscriberAreEachVisited) {
  SubscriptionTree tree;
  tree.add("a/+", sub(1, mqtt::QoS::at_most_once, 1));
  tree.add("a/#", sub(1, mqtt::QoS::exactly_once, 2));
  Recorder recorder;
  tree.match("a/b", recorder);
  ASSERT_EQ(recorder.plain.size(), 2u);  // merging per subscriber is the router's job
}

TEST(SubscriptionTree, RemoveDeletesOnlyThatSubscriberAndPrunes) {
  SubscriptionTree tree;
  tree.add("a/b/c", sub(1));
  tree.add("a/b/c", sub(2));
  tree.add("a/+/c", sub(3));
  EXPECT_TRUE(tree.remove("a/b/c", 1));
  EXPECT_FALSE(tree.remove("a/b/c", 1));
  EXPECT_FALSE(tree.remove("a/b/x", 2));
  EXPECT_FALSE(tree.remove("a/b", 2));
  EXPECT_EQ(matches(tree, "a/b/c"), (std::multiset<SubscriberId>{2, 3}));
  EXPECT_TRUE(tree.remove("a/b/c", 2));
  EXPECT_TRUE(tree.remove("a/+/c", 3));
  EXPECT_EQ(tree.size(), 0u);
  EXPECT_TRUE(matches(tree, "a/b/c").empty());
  EXPECT_TRUE(tree.add("a/b/c", sub(4)));  // pruned nodes are rebuilt
  EXPECT_EQ(matches(tree, "a/b/c"), (std::multiset<SubscriberId>{4}));
}

TEST(SubscriptionTree, SharedGroupsAreVisitedOnceWithTheirMembers) {
  SubscriptionTree tree;
  tree.add("$share/workers/jobs/+", sub(1));
  tree.add("$share/workers/jobs/+", sub(2));
  tree.add("$share/auditors/jobs/#", sub(3));
  tree.add("jobs/+", sub(4));
  EXPECT_EQ(tree.size(), 4u);

  Recorder first;
  tree.match("jobs/42", first);
  EXPECT_EQ(first.subscribers(), (std::multiset<SubscriberId>{4}));
  ASSERT_EQ(first.groups.size(), 2u);
  EXPECT_EQ(first.groups["workers"].size(), 2u);
  EXPECT_EQ(first.groups["auditors"].size(), 1u);

  // The cursor the visitor advances persists in the tree: round robin.
  Recorder second;
  tree.match("jobs/43", second);
  EXPECT_NE(first.picked["workers"], second.picked["workers"]);

  EXPECT_TRUE(tree.remove("$share/workers/jobs/+", 1));
  EXPECT_FALSE(tree.remove("$share/nobody/jobs/+", 2));
  Recorder third;
  tree.match("jobs/44", third);
  EXPECT_EQ(third.picked["workers"], 2u);
}

TEST(SubscriptionTree, SharedGroupsDoNotMatchDollarTopicsThroughLeadingWildcards) {
  SubscriptionTree tree;
  tree.add("$share/g/#", sub(1));
  Recorder recorder;
  tree.match("$SYS/uptime", recorder);
  EXPECT_TRUE(recorder.groups.empty());
}

// Differential test: random filters and topics over a small alphabet, the
// tree against mqtt::topic_matches applied to every filter.
TEST(SubscriptionTree, AgreesWithTopicMatchesOnRandomFiltersAndTopics) {
  std::mt19937 random(12345);
  const std::vector<std::string> levels{"a", "b", "", "$x"};
  auto random_topic = [&](bool filter) {
    std::string topic;
    const int count = 1 + static_cast<int>(random() % 4);
    for (int i = 0; i < count; ++i) {
      if (i > 0) topic += '/';
      const unsigned pick = random() % (filter ? 7 : 4);
      if (pick == 4 || pick == 5) {
        topic += '+';
      } else if (pick == 6) {
        topic += '#';
        break;
      } else {
        topic += levels[pick];
      }
    }
    return topic.empty() ? std::string("/") : topic;  // a lone empty level is no topic
  };

  for (int round = 0; round < 50; ++round) {
    SubscriptionTree tree;
    std::map<SubscriberId, std::string> filters;
    for (SubscriberId id = 1; id <= 40; ++id) {
      std::string filter = random_topic(true);
      ASSERT_FALSE(mqtt::validate_topic_filter(filter).has_value()) << filter;
      filters[id] = filter;
      tree.add(filter, sub(id));
    }
    for (int probe = 0; probe < 40; ++probe) {
      const std::string topic = random_topic(false);
      std::multiset<SubscriberId> expected;
      for (const auto& [id, filter] : filters) {
        if (mqtt::topic_matches(filter, topic)) expected.insert(id);
      }
      EXPECT_EQ(matches(tree, topic), expected) << "topic '" << topic << "'";
    }
    // Remove half and check again.
    for (SubscriberId id = 1; id <= 40; id += 2) {
      ASSERT_TRUE(tree.remove(filters[id], id));
      filters.erase(id);
    }
    EXPECT_EQ(tree.size(), filters.size());
    for (int probe = 0; probe < 40; ++probe) {
      const std::string topic = random_topic(false);
      std::multiset<SubscriberId> expected;
      for (const auto& [id, filter] : filters) {
        if (mqtt::topic_matches(filter, topic)) expected.insert(id);
      }
      EXPECT_EQ(matches(tree, topic), expected) << "topic '" << topic << "' after removals";
    }
  }
}

TEST(SubscriptionTreeDepth, FiltersOfThousandsOfLevelsNeitherOverflowNorLeak) {
  // The longest topic (65,535 bytes) has 32,768 levels; matching and destroying must not recurse per level.
  std::string topic, pluses, literal;
  for (int i = 0; i < 32'767; ++i) {
    topic += "x/";
    pluses += "+/";
  }
  topic += "x";
  literal = topic;
  pluses += "+";
  {
    SubscriptionTree tree;
    tree.add(pluses, sub(1));
    tree.add(literal, sub(2));
    tree.add("#", sub(3));
    EXPECT_EQ(matches(tree, topic), (std::multiset<SubscriberId>{1, 2, 3}));
    EXPECT_TRUE(tree.remove(literal, 2));
    EXPECT_EQ(matches(tree, topic), (std::multiset<SubscriberId>{1, 3}));
  }  // destroyed with 32,768-level branches in it
}

}  // namespace
}  // namespace mqwarden::broker

// Broker routing: one copy per session over overlapping subscriptions at the
// highest QoS with every subscription identifier, No Local, shared groups
// (a copy of their own), retained messages, and session take-over.
#include "broker/broker.hpp"

#include <gtest/gtest.h>

#include <set>

#include "fakes.hpp"

namespace mqwarden::broker {
namespace {

using testing::InlineExecutor;
using testing::RecordingLink;

const Clock::time_point kNow = Clock::time_point(std::chrono::hours(1));

Subscription subscription(const Session& session, mqtt::QoS qos, std::uint32_t identifier = 0, bool no_local = false) {
  return Subscription{session.id(), {qos, no_local, false, mqtt::RetainHandling::send_on_subscribe}, identifier};
}

MessagePtr message(const std::string& topic, mqtt::QoS qos, const std::string& publisher = "publisher",
                   bool retain = false) {
  return make_message(mqtt::Publish{topic, 1, qos, retain, false, {}, "payload"}, publisher, kNow);
}

mqtt::Publish will_publish() {
  return mqtt::Publish{"will", 0, mqtt::QoS::at_most_once, false, false, {}, "gone"};
}

class BrokerTest : public ::testing::Test {
 protected:
  struct Client {
    std::shared_ptr<RecordingLink> link = std::make_shared<RecordingLink>();
    std::shared_ptr<Session> session;
    bool present = false;
  };

  Client connect(const std::string& id, bool clean_start = true, std::uint32_t expiry = Broker::kNeverExpires) {
    Client client;
    const Broker::ConnectRequest request{id, clean_start, expiry, 100};
    client.session = broker_
                         .connect(
                             request, client.link, [&](bool present) { client.present = present; }, kNow)
                         .session;
    return client;
  }

  static std::vector<mqtt::Publish> publishes(RecordingLink& link) {
    std::vector<mqtt::Publish> out;
    for (auto& packet : link.take()) {
      if (auto* publish = std::get_if<mqtt::Publish>(&packet)) out.push_back(*publish);
    }
    return out;
  }

  InlineExecutor executor_;
  Broker broker_{BrokerOptions{}, executor_, nullptr};
};

TEST_F(BrokerTest, MQTT_3_3_4_2_OverlappingSubscriptionsGiveOneCopyAtTheHighestQoSWithEveryIdentifier) {
  Client client = connect("c");
  broker_.subscribe(client.session, "a/+", subscription(*client.session, mqtt::QoS::at_most_once, 1));
  broker_.subscribe(client.session, "a/#", subscription(*client.session, mqtt::QoS::exactly_once, 2));
  broker_.publish(message("a/b", mqtt::QoS::at_least_once), kNow);
  const auto received = publishes(*client.link);
  ASSERT_EQ(received.size(), 1u);
  EXPECT_EQ(received[0].qos, mqtt::QoS::at_least_once);  // min(message, best subscription)
  std::vector<std::uint32_t> identifiers;
  for (const auto& property : received[0].properties) {
    if (property.id == mqtt::PropertyId::subscription_identifier) identifiers.push_back(property.number);
  }
  EXPECT_EQ(identifiers.size(), 2u);
}

TEST_F(BrokerTest, MQTT_3_8_3_3_NoLocalKeepsAClientsOwnMessagesFromIt) {
  Client client = connect("self");
  broker_.subscribe(client.session, "t", subscription(*client.session, mqtt::QoS::at_most_once, 0, true));
  broker_.publish(message("t", mqtt::QoS::at_most_once, "self"), kNow);
  EXPECT_TRUE(publishes(*client.link).empty());
  broker_.publish(message("t", mqtt::QoS::at_most_once, "other"), kNow);
  EXPECT_EQ(publishes(*client.link).size(), 1u);
}

TEST_F(BrokerTest, SharedAndOrdinarySubscriptionOfOneClientEachGetACopy) {
  Client client = connect("c");
  broker_.subscribe(client.session, "$share/g/t", subscription(*client.session, mqtt::QoS::at_most_once));
  broker_.subscribe(client.session, "t", subscription(*client.session, mqtt::QoS::at_most_once));
  broker_.publish(message("t", mqtt::QoS::at_most_once), kNow);
  EXPECT_EQ(publishes(*client.link).size(), 2u);
}

TEST_F(BrokerTest, SharedGroupsDeliverToOneMemberInTurn) {
  Client first = connect("first");
  Client second = connect("second");
  broker_.subscribe(first.session, "$share/g/t", subscription(*first.session, mqtt::QoS::at_most_once));
  broker_.subscribe(second.session, "$share/g/t", subscription(*second.session, mqtt::QoS::at_most_once));
  for (int i = 0; i < 4; ++i) broker_.publish(message("t", mqtt::QoS::at_most_once), kNow);
  EXPECT_EQ(publishes(*first.link).size(), 2u);
  EXPECT_EQ(publishes(*second.link).size(), 2u);
}

TEST_F(BrokerTest, RetainedMessagesAreKeptReplacedAndCleared) {
  broker_.publish(message("r/1", mqtt::QoS::at_most_once, "p", true), kNow);
  broker_.publish(message("r/2", mqtt::QoS::at_most_once, "p", true), kNow);
  EXPECT_EQ(broker_.retained_messages("r/#", kNow).size(), 2u);
  broker_.publish(make_message(mqtt::Publish{"r/1", 0, mqtt::QoS::at_most_once, true, false, {}, ""}, "p", kNow),
                  kNow);  // [MQTT-3.3.1-10]: an empty retained payload clears the topic
  EXPECT_EQ(broker_.retained_messages("r/#", kNow).size(), 1u);
  EXPECT_TRUE(broker_.retained_messages("r/1", kNow).empty());
}

TEST_F(BrokerTest, MQTT_3_1_4_3_ASecondConnectionTakesTheSessionOver) {
  Client first = connect("same", /*clean_start=*/false);
  broker_.subscribe(first.session, "t", subscription(*first.session, mqtt::QoS::at_least_once));
  Client second = connect("same", /*clean_start=*/false);
  EXPECT_TRUE(first.link->closed);
  EXPECT_EQ(first.link->close_reason, mqtt::ReasonCode::session_taken_over);
  EXPECT_TRUE(second.present);
  EXPECT_EQ(second.session, first.session);
  // The old connection's end does not end the session now owned by the new one.
  EXPECT_EQ(broker_.disconnect(first.session, first.link.get(), 0), Broker::SessionFate::taken_over);
  EXPECT_EQ(broker_.client_counts().sessions, 1u);
  EXPECT_EQ(broker_.client_counts().connected, 1u);
  broker_.publish(message("t", mqtt::QoS::at_least_once), kNow);
  EXPECT_TRUE(publishes(*first.link).empty());
  EXPECT_EQ(publishes(*second.link).size(), 1u);
}

TEST_F(BrokerTest, MQTT_3_1_2_4_CleanStartDiscardsTheOldSessionAndItsSubscriptions) {
  Client first = connect("c", /*clean_start=*/false);
  broker_.subscribe(first.session, "t", subscription(*first.session, mqtt::QoS::at_least_once));
  EXPECT_EQ(broker_.disconnect(first.session, first.link.get(), Broker::kNeverExpires), Broker::SessionFate::kept);
  Client second = connect("c", /*clean_start=*/true);
  EXPECT_NE(second.session, first.session);
  broker_.publish(message("t", mqtt::QoS::at_least_once), kNow);
  EXPECT_TRUE(publishes(*second.link).empty());
}

TEST_F(BrokerTest, MQTT_3_1_2_23_AnOfflineSessionEndsWhenItsExpiryIntervalPasses) {
  Client client = connect("c", /*clean_start=*/false);
  broker_.subscribe(client.session, "t", subscription(*client.session, mqtt::QoS::at_least_once));
  EXPECT_EQ(broker_.disconnect(client.session, client.link.get(), 10), Broker::SessionFate::kept);
  executor_.run_delayed(std::chrono::seconds(9));
  EXPECT_EQ(broker_.client_counts().sessions, 1u);
  executor_.run_delayed(std::chrono::seconds(1));
  EXPECT_EQ(broker_.client_counts().sessions, 0u);
  Client again = connect("c", /*clean_start=*/false);
  broker_.publish(message("t", mqtt::QoS::at_least_once), kNow);
  EXPECT_TRUE(publishes(*again.link).empty());  // its subscriptions ended with it
}

TEST_F(BrokerTest, AReconnectionStopsTheExpiryOfTheOfflinePeriodBeforeIt) {
  Client client = connect("c", /*clean_start=*/false);
  broker_.disconnect(client.session, client.link.get(), 10);
  Client again = connect("c", /*clean_start=*/false);
  executor_.run_delayed(std::chrono::seconds(10));
  EXPECT_EQ(broker_.client_counts().sessions, 1u);
  EXPECT_EQ(again.session, client.session);
}

TEST_F(BrokerTest, ReconnectingOftenLeavesAtMostOneTimerPerSession) {
  Client client = connect("flapper", /*clean_start=*/false);
  for (int i = 0; i < 100; ++i) {
    broker_.disconnect(client.session, client.link.get(), 3600);
    broker_.publish_will_later(client.session, will_publish(), std::chrono::seconds(600));
    client = connect("flapper", /*clean_start=*/false);
  }
  EXPECT_EQ(executor_.pending(), 0u);  // every offline period's timers were cancelled by the reconnection
  broker_.disconnect(client.session, client.link.get(), 3600);
  broker_.publish_will_later(client.session, will_publish(), std::chrono::seconds(600));
  EXPECT_EQ(executor_.pending(), 2u);  // the expiry and the will of the current offline period
}

TEST_F(BrokerTest, MQTT_3_1_3_9_ADeferredWillIsPublishedAfterItsDelay) {
  Client watcher = connect("watcher");
  broker_.subscribe(watcher.session, "will", subscription(*watcher.session, mqtt::QoS::at_most_once));
  Client client = connect("c", /*clean_start=*/false);
  ASSERT_EQ(broker_.disconnect(client.session, client.link.get(), 60), Broker::SessionFate::kept);
  broker_.publish_will_later(client.session, will_publish(), std::chrono::seconds(5));
  executor_.run_delayed(std::chrono::seconds(4));
  EXPECT_TRUE(publishes(*watcher.link).empty());
  executor_.run_delayed(std::chrono::seconds(1));
  EXPECT_EQ(publishes(*watcher.link).size(), 1u);
}

TEST_F(BrokerTest, MQTT_3_1_3_9_AReconnectionBeforeTheWillDelayCancelsTheWill) {
  Client watcher = connect("watcher");
  broker_.subscribe(watcher.session, "will", subscription(*watcher.session, mqtt::QoS::at_most_once));
  Client client = connect("c", /*clean_start=*/false);
  broker_.disconnect(client.session, client.link.get(), 60);
  broker_.publish_will_later(client.session, will_publish(), std::chrono::seconds(5));
  Client again = connect("c", /*clean_start=*/false);
  executor_.run_delayed(std::chrono::seconds(60));
  EXPECT_TRUE(publishes(*watcher.link).empty());
}

TEST_F(BrokerTest, ADeferredWillIsPublishedWhenTheSessionEndsBeforeTheDelay) {
  Client watcher = connect("watcher");
  broker_.subscribe(watcher.session, "will", subscription(*watcher.session, mqtt::QoS::at_most_once));
  Client client = connect("c", /*clean_start=*/false);
  broker_.disconnect(client.session, client.link.get(), 2);
  broker_.publish_will_later(client.session, will_publish(), std::chrono::seconds(30));
  executor_.run_delayed(std::chrono::seconds(2));
  EXPECT_EQ(publishes(*watcher.link).size(), 1u);
  executor_.run_delayed(std::chrono::seconds(30));
  EXPECT_TRUE(publishes(*watcher.link).empty());  // once only
}

TEST_F(BrokerTest, TakingOverAConnectionWhoseSessionEndsWithItStartsANewSession) {
  Client first = connect("c", /*clean_start=*/false, /*expiry=*/0);
  broker_.subscribe(first.session, "t", subscription(*first.session, mqtt::QoS::at_least_once));
  Client second = connect("c", /*clean_start=*/false);
  EXPECT_FALSE(second.present);  // [MQTT-3.1.2-6]: no state of the ended session is reused
  EXPECT_NE(second.session, first.session);
  EXPECT_EQ(broker_.disconnect(first.session, first.link.get(), 0), Broker::SessionFate::ended);
  broker_.publish(message("t", mqtt::QoS::at_least_once), kNow);
  EXPECT_TRUE(publishes(*second.link).empty());
}

// The registry is keyed by a view of the session's own identifier: a session
// replaced by a clean start takes the key with it (ASan would see a key left
// pointing into the ended session).
TEST_F(BrokerTest, AReplacedSessionLeavesItsClientFindable) {
  const std::string id = "a-client-identifier-longer-than-the-short-string-buffer";
  Client first = connect(id, /*clean_start=*/false);
  Client second = connect(id, /*clean_start=*/true);
  ASSERT_NE(second.session, first.session);
  first = Client{};  // the ended session goes
  EXPECT_EQ(broker_.client_counts().sessions, 1u);
  EXPECT_TRUE(broker_.disconnect_client(id, mqtt::ReasonCode::administrative_action));
  EXPECT_TRUE(second.link->closed);
  Client third = connect(id, /*clean_start=*/false);
  EXPECT_TRUE(third.present);
  EXPECT_EQ(third.session, second.session);
}

TEST_F(BrokerTest, AClientIdentifierIsNeverAssignedTwice) {
  std::set<std::string> ids;
  for (int i = 0; i < 100; ++i) ids.insert(broker_.assign_client_id());
  EXPECT_EQ(ids.size(), 100u);
}

TEST_F(BrokerTest, MQTT_3_1_3_9_ACleanStartPublishesTheDeferredWillOfTheSessionItEnds) {
  Client watcher = connect("watcher");
  broker_.subscribe(watcher.session, "will", subscription(*watcher.session, mqtt::QoS::at_most_once));
  Client client = connect("c", /*clean_start=*/false);
  broker_.disconnect(client.session, client.link.get(), 60);
  broker_.publish_will_later(client.session, will_publish(), std::chrono::seconds(30));
  connect("c", /*clean_start=*/true);
  EXPECT_EQ(publishes(*watcher.link).size(), 1u);
}

// Two workers; the test runs as worker 0, and worker 1 runs what is posted to it only when told.
class TwoWorkers final : public WorkerExecutor {
 public:
  std::size_t worker_count() const override { return 2; }
  std::size_t current_worker() const override { return 0; }
  void post(std::size_t worker, std::function<void()> task) override {
    worker == 0 ? task() : queued.push_back(std::move(task));
  }
  std::shared_ptr<ScheduledTask> post_after(std::size_t, std::chrono::milliseconds, std::function<void()>) override {
    ADD_FAILURE() << "no delayed task expected";
    return nullptr;
  }
  void run_worker_1() {
    for (auto& task : std::exchange(queued, {})) task();
  }
  std::vector<std::function<void()>> queued;
};

TEST(BrokerReplicas, AcknowledgementWaitsUntilEveryWorkerHasTheChange) {
  TwoWorkers workers;
  Broker broker(BrokerOptions{}, workers, nullptr);
  auto link = std::make_shared<RecordingLink>();
  auto session = broker
                     .connect(
                         {"c", true, 0, 100}, link, [](bool) {}, kNow)
                     .session;
  broker.subscribe(session, "t", subscription(*session, mqtt::QoS::at_most_once));
  bool acknowledged = false;
  broker.after_replica_updates([&] { acknowledged = true; });
  EXPECT_FALSE(acknowledged);  // worker 1 has not applied the subscription yet
  workers.run_worker_1();
  EXPECT_TRUE(acknowledged);
}

}  // namespace
}  // namespace mqwarden::broker

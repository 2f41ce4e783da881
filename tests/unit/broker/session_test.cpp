// Session: the QoS 1/2 window toward the client, packet identifiers, the
// offline queue and its bound, resending on reconnect, and exactly-once receipt.
#include "broker/session.hpp"

#include <gtest/gtest.h>

#include <set>

#include "fakes.hpp"

namespace mqwarden::broker {
namespace {

using testing::RecordingLink;

const Clock::time_point kNow = Clock::time_point(std::chrono::hours(1));

MessagePtr message(std::string topic, mqtt::QoS qos, std::string payload = "p") {
  return make_message(mqtt::Publish{std::move(topic), 1, qos, false, false, {}, std::move(payload)}, "publisher", kNow);
}

Delivery delivery(mqtt::QoS qos, std::string payload = "p") {
  return Delivery{message("t", qos, payload), qos, false, {}};
}

const mqtt::Publish& publish_at(const std::vector<mqtt::Packet>& packets, std::size_t i) {
  return std::get<mqtt::Publish>(packets.at(i));
}

TEST(Session, SendsAtOnceWhenConnected) {
  auto link = std::make_shared<RecordingLink>();
  Session session("c", 1, {});
  session.attach(link, 10, kNow);
  session.deliver(delivery(mqtt::QoS::at_most_once), kNow);
  session.deliver(delivery(mqtt::QoS::at_least_once), kNow);
  const auto sent = link->take();
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(publish_at(sent, 0).packet_id, 0);
  EXPECT_NE(publish_at(sent, 1).packet_id, 0);  // [MQTT-2.2.1-4]
  EXPECT_EQ(session.in_flight(), 1u);
}

TEST(Session, HoldsQoS1And2BeyondTheReceiveMaximumAndSendsThemAsAcksArrive) {
  auto link = std::make_shared<RecordingLink>();
  Session session("c", 1, {});
  session.attach(link, 2, kNow);
  for (int i = 0; i < 5; ++i) session.deliver(delivery(mqtt::QoS::at_least_once, std::to_string(i)), kNow);
  auto sent = link->take();
  ASSERT_EQ(sent.size(), 2u);  // [MQTT-3.3.4-7]
  EXPECT_EQ(session.queued(), 3u);
  // QoS 0 is not held back by the window.
  session.deliver(delivery(mqtt::QoS::at_most_once), kNow);
  EXPECT_EQ(link->take().size(), 1u);

  EXPECT_TRUE(session.on_puback(publish_at(sent, 0).packet_id, kNow));
  sent = link->take();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(publish_at(sent, 0).payload, "2");  // in order
  EXPECT_FALSE(session.on_puback(12345, kNow));
}

TEST(Session, MQTT_3_3_4_7_ResendsNoMoreThanTheNewReceiveMaximumAllows) {
  auto link = std::make_shared<RecordingLink>();
  Session session("c", 1, {});
  session.attach(link, 3, kNow);
  for (int i = 0; i < 4; ++i) session.deliver(delivery(mqtt::QoS::at_least_once, std::to_string(i)), kNow);
  const auto first = link->take();
  ASSERT_EQ(first.size(), 3u);
  session.detach(link.get());

  auto again = std::make_shared<RecordingLink>();
  session.attach(again, 1, kNow);  // the client came back with a window of one
  auto sent = again->take();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(publish_at(sent, 0).payload, "0");
  EXPECT_TRUE(publish_at(sent, 0).dup);
  EXPECT_EQ(publish_at(sent, 0).packet_id, publish_at(first, 0).packet_id);
  for (const char* next : {"1", "2"}) {
    ASSERT_TRUE(session.on_puback(publish_at(sent, 0).packet_id, kNow));
    sent = again->take();
    ASSERT_EQ(sent.size(), 1u);
    EXPECT_EQ(publish_at(sent, 0).payload, next);  // a resend, with its identifier
    EXPECT_TRUE(publish_at(sent, 0).dup);
  }
  ASSERT_TRUE(session.on_puback(publish_at(sent, 0).packet_id, kNow));
  sent = again->take();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(publish_at(sent, 0).payload, "3");  // then the queue: a first send
  EXPECT_FALSE(publish_at(sent, 0).dup);
}

TEST(Session, AnAcknowledgementForAMessageNotYetResentFreesItsPlace) {
  auto link = std::make_shared<RecordingLink>();
  Session session("c", 1, {});
  session.attach(link, 2, kNow);
  for (int i = 0; i < 2; ++i) session.deliver(delivery(mqtt::QoS::at_least_once, std::to_string(i)), kNow);
  const auto first = link->take();
  session.detach(link.get());
  auto again = std::make_shared<RecordingLink>();
  session.attach(again, 1, kNow);
  ASSERT_EQ(again->take().size(), 1u);
  // The client acknowledges the second message, which it had from the first connection.
  EXPECT_TRUE(session.on_puback(publish_at(first, 1).packet_id, kNow));
  EXPECT_EQ(session.in_flight(), 1u);
  session.deliver(delivery(mqtt::QoS::at_least_once, "new"), kNow);
  EXPECT_TRUE(again->take().empty());  // the window of one is taken by "0"
  EXPECT_TRUE(session.on_puback(publish_at(first, 0).packet_id, kNow));
  const auto sent = again->take();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(publish_at(sent, 0).payload, "new");
}

TEST(Session, PacketIdentifiersInFlightAreUnique) {
  auto link = std::make_shared<RecordingLink>();
  Session session("c", 1, {});
  session.attach(link, 100, kNow);
  std::set<std::uint16_t> ids;
  for (int i = 0; i < 100; ++i) session.deliver(delivery(mqtt::QoS::at_least_once), kNow);
  for (const auto& packet : link->take()) ids.insert(std::get<mqtt::Publish>(packet).packet_id);
  EXPECT_EQ(ids.size(), 100u);
  EXPECT_FALSE(ids.contains(0));
}

TEST(Session, QoS2OutgoingExchange) {
  auto link = std::make_shared<RecordingLink>();
  Session session("c", 1, {});
  session.attach(link, 1, kNow);
  session.deliver(delivery(mqtt::QoS::exactly_once, "a"), kNow);
  session.deliver(delivery(mqtt::QoS::exactly_once, "b"), kNow);
  auto sent = link->take();
  ASSERT_EQ(sent.size(), 1u);
  const std::uint16_t id = publish_at(sent, 0).packet_id;
  EXPECT_FALSE(session.on_puback(id, kNow));   // wrong acknowledgement for QoS 2
  EXPECT_FALSE(session.on_pubcomp(id, kNow));  // PUBCOMP before PUBREC
  EXPECT_TRUE(session.on_pubrec(id, mqtt::ReasonCode::success, kNow));
  sent = link->take();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(std::get<mqtt::Pubrel>(sent[0]).packet_id, id);
  EXPECT_TRUE(session.on_pubcomp(id, kNow));
  sent = link->take();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(publish_at(sent, 0).payload, "b");
}

TEST(Session, UnknownPubrecIsAnsweredWithPacketIdentifierNotFound) {
  auto link = std::make_shared<RecordingLink>();
  Session session("c", 1, {});
  session.attach(link, 1, kNow);
  EXPECT_FALSE(session.on_pubrec(77, mqtt::ReasonCode::success, kNow));
  const auto sent = link->take();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(std::get<mqtt::Pubrel>(sent[0]).reason_code, mqtt::ReasonCode::packet_identifier_not_found);
}

TEST(Session, OfflineQueueKeepsQoS1And2DropsQoS0AndIsBounded) {
  Session session("c", 1, SessionLimits{.max_queued_messages = 3, .max_queued_bytes = 1 << 20});
  session.deliver(delivery(mqtt::QoS::at_most_once), kNow);
  for (int i = 0; i < 5; ++i) session.deliver(delivery(mqtt::QoS::at_least_once, std::to_string(i)), kNow);
  EXPECT_EQ(session.queued(), 3u);
  EXPECT_EQ(session.dropped(), 2u);  // the newest are dropped when the queue is full

  auto link = std::make_shared<RecordingLink>();
  session.attach(link, 10, kNow);
  const auto sent = link->take();
  ASSERT_EQ(sent.size(), 3u);
  EXPECT_EQ(publish_at(sent, 0).payload, "0");
  EXPECT_EQ(publish_at(sent, 2).payload, "2");
}

TEST(Session, OfflineQueueIsBoundedInBytes) {
  Session session("c", 1, SessionLimits{.max_queued_messages = 100, .max_queued_bytes = 25});
  session.deliver(delivery(mqtt::QoS::at_least_once, std::string(10, 'x')), kNow);  // 11 bytes with topic "t"
  session.deliver(delivery(mqtt::QoS::at_least_once, std::string(10, 'x')), kNow);
  session.deliver(delivery(mqtt::QoS::at_least_once, std::string(10, 'x')), kNow);
  EXPECT_EQ(session.queued(), 2u);
  EXPECT_EQ(session.dropped(), 1u);
}

TEST(Session, MQTT_4_4_0_1_ResendsUnacknowledgedInOrderWithDupOnReconnect) {
  Session session("c", 1, {});
  auto first = std::make_shared<RecordingLink>();
  session.attach(first, 10, kNow);
  session.deliver(delivery(mqtt::QoS::at_least_once, "one"), kNow);
  session.deliver(delivery(mqtt::QoS::exactly_once, "two"), kNow);
  session.deliver(delivery(mqtt::QoS::exactly_once, "three"), kNow);
  auto sent = first->take();
  const std::uint16_t three = publish_at(sent, 2).packet_id;
  ASSERT_TRUE(session.on_pubrec(three, mqtt::ReasonCode::success, kNow));  // "three" awaits PUBCOMP
  session.detach(first.get());

  auto second = std::make_shared<RecordingLink>();
  session.attach(second, 10, kNow);
  sent = second->take();
  ASSERT_EQ(sent.size(), 3u);
  EXPECT_EQ(publish_at(sent, 0).payload, "one");
  EXPECT_TRUE(publish_at(sent, 0).dup);  // [MQTT-3.3.1-1]
  EXPECT_EQ(publish_at(sent, 1).payload, "two");
  EXPECT_TRUE(publish_at(sent, 1).dup);
  EXPECT_EQ(std::get<mqtt::Pubrel>(sent[2]).packet_id, three);
}

TEST(Session, ExpiredMessagesAreNotSent) {
  Session session("c", 1, {});
  mqtt::Publish publish{"t", 1, mqtt::QoS::at_least_once, false, false, {}, "x"};
  publish.properties.add_number(mqtt::PropertyId::message_expiry_interval, 10);
  session.deliver(Delivery{make_message(std::move(publish), "p", kNow), mqtt::QoS::at_least_once, false, {}}, kNow);
  auto link = std::make_shared<RecordingLink>();
  session.attach(link, 10, kNow + std::chrono::seconds(11));  // [MQTT-3.3.2-5]
  EXPECT_TRUE(link->take().empty());
}

TEST(Session, MessageExpiryIntervalIsTheTimeLeft) {
  Session session("c", 1, {});
  mqtt::Publish publish{"t", 1, mqtt::QoS::at_least_once, false, false, {}, "x"};
  publish.properties.add_number(mqtt::PropertyId::message_expiry_interval, 10);
  session.deliver(Delivery{make_message(std::move(publish), "p", kNow), mqtt::QoS::at_least_once, false, {}}, kNow);
  auto link = std::make_shared<RecordingLink>();
  session.attach(link, 10, kNow + std::chrono::seconds(4));
  const auto sent = link->take();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(publish_at(sent, 0).properties.number(mqtt::PropertyId::message_expiry_interval), 6u);  // [MQTT-3.3.2-6]
}

TEST(Session, MessagesTooLargeForTheClientAreDiscarded) {
  auto link = std::make_shared<RecordingLink>();
  link->max_packet_size = 50;
  Session session("c", 1, {});
  session.attach(link, 10, kNow);
  session.deliver(delivery(mqtt::QoS::at_least_once, std::string(100, 'x')), kNow);  // [MQTT-3.1.2-25]
  EXPECT_TRUE(link->take().empty());
  EXPECT_EQ(session.in_flight(), 0u);
}

TEST(Session, MQTT_4_3_3_ExactlyOnceReceipt) {
  Session session("c", 1, {});
  EXPECT_EQ(session.receive_qos2(5, 2), Session::Qos2Receipt::new_message);
  EXPECT_EQ(session.receive_qos2(5, 2), Session::Qos2Receipt::duplicate);
  EXPECT_EQ(session.receive_qos2(6, 2), Session::Qos2Receipt::new_message);
  EXPECT_EQ(session.receive_qos2(7, 2), Session::Qos2Receipt::over_limit);
  EXPECT_TRUE(session.release_qos2(5));
  EXPECT_FALSE(session.release_qos2(5));
  EXPECT_EQ(session.receive_qos2(5, 2), Session::Qos2Receipt::new_message);  // a new message after PUBREL
}

// The session gives its backlog back once its window and queue are empty:
// what else the backlog holds (QoS 2 identifiers awaiting PUBREL) must stay.
TEST(Session, AnEmptiedWindowKeepsTheQoS2IdentifiersAwaitingRelease) {
  auto link = std::make_shared<RecordingLink>();
  Session session("c", 1, {});
  session.attach(link, 10, kNow);
  EXPECT_EQ(session.receive_qos2(9, 10), Session::Qos2Receipt::new_message);
  session.deliver(delivery(mqtt::QoS::at_least_once), kNow);
  const std::uint16_t id = publish_at(link->take(), 0).packet_id;
  EXPECT_TRUE(session.on_puback(id, kNow));
  EXPECT_EQ(session.in_flight(), 0u);
  EXPECT_EQ(session.receive_qos2(9, 10), Session::Qos2Receipt::duplicate);
  EXPECT_TRUE(session.release_qos2(9));
  // Emptied entirely, the session goes on as before, with fresh identifiers.
  session.deliver(delivery(mqtt::QoS::at_least_once), kNow);
  const std::uint16_t next = publish_at(link->take(), 0).packet_id;
  EXPECT_NE(next, 0);
  EXPECT_NE(next, id);
  EXPECT_EQ(session.in_flight(), 1u);
  EXPECT_FALSE(session.on_puback(id, kNow));
  EXPECT_TRUE(session.on_puback(next, kNow));
}

TEST(Session, MQTT_4_3_3_4_ARepeatedPubrecIsAnsweredWithPubrelAgain) {
  auto link = std::make_shared<RecordingLink>();
  Session session("c", 1, {});
  session.attach(link, 10, kNow);
  session.deliver(delivery(mqtt::QoS::exactly_once), kNow);
  const std::uint16_t id = publish_at(link->take(), 0).packet_id;
  ASSERT_TRUE(session.on_pubrec(id, mqtt::ReasonCode::success, kNow));
  EXPECT_TRUE(session.on_pubrec(id, mqtt::ReasonCode::success, kNow));
  const auto sent = link->take();
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(std::get<mqtt::Pubrel>(sent[1]).reason_code, mqtt::ReasonCode::success);
}

TEST(Session, DetachLeavesANewerLinkAlone) {
  Session session("c", 1, {});
  auto old_link = std::make_shared<RecordingLink>();
  auto new_link = std::make_shared<RecordingLink>();
  session.attach(old_link, 10, kNow);
  session.attach(new_link, 10, kNow);
  session.detach(old_link.get());
  EXPECT_TRUE(session.attached());
}

TEST(Session, AnEndedSessionTakesNoSubscriptionsOrMessages) {
  auto link = std::make_shared<RecordingLink>();
  Session session("c", 1, {});
  session.attach(link, 10, kNow);
  int replica_updates = 0;
  EXPECT_EQ(session.record_subscription("a", {}, [&] { ++replica_updates; }), std::optional<bool>(true));
  EXPECT_EQ(session.record_subscription("a", {}, [&] { ++replica_updates; }), std::optional<bool>(false));
  std::size_t removed = 0;
  session.end([&](const auto& subscriptions) { removed = subscriptions.size(); });
  EXPECT_EQ(removed, 1u);
  EXPECT_EQ(session.record_subscription("b", {}, [&] { ++replica_updates; }), std::nullopt);
  EXPECT_EQ(replica_updates, 2);
  session.deliver(delivery(mqtt::QoS::at_most_once), kNow);
  EXPECT_TRUE(link->take().empty());
}

}  // namespace
}  // namespace mqwarden::broker

// The broker's enforcement points against a real policy engine: per-subscriber
// deny, modify on one copy only, delay within its bounds, publish verdicts,
// CONNECT and SUBSCRIBE refusals with their reason codes, bans, reactions
// handed to the sink, and nothing asked when the policy does not care.
#include "broker/enforcement.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "broker/broker.hpp"
#include "broker/client_handler.hpp"
#include "fakes.hpp"
#include "policy/engine.hpp"

namespace mqwarden::broker {
namespace {

using testing::engine_with;
using testing::InlineExecutor;
using testing::RecordingControl;
using testing::RecordingLink;

const Clock::time_point kNow = Clock::time_point(std::chrono::hours(1));

class RecordingSink final : public ReactionSink {
 public:
  bool submit(const policy::Reaction& reaction, const policy::Event& event) override {
    names.emplace_back(reaction.name);
    clients.emplace_back(event.client.id);
    return accept;
  }
  std::vector<std::string> names;
  std::vector<std::string> clients;
  bool accept = true;
};

std::vector<mqtt::Publish> publishes(RecordingLink& link) {
  std::vector<mqtt::Publish> out;
  for (auto& packet : link.take()) {
    if (auto* publish = std::get_if<mqtt::Publish>(&packet)) out.push_back(*publish);
  }
  return out;
}

class EnforcementTest : public ::testing::Test {
 protected:
  void use(const std::string& policy, EnforcementOptions options = {}, policy::EngineConfig config = {}) {
    enforcement_ = std::make_shared<Enforcement>(engine_with(policy, config), std::move(options));
    enforcement_->set_reaction_sink(&sink_);
    broker_ = std::make_unique<Broker>(BrokerOptions{}, executor_, nullptr, nullptr, enforcement_);
  }

  struct Client {
    std::shared_ptr<RecordingLink> link = std::make_shared<RecordingLink>();
    std::shared_ptr<Session> session;
  };

  Client subscriber(const std::string& id, const std::string& filter, std::vector<std::string> roles = {}) {
    Client client;
    auto identity = std::make_shared<ClientIdentity>();
    identity->id = id;
    identity->roles = std::move(roles);
    const Broker::ConnectRequest request{id, true, 0, 100, identity};
    client.session = broker_->connect(request, client.link, [](bool) {}, kNow).session;
    broker_->subscribe(client.session, filter,
                       Subscription{client.session->id(), {mqtt::QoS::at_least_once}, 0});
    return client;
  }

  void publish(const std::string& topic, const std::string& payload, const std::string& publisher = "writer") {
    auto identity = std::make_shared<ClientIdentity>();
    identity->id = publisher;
    auto message = make_message(mqtt::Publish{topic, 1, mqtt::QoS::at_least_once, false, false, {}, payload},
                                publisher, kNow, identity);
    const Broker::PublishVerdict verdict = broker_->decide_publish(*message);
    if (verdict.allowed) broker_->publish_admitted(message, verdict.delay, kNow);
  }

  InlineExecutor executor_;
  RecordingSink sink_;
  std::shared_ptr<Enforcement> enforcement_;
  std::unique_ptr<Broker> broker_;
};

TEST_F(EnforcementTest, ADeniedDeliverySkipsThatSubscriberOnly) {
  use(R"(rule r { on tentative deliver where subscriber.id == "bob" then deny })");
  Client alice = subscriber("alice", "news/#");
  Client bob = subscriber("bob", "news/#");
  publish("news/1", "hello");
  EXPECT_EQ(publishes(*alice.link).size(), 1u);
  EXPECT_TRUE(publishes(*bob.link).empty());
  EXPECT_EQ(enforcement_->counters().denied_deliveries.load(), 1u);
}

TEST_F(EnforcementTest, ModifyChangesOneSubscribersCopyOnly) {
  use(R"(rule r { on tentative deliver where not subscriber.roles contains "admin"
                  then modify { set payload.name = "anonymous" } })");
  Client admin = subscriber("admin", "id/#", {"admin"});
  Client guest = subscriber("guest", "id/#");
  publish("id/1", R"({"name":"Ada","n":1})");
  EXPECT_EQ(publishes(*admin.link).at(0).payload, R"({"name":"Ada","n":1})");
  EXPECT_EQ(nlohmann::json::parse(publishes(*guest.link).at(0).payload),
            nlohmann::json::parse(R"({"name":"anonymous","n":1})"));
  EXPECT_EQ(enforcement_->counters().modified_deliveries.load(), 1u);
}

TEST_F(EnforcementTest, DelayHoldsADeliveryUntilItsTimeAndIsBounded) {
  EnforcementOptions options;
  options.max_delayed_messages = 1;
  use(R"(rule r { on tentative deliver where subscriber.id == "late" then delay 2 s })", options);
  Client late = subscriber("late", "gps/+");
  publish("gps/a", "first");
  publish("gps/a", "second");  // over the bound: dropped
  EXPECT_TRUE(publishes(*late.link).empty());
  executor_.run_delayed(std::chrono::milliseconds(1999));
  EXPECT_TRUE(publishes(*late.link).empty());
  executor_.run_delayed(std::chrono::milliseconds(1));
  auto received = publishes(*late.link);
  ASSERT_EQ(received.size(), 1u);
  EXPECT_EQ(received[0].payload, "first");
  EXPECT_EQ(enforcement_->counters().dropped_delays.load(), 1u);
  publish("gps/a", "third");  // the slot is free again
  executor_.run_delayed(std::chrono::seconds(2));
  EXPECT_EQ(publishes(*late.link).size(), 1u);
}

TEST_F(EnforcementTest, ADeniedPublishIsNotRoutedAndAPublishModificationReachesEveryone) {
  use(R"(rule deny_ro { on tentative publish where topic matches "ro/#" then deny reason "read only" code 0x97 }
         rule strip { on tentative publish where topic == "t" then modify { remove payload.secret } })");
  Client alice = subscriber("alice", "#");
  auto identity = std::make_shared<ClientIdentity>();
  identity->id = "writer";
  Message denied;
  denied.topic = "ro/x";
  denied.publisher_identity = identity;
  const Broker::PublishVerdict verdict = broker_->decide_publish(denied);
  EXPECT_FALSE(verdict.allowed);
  EXPECT_EQ(verdict.reason_code, std::optional<std::uint8_t>(0x97));
  publish("t", R"({"a":1,"secret":2})");
  EXPECT_EQ(publishes(*alice.link).at(0).payload, R"({"a":1})");
}

TEST_F(EnforcementTest, ReactionsGoToTheSinkAndADroppedOneIsCounted) {
  use(R"(rule r { on actual publish where topic == "door" then execute log("info", "door") })");
  subscriber("alice", "#");
  publish("door", "open", "sensor");
  EXPECT_EQ(sink_.names, std::vector<std::string>{"log"});
  EXPECT_EQ(sink_.clients, std::vector<std::string>{"sensor"});
  sink_.accept = false;
  publish("door", "open", "sensor");
  EXPECT_EQ(enforcement_->counters().dropped_reactions.load(), 1u);
}

TEST_F(EnforcementTest, EventKindsThePolicyDoesNotMentionAreNotOffered) {
  use(R"(rule r { on tentative subscribe then deny })");
  EXPECT_TRUE(enforcement_->wants(policy::Mode::tentative, policy::Activity::subscribe));
  EXPECT_FALSE(enforcement_->wants(policy::Mode::tentative, policy::Activity::deliver));
  EXPECT_FALSE(enforcement_->wants(policy::Mode::actual, policy::Activity::publish));
  policy::EngineConfig config;
  config.default_verdict[static_cast<std::size_t>(policy::Activity::publish)] = policy::Verdict::deny;
  use("", {}, config);
  EXPECT_TRUE(enforcement_->wants(policy::Mode::tentative, policy::Activity::publish));
}

TEST(EnforcementInactive, WantsNothing) {
  Enforcement enforcement(nullptr);
  EXPECT_FALSE(enforcement.active());
  EXPECT_FALSE(enforcement.wants(policy::Mode::tentative, policy::Activity::connect));
}

// --- the handler's refusals -------------------------------------------------

class HandlerEnforcementTest : public EnforcementTest {
 protected:
  mqtt::Connack connect(const std::string& id, mqtt::ProtocolVersion version = mqtt::ProtocolVersion::v5) {
    handler_ = std::make_unique<ClientHandler>(*broker_, control_);
    mqtt::Connect packet;
    packet.version = version;
    packet.client_id = id;
    handler_->on_packet(std::move(packet), kNow);
    return std::get<mqtt::Connack>(link_->take().at(0));
  }

  std::shared_ptr<RecordingLink> link_ = std::make_shared<RecordingLink>();
  RecordingControl control_{link_};
  std::unique_ptr<ClientHandler> handler_;
};

TEST_F(HandlerEnforcementTest, ADeniedConnectGetsNotAuthorizedOrTheDenysCode) {
  use(R"(rule a { on tentative connect where client.id == "mallory" then deny }
         rule b { on tentative connect where client.id == "busy" then deny code 0x89 }
         rule c { on tentative connect where client.id == "odd" then deny code 0x8F })");
  broker_ = std::make_unique<Broker>(BrokerOptions{.allow_anonymous = true}, executor_, nullptr, nullptr, enforcement_);
  EXPECT_EQ(connect("mallory").reason_code, mqtt::ReasonCode::not_authorized);
  EXPECT_TRUE(link_->closed);
  EXPECT_EQ(connect("busy").reason_code, mqtt::ReasonCode::server_busy);
  EXPECT_EQ(connect("odd").reason_code, mqtt::ReasonCode::not_authorized);  // 0x8F is not a CONNACK code
  EXPECT_EQ(connect("alice").reason_code, mqtt::ReasonCode::success);
}

TEST_F(HandlerEnforcementTest, ABannedClientIsRefusedUntilTheBanEnds) {
  use("");
  broker_ = std::make_unique<Broker>(BrokerOptions{.allow_anonymous = true}, executor_, nullptr, nullptr, enforcement_);
  enforcement_->bans().ban("intruder", std::chrono::system_clock::now() + std::chrono::minutes(1));
  enforcement_->bans().ban("127.0.0.2", std::chrono::system_clock::now() + std::chrono::minutes(1));
  EXPECT_EQ(connect("intruder").reason_code, mqtt::ReasonCode::banned);
  EXPECT_EQ(connect("someone").reason_code, mqtt::ReasonCode::success);  // control_ is 127.0.0.1
  enforcement_->bans().ban("127.0.0.1", std::chrono::system_clock::now() + std::chrono::minutes(1));
  EXPECT_EQ(connect("someone").reason_code, mqtt::ReasonCode::banned);
}

TEST_F(HandlerEnforcementTest, ADeniedFilterGetsItsCodeAndTheOthersAreGranted) {
  use(R"(rule r { on tentative subscribe where topic matches "secret/#" then deny })");
  broker_ = std::make_unique<Broker>(BrokerOptions{.allow_anonymous = true}, executor_, nullptr, nullptr, enforcement_);
  ASSERT_EQ(connect("s").reason_code, mqtt::ReasonCode::success);
  mqtt::Subscribe subscribe{1, {}, {{"secret/a", {mqtt::QoS::at_least_once}}, {"public", {mqtt::QoS::at_least_once}}}};
  handler_->on_packet(std::move(subscribe), kNow);
  const auto suback = std::get<mqtt::Suback>(link_->take().at(0));
  EXPECT_EQ(suback.reason_codes,
            (std::vector<mqtt::ReasonCode>{mqtt::ReasonCode::not_authorized, mqtt::ReasonCode::granted_qos_1}));
  EXPECT_EQ(enforcement_->counters().denied_subscribes.load(), 1u);
}

// --- the ban list ------------------------------------------------------------

TEST(BanList, BansClientsAndAddressesUntilTheyExpire) {
  BanList bans;
  const auto now = std::chrono::system_clock::now();
  bans.ban("device-7", now + std::chrono::seconds(10));
  bans.ban("10.0.0.9", now + std::chrono::seconds(10));
  bans.ban("fd00::1", now + std::chrono::seconds(10));
  EXPECT_TRUE(bans.banned("device-7", "1.2.3.4", now));
  EXPECT_TRUE(bans.banned("other", "10.0.0.9", now));
  EXPECT_TRUE(bans.banned("other", "fd00::1", now));
  EXPECT_FALSE(bans.banned("10.0.0.9", "1.2.3.4", now));  // an address bans the address, not a client of that name
  EXPECT_FALSE(bans.banned("device-7", "", now + std::chrono::seconds(10)));
  EXPECT_EQ(bans.size(now + std::chrono::seconds(10)), 0u);
}

TEST(BanList, ALongerBanWinsAndAShorterOneDoesNotShortenIt) {
  BanList bans;
  const auto now = std::chrono::system_clock::now();
  bans.ban("d", now + std::chrono::seconds(60));
  bans.ban("d", now + std::chrono::seconds(1));
  EXPECT_TRUE(bans.banned("d", "", now + std::chrono::seconds(30)));
}

TEST(RemoteAddress, SplitsIpv4AndBracketedIpv6) {
  ClientIdentity identity;
  set_remote_address(identity, "10.1.2.3:1883");
  EXPECT_EQ(identity.ip, "10.1.2.3");
  EXPECT_EQ(identity.port, 1883);
  set_remote_address(identity, "[fd00::1]:50000");
  EXPECT_EQ(identity.ip, "fd00::1");
  EXPECT_EQ(identity.port, 50000);
}

}  // namespace
}  // namespace mqwarden::broker

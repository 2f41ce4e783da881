// Delayed deliveries with persistence: a QoS 1/2 delivery a policy delays for
// a persistent session is stored until its delay is over, then becomes one of
// the session's deliveries; a restart waits for the rest of the delay, within
// the delay queue's bounds. QoS 0 and sessions that end with their connection
// are held in memory only.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "broker/broker.hpp"
#include "fakes.hpp"

namespace mqwarden::broker {
namespace {

using testing::engine_with;
using testing::InlineExecutor;
using testing::RecordingLink;

constexpr auto kDelay = std::chrono::seconds(2);

class DelayedDeliveryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    directory_ =
        std::filesystem::temp_directory_path() / ("mqwarden-delayed-test-" + std::to_string(::getpid()) + "-" +
                                                  ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(directory_);
    std::filesystem::create_directories(directory_);
  }
  void TearDown() override {
    stop();
    std::filesystem::remove_all(directory_);
  }

  // Opens the database and returns what it holds, as a starting broker does.
  store::StoredState open() {
    store::StoreOptions options;
    options.path = (directory_ / "mqwarden.db").string();
    options.batch_interval = std::chrono::milliseconds(0);
    auto opened = store::Store::open(options);
    EXPECT_TRUE(opened.ok()) << (opened.ok() ? "" : opened.error());
    store_ = std::move(opened).value();
    return store_->take_loaded_state();
  }

  // A broker delaying "late/#" on the open store, resuming `state`.
  void start(store::StoredState state, EnforcementOptions options = {}) {
    executor_ = std::make_unique<InlineExecutor>();  // a new process: no timers yet
    enforcement_ = std::make_shared<Enforcement>(
        engine_with(R"(rule d { on tentative deliver where topic matches "late/#" then delay 2 s })"), options);
    broker_ = std::make_unique<Broker>(BrokerOptions{}, *executor_, nullptr, store_.get(), enforcement_);
    broker_->restore(std::move(state), Clock::now());
  }

  // Stops the broker (its timers with it) and closes the store, committing what it recorded.
  void stop() {
    broker_.reset();
    executor_.reset();
    store_.reset();
  }

  // Connects `id` (persistent: expiry 300 s, resumed; otherwise clean) and subscribes "late/#" at `qos`.
  std::shared_ptr<RecordingLink> connect(const std::string& id, bool persistent,
                                         std::optional<mqtt::QoS> qos = std::nullopt) {
    auto link = std::make_shared<RecordingLink>();
    const Broker::ConnectRequest request{id, !persistent, persistent ? 300u : 0u, 100, nullptr};
    auto session = broker_
                       ->connect(
                           request, link, [](bool) {}, Clock::now())
                       .session;
    if (qos) broker_->subscribe(session, "late/#", Subscription{session->id(), {*qos}, 0});
    sessions_[id] = session;
    return link;
  }
  void go_offline(const std::string& id, const std::shared_ptr<RecordingLink>& link) {
    broker_->disconnect(sessions_.at(id), link.get(), 300);
  }

  void publish(const std::string& topic, const std::string& payload, mqtt::QoS qos = mqtt::QoS::at_least_once) {
    const Clock::time_point now = Clock::now();
    auto message = make_message(mqtt::Publish{topic, 1, qos, false, false, {}, payload}, "writer", now);
    broker_->publish_admitted(message, std::chrono::milliseconds(0), now);
  }

  static std::vector<std::string> payloads(RecordingLink& link) {
    std::vector<std::string> out;
    for (auto& packet : link.take()) {
      if (auto* publish = std::get_if<mqtt::Publish>(&packet)) out.push_back(publish->payload);
    }
    return out;
  }

  std::filesystem::path directory_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<InlineExecutor> executor_;
  std::shared_ptr<Enforcement> enforcement_;
  std::unique_ptr<Broker> broker_;
  std::map<std::string, std::shared_ptr<Session>> sessions_;
};

TEST_F(DelayedDeliveryTest, ADelayedDeliveryWaitsInTheStoreAndAfterARestartForTheRestOfItsDelay) {
  start(open());
  go_offline("late", connect("late", /*persistent=*/true, mqtt::QoS::at_least_once));
  publish("late/a", "held");
  sessions_.clear();
  stop();

  store::StoredState state = open();
  ASSERT_EQ(state.sessions.size(), 1u);
  ASSERT_EQ(state.sessions[0].delayed.size(), 1u);
  EXPECT_TRUE(state.sessions[0].deliveries.empty());
  EXPECT_EQ(state.sessions[0].delayed[0].delivery.qos, 1);
  start(std::move(state));
  ASSERT_EQ(executor_->pending(), 2u);  // the session's expiry, and the rest of the delay
  auto link = connect("late", /*persistent=*/true);
  EXPECT_TRUE(payloads(*link).empty());
  executor_->run_delayed(kDelay);
  EXPECT_EQ(payloads(*link), std::vector<std::string>{"held"});  // sent, awaiting its PUBACK
  EXPECT_EQ(enforcement_->counters().delayed_deliveries.load(), 1u);
  sessions_.clear();
  stop();

  state = open();
  ASSERT_EQ(state.sessions.size(), 1u);
  EXPECT_TRUE(state.sessions[0].delayed.empty());  // moved to the deliveries, in flight
  ASSERT_EQ(state.sessions[0].deliveries.size(), 1u);
  EXPECT_NE(state.sessions[0].deliveries[0].packet_id, 0);
}

TEST_F(DelayedDeliveryTest, TheDelayQueueBoundsHoldAfterARestart) {
  start(open());
  go_offline("late", connect("late", /*persistent=*/true, mqtt::QoS::at_least_once));
  publish("late/a", "one");
  publish("late/a", "two");
  sessions_.clear();
  stop();

  EnforcementOptions one_at_a_time;
  one_at_a_time.max_delayed_messages = 1;
  start(open(), one_at_a_time);
  EXPECT_EQ(enforcement_->counters().dropped_delays.load(), 1u);
  executor_->run_delayed(kDelay);
  auto link = connect("late", /*persistent=*/true);
  EXPECT_EQ(payloads(*link), std::vector<std::string>{"one"});
  sessions_.clear();
  stop();
  EXPECT_TRUE(open().sessions.at(0).delayed.empty());  // the dropped one is gone from the store too
}

TEST_F(DelayedDeliveryTest, QoS0AndSessionsEndingWithTheirConnectionAreHeldInMemoryOnly) {
  start(open());
  auto at_most_once = connect("qos0", /*persistent=*/true, mqtt::QoS::at_most_once);
  auto clean = connect("clean", /*persistent=*/false, mqtt::QoS::at_least_once);
  publish("late/a", "in memory");
  EXPECT_EQ(enforcement_->counters().delayed_deliveries.load(), 2u);
  executor_->run_delayed(kDelay);
  EXPECT_EQ(payloads(*at_most_once), std::vector<std::string>{"in memory"});
  EXPECT_EQ(payloads(*clean), std::vector<std::string>{"in memory"});
  sessions_.clear();
  stop();
  const store::StoredState state = open();
  ASSERT_EQ(state.sessions.size(), 1u);  // "qos0"'s
  EXPECT_TRUE(state.sessions[0].delayed.empty());
}

}  // namespace
}  // namespace mqwarden::broker

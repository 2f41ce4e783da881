// The SQLite store: what is recorded comes back after reopening, messages are
// shared and collected (also under delayed deliveries), acknowledgements wait
// for commits and keep their order, schema 1 databases are converted, and
// unusable databases are refused with a reason.
#include "store/store.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include "store/writer.hpp"

namespace mqwarden::store {
namespace {

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    directory_ =
        std::filesystem::temp_directory_path() / ("mqwarden-store-test-" + std::to_string(::getpid()) + "-" +
                                                  ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(directory_);
    std::filesystem::create_directories(directory_);
  }
  void TearDown() override { std::filesystem::remove_all(directory_); }

  std::string path() const { return (directory_ / "mqwarden.db").string(); }

  std::unique_ptr<Store> open(bool sync = true) {
    StoreOptions options;
    options.path = path();
    options.sync = sync;
    options.batch_interval = std::chrono::milliseconds(1);
    auto store = Store::open(options);
    EXPECT_TRUE(store.ok()) << (store.ok() ? "" : store.error());
    return store.ok() ? std::move(store).value() : nullptr;
  }

  // Closes `store` (committing everything) and opens the database again.
  StoredState reopen(std::unique_ptr<Store>& store) {
    store.reset();
    store = open();
    return store->take_loaded_state();
  }

  // The number of rows of `table`, read with a connection of the test's own.
  int rows(const std::string& table) const {
    sqlite3* db = nullptr;
    sqlite3_open(path().c_str(), &db);
    sqlite3_stmt* statement = nullptr;
    sqlite3_prepare_v2(db, ("SELECT count(*) FROM " + table).c_str(), -1, &statement, nullptr);
    sqlite3_step(statement);
    const int count = sqlite3_column_int(statement, 0);
    sqlite3_finalize(statement);
    sqlite3_close(db);
    return count;
  }

  static MessageRecordPtr message(std::uint64_t id, std::string payload) {
    auto record = std::make_shared<MessageRecord>();
    record->id = id;
    record->packet.assign(payload.begin(), payload.end());
    record->publisher = "publisher-" + std::to_string(id);
    return record;
  }

  std::filesystem::path directory_;
};

TEST_F(StoreTest, NewDatabaseIsEmpty) {
  auto store = open();
  const StoredState state = store->take_loaded_state();
  EXPECT_TRUE(state.sessions.empty());
  EXPECT_TRUE(state.retained.empty());
  EXPECT_EQ(state.next_session_id, 1u);
  EXPECT_EQ(store->next_message_id(), 1u);
}

TEST_F(StoreTest, SessionWithEverythingComesBack) {
  auto store = open();
  store->save_session(7, "sensor-1", 3600, std::nullopt);
  store->save_subscription(7, {"plant/+/temp", 0x12, 5});
  store->save_subscription(7, {"alarms/#", 0x01, 0});
  auto stored = message(store->next_message_id(), "payload-bytes");
  auto record = std::const_pointer_cast<MessageRecord>(stored);
  record->expires_at_ms = 1'900'000'000'000;
  store->add_delivery(7, {1, stored, 1, true, {5, 9}, 0, false});
  store->add_delivery(7, {2, stored, 2, false, {}, 33, false});
  store->update_delivery(7, 2, 33, true);
  store->add_incoming_qos2(7, 4);
  store->add_incoming_qos2(7, 8);
  store->remove_incoming_qos2(7, 4);
  store->save_session(7, "sensor-1", 3600, 1'800'000'000'000);

  const StoredState state = reopen(store);
  ASSERT_EQ(state.sessions.size(), 1u);
  const SessionRecord& session = state.sessions[0];
  EXPECT_EQ(session.id, 7u);
  EXPECT_EQ(session.client_id, "sensor-1");
  EXPECT_EQ(session.expiry_interval, 3600u);
  EXPECT_EQ(session.disconnected_at_ms, 1'800'000'000'000);
  ASSERT_EQ(session.subscriptions.size(), 2u);
  EXPECT_EQ(session.incoming_qos2, std::vector<std::uint16_t>{8});
  ASSERT_EQ(session.deliveries.size(), 2u);
  const DeliveryRecord& queued = session.deliveries[0];
  EXPECT_EQ(queued.sequence, 1u);
  EXPECT_EQ(queued.qos, 1);
  EXPECT_TRUE(queued.retain);
  EXPECT_EQ(queued.subscription_identifiers, (std::vector<std::uint32_t>{5, 9}));
  EXPECT_EQ(queued.packet_id, 0);
  EXPECT_EQ(std::string(queued.message->packet.begin(), queued.message->packet.end()), "payload-bytes");
  EXPECT_EQ(queued.message->publisher, stored->publisher);
  EXPECT_EQ(queued.message->expires_at_ms, 1'900'000'000'000);
  const DeliveryRecord& in_flight = session.deliveries[1];
  EXPECT_EQ(in_flight.packet_id, 33);
  EXPECT_TRUE(in_flight.released);
  EXPECT_EQ(in_flight.message, queued.message);  // one message, read once
  EXPECT_EQ(state.next_session_id, 8u);
  EXPECT_GT(store->next_message_id(), stored->id);
}

TEST_F(StoreTest, SubscriptionReplacedAndRemoved) {
  auto store = open();
  store->save_session(1, "c", 60, std::nullopt);
  store->save_subscription(1, {"a/b", 0x00, 0});
  store->save_subscription(1, {"a/b", 0x02, 3});
  store->save_subscription(1, {"c/d", 0x01, 0});
  store->remove_subscription(1, "c/d");
  const StoredState state = reopen(store);
  ASSERT_EQ(state.sessions.at(0).subscriptions.size(), 1u);
  EXPECT_EQ(state.sessions[0].subscriptions[0].options, 0x02);
  EXPECT_EQ(state.sessions[0].subscriptions[0].identifier, 3u);
}

TEST_F(StoreTest, MessageIsDeletedWithItsLastDelivery) {
  auto store = open();
  store->save_session(1, "a", 60, std::nullopt);
  store->save_session(2, "b", 60, std::nullopt);
  auto shared = message(store->next_message_id(), "fan-out");
  store->add_delivery(1, {1, shared, 1, false, {}, 0, false});
  store->add_delivery(2, {1, shared, 1, false, {}, 0, false});
  store->remove_delivery(1, 1, shared->id);
  store->flush();
  EXPECT_EQ(rows("messages"), 1);  // still wanted by session 2
  store->remove_delivery(2, 1, shared->id);
  store->flush();
  EXPECT_EQ(rows("messages"), 0);
  EXPECT_EQ(rows("deliveries"), 0);
}

TEST_F(StoreTest, DelayedDeliveryComesBackWithItsSession) {
  auto store = open();
  store->save_session(3, "late", 300, std::nullopt);
  auto stored = message(store->next_message_id(), "held");
  store->add_delayed(3, {{4, stored, 2, true, {7, 8}}, 1'800'000'005'000});
  store->add_delayed(3, {{6, stored, 1, false, {}}, 1'800'000'009'000});
  const StoredState state = reopen(store);
  ASSERT_EQ(state.sessions.size(), 1u);
  EXPECT_TRUE(state.sessions[0].deliveries.empty());
  ASSERT_EQ(state.sessions[0].delayed.size(), 2u);
  const DelayedRecord& first = state.sessions[0].delayed[0];
  EXPECT_EQ(first.delivery.sequence, 4u);
  EXPECT_EQ(first.delivery.qos, 2);
  EXPECT_TRUE(first.delivery.retain);
  EXPECT_EQ(first.delivery.subscription_identifiers, (std::vector<std::uint32_t>{7, 8}));
  EXPECT_EQ(first.due_at_ms, 1'800'000'005'000);
  EXPECT_EQ(std::string(first.delivery.message->packet.begin(), first.delivery.message->packet.end()), "held");
  const DelayedRecord& second = state.sessions[0].delayed[1];
  EXPECT_EQ(second.delivery.sequence, 6u);
  EXPECT_EQ(second.due_at_ms, 1'800'000'009'000);
  EXPECT_EQ(second.delivery.message, first.delivery.message);  // one message, read once
  EXPECT_GT(store->next_message_id(), stored->id);
}

TEST_F(StoreTest, ADelayedDeliveryBecomesADeliveryInOneWrite) {
  auto store = open();
  store->save_session(1, "late", 300, std::nullopt);
  auto stored = message(store->next_message_id(), "held");
  store->add_delayed(1, {{1, stored, 1, false, {}}, 1000});
  store->add_delivery(1, {2, stored, 1, false, {}, 0, false}, /*from_delayed=*/1);
  const StoredState state = reopen(store);
  ASSERT_EQ(state.sessions.at(0).deliveries.size(), 1u);
  EXPECT_EQ(state.sessions[0].deliveries[0].sequence, 2u);
  EXPECT_TRUE(state.sessions[0].delayed.empty());
  store.reset();
  EXPECT_EQ(rows("delayed"), 0);
  EXPECT_EQ(rows("messages"), 1);
}

TEST_F(StoreTest, AMessageIsKeptWhileADelayedDeliveryRefersToIt) {
  auto store = open();
  store->save_session(1, "prompt", 60, std::nullopt);
  store->save_session(2, "late", 60, std::nullopt);
  auto shared = message(store->next_message_id(), "fan-out");
  store->add_delivery(1, {1, shared, 1, false, {}, 0, false});
  store->add_delayed(2, {{1, shared, 1, false, {}}, 1000});
  store->remove_delivery(1, 1, shared->id);
  store->flush();
  EXPECT_EQ(rows("messages"), 1);           // still held for session 2
  const StoredState state = reopen(store);  // nor collected on open
  ASSERT_EQ(state.sessions.size(), 2u);
  ASSERT_EQ(state.sessions[1].delayed.size(), 1u);
  EXPECT_EQ(state.sessions[1].delayed[0].delivery.message->id, shared->id);
  store->remove_delayed(2, 1, shared->id);
  store->flush();
  EXPECT_EQ(rows("delayed"), 0);
  EXPECT_EQ(rows("messages"), 0);
}

TEST_F(StoreTest, RemovedSessionTakesEverythingWithIt) {
  auto store = open();
  store->save_session(1, "gone", 60, std::nullopt);
  store->save_subscription(1, {"x", 0, 0});
  store->add_delivery(1, {1, message(store->next_message_id(), "m"), 1, false, {}, 0, false});
  store->add_delayed(1, {{2, message(store->next_message_id(), "later"), 1, false, {}}, 1000});
  store->add_incoming_qos2(1, 3);
  store->remove_session(1);
  store->flush();
  for (const char* table : {"sessions", "subscriptions", "deliveries", "delayed", "messages", "incoming_qos2"}) {
    EXPECT_EQ(rows(table), 0) << table;
  }
}

TEST_F(StoreTest, RetainedMessagesSetReplacedAndCleared) {
  auto store = open();
  store->set_retained("a", message(0, "first"));
  store->set_retained("a", message(0, "second"));
  store->set_retained("b", message(0, "kept"));
  store->set_retained("c", message(0, "cleared"));
  store->set_retained("c", nullptr);
  const StoredState state = reopen(store);
  ASSERT_EQ(state.retained.size(), 2u);
  std::map<std::string, std::string> retained;
  for (const auto& [topic, record] : state.retained) retained[topic] = {record->packet.begin(), record->packet.end()};
  EXPECT_EQ(retained, (std::map<std::string, std::string>{{"a", "second"}, {"b", "kept"}}));
}

TEST_F(StoreTest, BansKeepTheLongestEndAndEndedOnesAreForgotten) {
  auto store = open();
  store->save_ban("device-7", 5000, 1000);
  store->save_ban("device-7", 3000, 1000);  // shorter: the longer ban stays
  store->save_ban("10.0.0.9", 2000, 1000);
  store->save_ban("late", 9000, 2500);  // by now the ban of 10.0.0.9 is over
  const StoredState state = reopen(store);
  std::map<std::string, std::int64_t> bans(state.bans.begin(), state.bans.end());
  EXPECT_EQ(bans, (std::map<std::string, std::int64_t>{{"device-7", 5000}, {"late", 9000}}));
}

TEST_F(StoreTest, RowsWithoutTheirSessionAreRemovedOnOpen) {
  auto store = open();
  // A delivery recorded after its session was removed (a race the broker allows).
  store->save_session(1, "c", 60, std::nullopt);
  store->remove_session(1);
  store->add_delivery(1, {1, message(store->next_message_id(), "late"), 1, false, {}, 0, false});
  store->add_delayed(1, {{2, message(store->next_message_id(), "later"), 1, false, {}}, 1000});
  store->save_subscription(1, {"late/#", 0, 0});
  const StoredState state = reopen(store);
  EXPECT_TRUE(state.sessions.empty());
  store.reset();
  for (const char* table : {"subscriptions", "deliveries", "delayed", "messages"}) EXPECT_EQ(rows(table), 0) << table;
}

TEST_F(StoreTest, WhenDurableWaitsForTheCommit) {
  auto store = open();
  std::atomic<bool> ran{false};
  store->save_session(1, "c", 60, std::nullopt);
  store->when_durable([&] {
    ran = true;
    EXPECT_EQ(rows("sessions"), 1);  // committed before the callback
  });
  store->flush();
  EXPECT_TRUE(ran);
}

TEST_F(StoreTest, WhenDurableWithNothingPendingRunsAtOnce) {
  auto store = open();
  bool ran = false;
  store->when_durable([&] { ran = true; });
  EXPECT_TRUE(ran);
}

TEST_F(StoreTest, SyncOffDoesNotWait) {
  auto store = open(/*sync=*/false);
  store->save_session(1, "c", 60, std::nullopt);
  bool ran = false;
  store->when_durable([&] { ran = true; });
  EXPECT_TRUE(ran);
  const StoredState state = reopen(store);
  EXPECT_EQ(state.sessions.size(), 1u);  // still written
}

TEST_F(StoreTest, CallbacksRunInTheOrderGivenAcrossThreads) {
  auto store = open();
  std::mutex mutex;
  std::vector<int> order;
  std::atomic<int> given{0};
  std::vector<std::thread> threads;
  std::mutex give_mutex;  // the order callbacks are given in, as one client's packets are
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        store->save_subscription(static_cast<std::uint64_t>(t), {"f/" + std::to_string(i), 0, 0});
        std::lock_guard give(give_mutex);
        const int ticket = given++;
        store->when_durable([&, ticket] {
          std::lock_guard lock(mutex);
          order.push_back(ticket);
        });
      }
    });
  }
  for (auto& thread : threads) thread.join();
  store->flush();
  ASSERT_EQ(order.size(), 800u);
  for (int i = 0; i < 800; ++i) ASSERT_EQ(order[static_cast<std::size_t>(i)], i);
  EXPECT_GE(store->stats().commits, 1u);
  EXPECT_LT(store->stats().commits, 800u);  // grouped
}

TEST_F(StoreTest, OneProcessAtATime) {
  auto first = open();
  StoreOptions options;
  options.path = path();
  auto second = Store::open(options);
  ASSERT_FALSE(second.ok());
  EXPECT_NE(second.error().find("in use by another mqwarden process"), std::string::npos) << second.error();
  first.reset();
  EXPECT_TRUE(Store::open(options).ok());  // released with the first
}

TEST_F(StoreTest, DatabaseOfAnotherProgramIsRefusedAndLeftAlone) {
  sqlite3* db = nullptr;
  sqlite3_open(path().c_str(), &db);
  sqlite3_exec(db, "CREATE TABLE contacts (name TEXT)", nullptr, nullptr, nullptr);
  sqlite3_close(db);
  StoreOptions options;
  options.path = path();
  auto store = Store::open(options);
  ASSERT_FALSE(store.ok());
  EXPECT_NE(store.error().find("not an mqwarden database"), std::string::npos) << store.error();
  EXPECT_EQ(rows("sqlite_master"), 1);
}

TEST_F(StoreTest, FlushWaitsForTheCallbacksItMadeDue) {
  auto store = open();
  std::atomic<bool> finished{false};
  store->save_session(1, "c", 60, std::nullopt);
  store->when_durable([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    finished = true;
  });
  EXPECT_TRUE(store->flush());
  EXPECT_TRUE(finished);
}

TEST_F(StoreTest, NewerSchemaIsRefused) {
  open().reset();
  sqlite3* db = nullptr;
  sqlite3_open(path().c_str(), &db);
  sqlite3_exec(db, "PRAGMA user_version = 42", nullptr, nullptr, nullptr);
  sqlite3_close(db);
  StoreOptions options;
  options.path = path();
  auto store = Store::open(options);
  ASSERT_FALSE(store.ok());
  EXPECT_NE(store.error().find("newer mqwarden"), std::string::npos) << store.error();
}

TEST_F(StoreTest, Schema1DatabaseIsConvertedAndKeepsItsState) {
  auto store = open();
  store->save_session(5, "old", 60, std::nullopt);
  store.reset();
  sqlite3* db = nullptr;
  sqlite3_open(path().c_str(), &db);
  sqlite3_exec(db, "DROP TABLE delayed; PRAGMA user_version = 1", nullptr, nullptr, nullptr);
  sqlite3_close(db);
  const StoredState state = reopen(store);
  ASSERT_EQ(state.sessions.size(), 1u);
  EXPECT_EQ(state.sessions[0].client_id, "old");
  store->add_delayed(5, {{1, message(store->next_message_id(), "new"), 1, false, {}}, 1000});
  store.reset();
  EXPECT_EQ(rows("delayed"), 1);
  EXPECT_EQ(rows("pragma_user_version WHERE user_version = 2"), 1);
}

TEST_F(StoreTest, FileThatIsNotADatabaseIsRefused) {
  std::ofstream(path()) << std::string(4096, 'x');
  StoreOptions options;
  options.path = path();
  auto store = Store::open(options);
  ASSERT_FALSE(store.ok());
  EXPECT_NE(store.error().find(path()), std::string::npos) << store.error();
}

TEST_F(StoreTest, MissingDirectoryIsRefused) {
  StoreOptions options;
  options.path = (directory_ / "no" / "such" / "dir" / "mqwarden.db").string();
  auto store = Store::open(options);
  ASSERT_FALSE(store.ok());
  EXPECT_NE(store.error().find("no/such/dir"), std::string::npos) << store.error();
}

TEST(SubscriptionIdentifiers, JoinAndSplit) {
  const std::vector<std::uint32_t> identifiers{1, 268'435'455, 42};
  EXPECT_EQ(join_identifiers(identifiers), "1 268435455 42");
  EXPECT_EQ(split_identifiers(join_identifiers(identifiers)), identifiers);
  EXPECT_TRUE(split_identifiers("").empty());
}

}  // namespace
}  // namespace mqwarden::store

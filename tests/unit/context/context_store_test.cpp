// Tests ContextStore (changed / refreshed / refused updates, the entity bound,
// stale values reading as missing, position() reading "position" only) and
// ReadLog (entities read, missing ones too, the earliest stale time, nesting).
#include "context/context_store.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "support/context_policy.hpp"

namespace mqwarden::context {
namespace {

using mqwarden::testing::position_reading;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using Update = ContextStore::Update;

constexpr std::int64_t kObserved = 1'000'000;
constexpr std::int64_t kStaleAt = kObserved + 60'000;
constexpr policy::GeoPosition kLab{45.8, 8.6};

ContextReading json_reading(nlohmann::json value, std::int64_t observed_ms = kObserved,
                            std::int64_t stale_at_ms = kStaleAt) {
  ContextReading reading;
  reading.value = std::move(value);
  reading.observed_ms = observed_ms;
  reading.stale_at_ms = stale_at_ms;
  return reading;
}

class ContextStoreTest : public ::testing::Test {
 protected:
  static constexpr std::size_t kMaxEntities = 2;
  ContextStore store{kMaxEntities};
};

TEST_F(ContextStoreTest, FirstReadingOfAnEntityIsAChange) {
  EXPECT_EQ(store.update("board1", "presence", json_reading("home")), Update::changed);
  EXPECT_EQ(store.value("board1", "presence", kObserved), nlohmann::json("home"));
  EXPECT_EQ(store.entities(), 1u);
}

TEST_F(ContextStoreTest, SameValueAgainIsARefreshThatExtendsFreshness) {
  store.update("board1", "presence", json_reading("home"));
  const std::int64_t later = kObserved + 30'000;
  EXPECT_EQ(store.update("board1", "presence", json_reading("home", later, later + 60'000)), Update::refreshed);
  EXPECT_EQ(store.value("board1", "presence", kStaleAt), nlohmann::json("home"));  // the first would be stale
}

TEST_F(ContextStoreTest, DifferentValueIsAChange) {
  store.update("board1", "presence", json_reading("home"));
  EXPECT_EQ(store.update("board1", "presence", json_reading("away", kObserved + 1)), Update::changed);
  EXPECT_EQ(store.value("board1", "presence", kObserved + 1), nlohmann::json("away"));
}

TEST_F(ContextStoreTest, AnotherNameOfAKnownEntityIsAChange) {
  store.update("board1", "presence", json_reading("home"));
  EXPECT_EQ(store.update("board1", "battery", json_reading(80)), Update::changed);
  EXPECT_EQ(store.value("board1", "presence", kObserved), nlohmann::json("home"));
  EXPECT_EQ(store.value("board1", "battery", kObserved), nlohmann::json(80));
}

TEST_F(ContextStoreTest, ReadingsOfEntitiesBeyondTheBoundAreRefused) {
  store.update("board1", "presence", json_reading("home"));
  store.update("board2", "presence", json_reading("home"));
  EXPECT_EQ(store.update("board3", "presence", json_reading("home")), Update::refused);
  EXPECT_EQ(store.update("board4", "presence", json_reading("home")), Update::refused);
  EXPECT_EQ(store.entities(), kMaxEntities);
  EXPECT_EQ(store.refused(), 2u);
  EXPECT_EQ(store.value("board3", "presence", kObserved), std::nullopt);
  // The entities already tracked still take new values and names.
  EXPECT_EQ(store.update("board2", "battery", json_reading(50)), Update::changed);
  EXPECT_EQ(store.refused(), 2u);
}

TEST_F(ContextStoreTest, ValueReadsAsMissingFromItsStaleTime) {
  store.update("board1", "presence", json_reading("home"));
  EXPECT_EQ(store.value("board1", "presence", kStaleAt - 1), nlohmann::json("home"));
  EXPECT_EQ(store.value("board1", "presence", kStaleAt), std::nullopt);
}

TEST_F(ContextStoreTest, SameValueComingBackAfterGoingStaleIsAChange) {
  store.update("board1", "presence", json_reading("home"));
  EXPECT_EQ(store.update("board1", "presence", json_reading("home", kStaleAt, kStaleAt + 60'000)), Update::changed);
  EXPECT_EQ(store.value("board1", "presence", kStaleAt), nlohmann::json("home"));
}

TEST_F(ContextStoreTest, ValueWithoutStaleTimeNeverGoesStale) {
  store.update("board1", "presence", json_reading("home", kObserved, kNever));
  EXPECT_EQ(store.value("board1", "presence", kNever - 1), nlohmann::json("home"));
}

TEST_F(ContextStoreTest, PositionReadsThePositionNameOnly) {
  store.update("board1", "location", position_reading(kLab, kObserved));
  EXPECT_EQ(store.position("board1", kObserved), std::nullopt);

  store.update("board1", "position", position_reading(kLab, kObserved));
  const auto position = store.position("board1", kObserved);
  ASSERT_TRUE(position.has_value());
  EXPECT_EQ(position->latitude, kLab.latitude);
  EXPECT_EQ(position->longitude, kLab.longitude);
  EXPECT_EQ(store.value("board1", "position", kObserved), (nlohmann::json{{"lat", 45.8}, {"lon", 8.6}}));
}

TEST_F(ContextStoreTest, StalePositionReadsAsMissing) {
  store.update("board1", "position", position_reading(kLab, kObserved, kStaleAt));
  EXPECT_TRUE(store.position("board1", kStaleAt - 1).has_value());
  EXPECT_EQ(store.position("board1", kStaleAt), std::nullopt);
}

TEST_F(ContextStoreTest, UnknownEntityReadsAsMissing) {
  EXPECT_EQ(store.position("nobody", kObserved), std::nullopt);
  EXPECT_EQ(store.value("nobody", "presence", kObserved), std::nullopt);
}

class ReadLogTest : public ContextStoreTest {
 protected:
  void SetUp() override {
    store.update("soon", "position", position_reading(kLab, kObserved, kObserved + 3'000));
    store.update("later", "position", position_reading(kLab, kObserved, kObserved + 5'000));
  }
};

TEST_F(ReadLogTest, NoLogOutsideOne) {
  EXPECT_EQ(ReadLog::current(), nullptr);
  store.position("soon", kObserved);  // a read without a log records nothing, and does not fail
  EXPECT_EQ(ReadLog::current(), nullptr);
}

TEST_F(ReadLogTest, RecordsEachEntityReadOnceIncludingMissingOnes) {
  ReadLog log;
  store.position("later", kObserved);
  store.position("missing", kObserved);
  store.value("later", "presence", kObserved);  // a name it does not have
  EXPECT_THAT(log.entities(), ElementsAre("later", "missing"));
}

TEST_F(ReadLogTest, RecordsTheEarliestStaleTimeOfTheFreshValuesRead) {
  ReadLog log;
  store.position("later", kObserved);
  EXPECT_EQ(log.earliest_stale_ms(), kObserved + 5'000);
  store.position("soon", kObserved);
  EXPECT_EQ(log.earliest_stale_ms(), kObserved + 3'000);
  store.position("later", kObserved);
  EXPECT_EQ(log.earliest_stale_ms(), kObserved + 3'000);
}

TEST_F(ReadLogTest, MissingAndStaleValuesCannotGoStale) {
  ReadLog log;
  store.position("missing", kObserved);
  store.position("soon", kObserved + 3'000);  // already stale
  EXPECT_THAT(log.entities(), ElementsAre("missing", "soon"));
  EXPECT_EQ(log.earliest_stale_ms(), kNever);
}

TEST_F(ReadLogTest, NestedLogRecordsItsOwnReadsAndRestoresTheOuterOne) {
  ReadLog outer;
  store.position("later", kObserved);
  {
    ReadLog inner;
    EXPECT_EQ(ReadLog::current(), &inner);
    store.position("soon", kObserved);
    EXPECT_THAT(inner.entities(), ElementsAre("soon"));
    EXPECT_EQ(inner.earliest_stale_ms(), kObserved + 3'000);
  }
  EXPECT_EQ(ReadLog::current(), &outer);
  store.position("missing", kObserved);
  EXPECT_THAT(outer.entities(), ElementsAre("later", "missing"));
  EXPECT_EQ(outer.earliest_stale_ms(), kObserved + 5'000);
}

TEST_F(ReadLogTest, EmptyLogReadNothing) {
  ReadLog log;
  EXPECT_THAT(log.entities(), IsEmpty());
  EXPECT_EQ(log.earliest_stale_ms(), kNever);
}

}  // namespace
}  // namespace mqwarden::context

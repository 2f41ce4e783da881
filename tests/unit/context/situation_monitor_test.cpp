// Tests SituationMonitor on policies compiled from text, with `position`
// read from a ContextStore at a fixed, test-controlled time: which instances
// it monitors, when `situation … starts` / `ends` are raised (entity changes,
// values going stale, calendars via `now`), what a new policy keeps, the
// instance bound, and what the raised events carry.
#include "context/situation_monitor.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "support/context_policy.hpp"
#include "unit/context/context_test_support.hpp"

namespace mqwarden::context {
namespace {

using mqwarden::testing::north_of;
using mqwarden::testing::position_reading;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using testing::situation_ends;
using testing::situation_starts;
using ::testing::UnorderedElementsAre;

// Milliseconds since the Unix epoch of a UTC date and time.
std::int64_t utc(int year, unsigned month, unsigned day, int hour, int minute = 0) {
  using namespace std::chrono;
  const sys_days date{std::chrono::year{year} / std::chrono::month{month} / std::chrono::day{day}};
  return duration_cast<milliseconds>(date.time_since_epoch() + hours{hour} + minutes{minute}).count();
}

const std::int64_t kMonday0700 = utc(2026, 11, 23, 7);  // 2026-11-23 is a Monday
constexpr policy::GeoPosition kLab{45.8, 8.6};
const nlohmann::json kBoard1Board2 = {"board1", "board2"};
const nlohmann::json kBoard2Board1 = {"board2", "board1"};

const std::string kBothWays = mqwarden::testing::near_100m_policy({{"board1", "board2"}, {"board2", "board1"}});
// The two boards both ways, and a pair of other boards.
const std::string kBothWaysAndAnotherPair =
    mqwarden::testing::near_100m_policy({{"board1", "board2"}, {"board2", "board1"}, {"board3", "board4"}});

class SituationMonitorTest : public ::testing::Test {
 protected:
  // The monitor uses `text`, compiled with `position` read from `store` at `now_ms`.
  void use(std::string_view text) {
    std::string errors;
    auto policy =
        mqwarden::testing::compile_policy_text(text, mqwarden::testing::gps_functions(store, &now_ms), errors);
    ASSERT_NE(policy, nullptr) << errors;
    monitor.use(std::move(policy), now_ms);
  }

  // `entity` is at `position` (fresh until `stale_at_ms`), and the monitor is told.
  void move(std::string_view entity, policy::GeoPosition position, std::int64_t stale_at_ms = kNever) {
    ASSERT_NE(store.update(entity, "position", position_reading(position, now_ms, stale_at_ms)),
              ContextStore::Update::refused);
    monitor.entity_changed(entity, now_ms);
  }

  void tick_at(std::int64_t time_ms) {
    now_ms = time_ms;
    monitor.tick(now_ms);
  }

  std::int64_t now_ms = kMonday0700;
  ContextStore store{100};
  testing::EventRecorder raised;
  SituationMonitor monitor{100, raised.raise()};
};

// --- the GPS case: near_100m over two boards, configured both ways ----------

class NearBoardsTest : public SituationMonitorTest {
 protected:
  void SetUp() override {
    use(kBothWaysAndAnotherPair);
    move("board1", kLab);
    move("board2", north_of(kLab, 500));
    ASSERT_THAT(raised.take(), IsEmpty());
  }
  void bring_together() {
    move("board2", north_of(kLab, 50));
    ASSERT_EQ(raised.take().size(), 2u);
  }
};

TEST_F(NearBoardsTest, MonitorsOneInstancePerConfiguredPair) {
  EXPECT_EQ(monitor.instances(), 3u);
  EXPECT_EQ(monitor.refused(), 0u);
  EXPECT_FALSE(monitor.holds("near_100m", kBoard1Board2));
  EXPECT_FALSE(monitor.holds("near_100m", kBoard2Board1));
}

TEST_F(NearBoardsTest, StartsOncePerInstanceWhenTheBoardsComeWithin100m) {
  move("board2", north_of(kLab, 99));
  EXPECT_THAT(raised.take(), UnorderedElementsAre(situation_starts("near_100m", kBoard1Board2),
                                                  situation_starts("near_100m", kBoard2Board1)));
  EXPECT_TRUE(monitor.holds("near_100m", kBoard1Board2));
  EXPECT_TRUE(monitor.holds("near_100m", kBoard2Board1));

  move("board2", north_of(kLab, 40));  // still near: no second start
  move("board1", north_of(kLab, 10));
  EXPECT_THAT(raised.take(), IsEmpty());
}

TEST_F(NearBoardsTest, EndsWhenTheBoardsSeparate) {
  bring_together();
  move("board1", north_of(kLab, 200));
  EXPECT_THAT(raised.take(), UnorderedElementsAre(situation_ends("near_100m", kBoard1Board2),
                                                  situation_ends("near_100m", kBoard2Board1)));
  EXPECT_FALSE(monitor.holds("near_100m", kBoard1Board2));
  EXPECT_FALSE(monitor.holds("near_100m", kBoard2Board1));
}

TEST_F(NearBoardsTest, NothingIsRaisedWhenNothingChanges) {
  monitor.entity_changed("board2", now_ms);  // same positions
  move("board2", north_of(kLab, 450));       // moved, still apart
  tick_at(now_ms + 60'000);                  // nothing goes stale, nothing reads `now`
  EXPECT_THAT(raised.take(), IsEmpty());
}

TEST_F(NearBoardsTest, ChangeOfAnUnrelatedEntityDoesNotReevaluate) {
  bring_together();
  // board2 leaves without the monitor being told: only a re-evaluation would notice.
  ASSERT_EQ(store.update("board2", "position", position_reading(north_of(kLab, 900), now_ms)),
            ContextStore::Update::changed);
  move("board4", north_of(kLab, 2'000));
  move("board3", north_of(kLab, 1'990));  // board3's own instance is evaluated, and starts
  EXPECT_THAT(raised.take(), ElementsAre(situation_starts("near_100m", {"board3", "board4"})));
  EXPECT_TRUE(monitor.holds("near_100m", kBoard1Board2));
  EXPECT_TRUE(monitor.holds("near_100m", kBoard2Board1));

  monitor.entity_changed("board2", now_ms);  // the control: told, it notices
  EXPECT_EQ(raised.take().size(), 2u);
}

TEST_F(NearBoardsTest, EndsWhenAPositionGoesStale) {
  const std::int64_t stale_at = now_ms + 30'000;
  move("board2", north_of(kLab, 50), stale_at);
  ASSERT_EQ(raised.take().size(), 2u);

  tick_at(stale_at - 1);
  EXPECT_THAT(raised.take(), IsEmpty());
  tick_at(stale_at);
  EXPECT_THAT(raised.take(), UnorderedElementsAre(situation_ends("near_100m", kBoard1Board2),
                                                  situation_ends("near_100m", kBoard2Board1)));
  EXPECT_FALSE(monitor.holds("near_100m", kBoard1Board2));
}

TEST_F(NearBoardsTest, StartsAgainWhenTheStaleValueComesBackFresh) {
  const std::int64_t stale_at = now_ms + 30'000;
  move("board2", north_of(kLab, 50), stale_at);
  tick_at(stale_at);
  raised.take();

  move("board2", north_of(kLab, 50));
  EXPECT_THAT(raised.take(), UnorderedElementsAre(situation_starts("near_100m", kBoard1Board2),
                                                  situation_starts("near_100m", kBoard2Board1)));
}

TEST_F(NearBoardsTest, RaisedEventCarriesTheSituationItsArgumentsAndTheTime) {
  now_ms += 1'234;
  move("board2", north_of(kLab, 50));
  ASSERT_EQ(raised.events().size(), 2u);
  EXPECT_THAT(raised.modes(), ElementsAre(policy::Mode::actual, policy::Mode::actual));
  EXPECT_THAT(raised.times(), ElementsAre(now_ms, now_ms));
  for (const testing::RaisedEvent& event : raised.events()) {
    EXPECT_EQ(event.activity, policy::Activity::situation_starts);
    EXPECT_EQ(event.subject, "near_100m");
  }
  EXPECT_THAT(raised.take(), UnorderedElementsAre(::testing::Field(&testing::RaisedEvent::arguments, kBoard1Board2),
                                                  ::testing::Field(&testing::RaisedEvent::arguments, kBoard2Board1)));
}

// --- reloads and bounds -------------------------------------------------------

TEST_F(NearBoardsTest, NewPolicyKeepsTheStateOfTheInstancesItStillHas) {
  bring_together();
  move("board3", north_of(kLab, 80));
  move("board4", north_of(kLab, 5'000));
  raised.take();

  use(mqwarden::testing::near_100m_policy(
      {{"board1", "board2"}, {"board2", "board1"}, {"board3", "board4"}, {"board1", "board3"}, {"board1", "board4"}}));
  EXPECT_EQ(monitor.instances(), 5u);
  // Only the new instance that holds starts; the two kept ones are not started again.
  EXPECT_THAT(raised.take(), ElementsAre(situation_starts("near_100m", {"board1", "board3"})));
  EXPECT_TRUE(monitor.holds("near_100m", kBoard1Board2));
  EXPECT_FALSE(monitor.holds("near_100m", {"board1", "board4"}));

  // The kept instances still follow their entities.
  move("board2", north_of(kLab, 900));
  EXPECT_THAT(raised.take(), UnorderedElementsAre(situation_ends("near_100m", kBoard1Board2),
                                                  situation_ends("near_100m", kBoard2Board1)));
}

TEST_F(NearBoardsTest, SamePolicyAgainRaisesNothing) {
  bring_together();
  use(kBothWaysAndAnotherPair);
  EXPECT_THAT(raised.take(), IsEmpty());
  EXPECT_EQ(monitor.instances(), 3u);
}

TEST_F(SituationMonitorTest, InstancesBeyondTheBoundAreRefusedAndCounted) {
  SituationMonitor bounded(1, raised.raise());
  std::string errors;
  auto policy = mqwarden::testing::compile_policy_text(
      mqwarden::testing::near_100m_policy({{"board1", "board2"}, {"board2", "board1"}, {"board1", "board3"}}),
      mqwarden::testing::gps_functions(store, &now_ms), errors);
  ASSERT_NE(policy, nullptr) << errors;
  bounded.use(policy, now_ms);
  EXPECT_EQ(bounded.instances(), 1u);
  EXPECT_EQ(bounded.refused(), 2u);
}

TEST_F(SituationMonitorTest, SameTupleUsedTwiceIsOneInstance) {
  use(mqwarden::testing::near_100m_policy({{"board1", "board2"}, {"board1", "board2"}}) +
      "rule also_near { on tentative publish if situation near_100m(\"board1\", \"board2\") then allow }\n");
  EXPECT_EQ(monitor.instances(), 1u);
  EXPECT_EQ(monitor.refused(), 0u);
}

TEST_F(SituationMonitorTest, InstanceThatHoldsWhenFirstUsedStartsAtOnce) {
  store.update("board1", "position", position_reading(kLab, now_ms));
  store.update("board2", "position", position_reading(north_of(kLab, 10), now_ms));
  use(kBothWays);
  EXPECT_THAT(raised.take(), UnorderedElementsAre(situation_starts("near_100m", kBoard1Board2),
                                                  situation_starts("near_100m", kBoard2Board1)));
}

// --- situations that read `now` -------------------------------------------------

class OfficeHoursTest : public SituationMonitorTest {
 protected:
  static constexpr std::string_view kOfficeOpen =
      "calendar work_hours = weekly Mon-Fri 08:00-18:00 in \"UTC\"\n"
      "situation office_open = now in work_hours\n";
};

TEST_F(OfficeHoursTest, ZeroParameterSituationIsMonitoredWithoutAnyRuleUsingIt) {
  use(kOfficeOpen);
  EXPECT_EQ(monitor.instances(), 1u);
  EXPECT_FALSE(monitor.holds("office_open", nlohmann::json::array()));
}

TEST_F(OfficeHoursTest, StartsAndEndsWithTheCalendarAtEachTick) {
  use(kOfficeOpen);
  tick_at(utc(2026, 11, 23, 7, 59));
  EXPECT_THAT(raised.take(), IsEmpty());
  tick_at(utc(2026, 11, 23, 8, 0));
  EXPECT_THAT(raised.take(), ElementsAre(situation_starts("office_open", nlohmann::json::array())));
  EXPECT_TRUE(monitor.holds("office_open", nlohmann::json::array()));
  tick_at(utc(2026, 11, 23, 17, 59));
  EXPECT_THAT(raised.take(), IsEmpty());
  tick_at(utc(2026, 11, 23, 18, 0));
  EXPECT_THAT(raised.take(), ElementsAre(situation_ends("office_open", nlohmann::json::array())));
  tick_at(utc(2026, 11, 28, 10, 0));  // Saturday
  EXPECT_THAT(raised.take(), IsEmpty());
  tick_at(utc(2026, 11, 30, 8, 30));  // Monday again
  EXPECT_THAT(raised.take(), ElementsAre(situation_starts("office_open", nlohmann::json::array())));
}

TEST_F(OfficeHoursTest, StartsWhenUsedDuringWorkingHours) {
  now_ms = utc(2026, 11, 24, 9, 0);  // Tuesday
  use(kOfficeOpen);
  EXPECT_THAT(raised.take(), ElementsAre(situation_starts("office_open", nlohmann::json::array())));
}

// A situation that reads `now` only through another situation it calls
// follows the clock too.
TEST_F(OfficeHoursTest, SituationReadingNowThroughAnotherOneFollowsTheCalendar) {
  use(std::string(kOfficeOpen) + "situation office_open_too = situation office_open\n");
  tick_at(utc(2026, 11, 23, 8, 0));
  EXPECT_THAT(raised.take(), UnorderedElementsAre(situation_starts("office_open", nlohmann::json::array()),
                                                  situation_starts("office_open_too", nlohmann::json::array())));
  EXPECT_TRUE(monitor.holds("office_open_too", nlohmann::json::array()));
}

}  // namespace
}  // namespace mqwarden::context

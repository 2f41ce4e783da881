// Calendars in time zones: weekly slots across daylight-saving changes and
// midnight, dated intervals and their bounds, and the diagnostics of the
// calendar syntax (docs/policy-language.md, "Zones and calendars").
#include <gtest/gtest.h>

#include <chrono>

#include "policy/places.hpp"
#include "policy_test_support.hpp"

namespace mqwarden::policy {
namespace {

using testing::codes_of;
using testing::diagnose;

// Milliseconds since the Unix epoch of a UTC date and time.
std::int64_t utc(int year, unsigned month, unsigned day, int hour, int minute = 0) {
  using namespace std::chrono;
  const sys_days date{std::chrono::year{year} / std::chrono::month{month} / std::chrono::day{day}};
  return duration_cast<milliseconds>(date.time_since_epoch() + hours{hour} + minutes{minute}).count();
}

// The one calendar declared in `text`, checked and compiled.
CompiledCalendar calendar(std::string_view text) {
  const Policy policy = testing::load_clean(text);
  if (policy.calendars.size() != 1) {
    ADD_FAILURE() << "expected one calendar";
    return {{}, {}, std::make_shared<const TimeZone>("UTC", PosixTimeZoneRule{})};
  }
  return compile_calendar(policy.calendars.front());
}

TEST(Calendar, RomeWorkingHoursFollowTheMarchChange) {
  const CompiledCalendar work = calendar("calendar work = weekly Mon-Fri 08:00-18:00 in \"Europe/Rome\"");
  // Friday 2026-03-27, winter time (UTC+1): 08:00 local is 07:00Z.
  EXPECT_FALSE(in_calendar(utc(2026, 3, 27, 6, 59), work));
  EXPECT_TRUE(in_calendar(utc(2026, 3, 27, 7, 0), work));
  EXPECT_TRUE(in_calendar(utc(2026, 3, 27, 16, 59), work));
  EXPECT_FALSE(in_calendar(utc(2026, 3, 27, 17, 0), work));
  // Monday 2026-03-30, summer time (UTC+2): 08:00 local is 06:00Z.
  EXPECT_FALSE(in_calendar(utc(2026, 3, 30, 5, 59), work));
  EXPECT_TRUE(in_calendar(utc(2026, 3, 30, 6, 0), work));
  EXPECT_TRUE(in_calendar(utc(2026, 3, 30, 15, 59), work));
  EXPECT_FALSE(in_calendar(utc(2026, 3, 30, 16, 0), work));
}

TEST(Calendar, RomeWorkingHoursFollowTheOctoberChange) {
  const CompiledCalendar work = calendar("calendar work = weekly Mon-Fri 08:00-18:00 in \"Europe/Rome\"");
  // Friday 2026-10-23, summer time.
  EXPECT_FALSE(in_calendar(utc(2026, 10, 23, 5, 59), work));
  EXPECT_TRUE(in_calendar(utc(2026, 10, 23, 6, 0), work));
  // Monday 2026-10-26, winter time again.
  EXPECT_FALSE(in_calendar(utc(2026, 10, 26, 6, 30), work));
  EXPECT_TRUE(in_calendar(utc(2026, 10, 26, 7, 0), work));
  EXPECT_FALSE(in_calendar(utc(2026, 10, 26, 17, 0), work));
}

TEST(Calendar, NewYorkWorkingHoursFollowItsOwnChange) {
  const CompiledCalendar work = calendar("calendar work = weekly Mon-Fri 09:00-17:00 in \"America/New_York\"");
  // Monday 2026-03-02, EST (UTC-5); Monday 2026-03-09, EDT (UTC-4) since 8 March.
  EXPECT_FALSE(in_calendar(utc(2026, 3, 2, 13, 30), work));
  EXPECT_TRUE(in_calendar(utc(2026, 3, 2, 14, 0), work));
  EXPECT_FALSE(in_calendar(utc(2026, 3, 9, 12, 30), work));
  EXPECT_TRUE(in_calendar(utc(2026, 3, 9, 13, 0), work));
  // Friday 2026-03-06 21:30Z is 16:30 local; Saturday 2026-03-07 14:00Z is a Saturday.
  EXPECT_TRUE(in_calendar(utc(2026, 3, 6, 21, 30), work));
  EXPECT_FALSE(in_calendar(utc(2026, 3, 7, 14, 0), work));
}

TEST(Calendar, SlotPastMidnightInATimeZone) {
  const CompiledCalendar night = calendar("calendar night = weekly Fri 22:00-06:00 in \"Europe/Rome\"");
  // Summer: Friday 2026-07-03 22:00 local is 20:00Z; Saturday 03:00 local is 01:00Z.
  EXPECT_FALSE(in_calendar(utc(2026, 7, 3, 19, 59), night));
  EXPECT_TRUE(in_calendar(utc(2026, 7, 3, 20, 0), night));
  EXPECT_TRUE(in_calendar(utc(2026, 7, 4, 1, 0), night));
  EXPECT_TRUE(in_calendar(utc(2026, 7, 4, 3, 59), night));
  EXPECT_FALSE(in_calendar(utc(2026, 7, 4, 4, 0), night));
  // Winter: Saturday 2026-01-10 03:00 local is 02:00Z; Sunday night is not in it.
  EXPECT_TRUE(in_calendar(utc(2026, 1, 10, 2, 0), night));
  EXPECT_FALSE(in_calendar(utc(2026, 1, 11, 2, 0), night));
}

TEST(Calendar, ZonesWithoutDaylightSaving) {
  const CompiledCalendar mondays = calendar("calendar mondays = weekly Mon 00:00-24:00 in \"UTC\"");
  EXPECT_FALSE(in_calendar(utc(2026, 7, 5, 23, 59), mondays));
  EXPECT_TRUE(in_calendar(utc(2026, 7, 6, 0, 0), mondays));
  EXPECT_TRUE(in_calendar(utc(2026, 7, 6, 23, 59), mondays));
  const CompiledCalendar tokyo = calendar("calendar tokyo = weekly Mon-Fri 09:00-18:00 in \"Asia/Tokyo\"");
  // 09:00 JST is 00:00Z, winter and summer alike.
  EXPECT_FALSE(in_calendar(utc(2026, 1, 4, 23, 59), tokyo));
  EXPECT_TRUE(in_calendar(utc(2026, 1, 5, 0, 0), tokyo));
  EXPECT_TRUE(in_calendar(utc(2026, 7, 6, 0, 0), tokyo));
  EXPECT_FALSE(in_calendar(utc(2026, 7, 6, 9, 0), tokyo));
}

TEST(Calendar, InstantsAfterTheLastTransitionFollowTheZoneRule) {
  const CompiledCalendar work = calendar("calendar work = weekly Mon-Fri 08:00-18:00 in \"Europe/Rome\"");
  // 2040: summer time from Sunday 25 March. Friday 23 March is winter, Monday 26 March summer.
  EXPECT_FALSE(in_calendar(utc(2040, 3, 23, 6, 30), work));
  EXPECT_TRUE(in_calendar(utc(2040, 3, 23, 7, 0), work));
  EXPECT_FALSE(in_calendar(utc(2040, 3, 26, 5, 59), work));
  EXPECT_TRUE(in_calendar(utc(2040, 3, 26, 6, 0), work));
}

TEST(Calendar, DatedDaysAreIncludedWhole) {
  const CompiledCalendar holidays = calendar("calendar holidays = dated 2026-12-24 - 2026-12-26 in \"Europe/Rome\"");
  EXPECT_FALSE(in_calendar(utc(2026, 12, 23, 22, 59), holidays));  // 23:59 on the 23rd
  EXPECT_TRUE(in_calendar(utc(2026, 12, 23, 23, 0), holidays));    // 00:00 on the 24th
  EXPECT_TRUE(in_calendar(utc(2026, 12, 26, 22, 59), holidays));   // 23:59 on the 26th
  EXPECT_FALSE(in_calendar(utc(2026, 12, 26, 23, 0), holidays));   // 00:00 on the 27th
}

TEST(Calendar, DatedTimesIncludeTheStartAndExcludeTheEnd) {
  const CompiledCalendar party =
      calendar("calendar party = dated 2026-12-31 18:00 - 2027-01-01 12:00, 2027-05-01 in \"Europe/Rome\"");
  EXPECT_FALSE(in_calendar(utc(2026, 12, 31, 16, 59), party));
  EXPECT_TRUE(in_calendar(utc(2026, 12, 31, 17, 0), party));
  EXPECT_TRUE(in_calendar(utc(2027, 1, 1, 10, 59), party));
  EXPECT_FALSE(in_calendar(utc(2027, 1, 1, 11, 0), party));
  // A single day, in summer time.
  EXPECT_FALSE(in_calendar(utc(2027, 4, 30, 21, 59), party));
  EXPECT_TRUE(in_calendar(utc(2027, 4, 30, 22, 0), party));
  EXPECT_TRUE(in_calendar(utc(2027, 5, 1, 21, 59), party));
  EXPECT_FALSE(in_calendar(utc(2027, 5, 1, 22, 0), party));
}

TEST(Calendar, ParsesTheTimeZoneAndDates) {
  const Policy policy = testing::load_clean(
      "calendar c = dated 2026-12-24 - 2026-12-26, 2026-12-31 18:00 - 2027-01-01 12:00 in \"Europe/Rome\"");
  ASSERT_EQ(policy.calendars.size(), 1U);
  const Calendar& parsed = policy.calendars[0];
  EXPECT_EQ(parsed.time_zone_name, "Europe/Rome");
  ASSERT_NE(parsed.time_zone, nullptr);
  EXPECT_EQ(parsed.time_zone->name(), "Europe/Rome");
  ASSERT_EQ(parsed.dates.size(), 2U);
  EXPECT_EQ(to_string(parsed.dates[0].first), "2026-12-24");
  EXPECT_EQ(to_string(*parsed.dates[0].last), "2026-12-26");
  EXPECT_EQ(to_string(parsed.dates[1].first), "2026-12-31 18:00");
  EXPECT_EQ(to_string(*parsed.dates[1].last), "2027-01-01 12:00");
}

TEST(Calendar, WithoutAZoneUsesTheLocalZone) {
  const Policy policy = testing::load_clean("calendar work = weekly Mon-Fri 08:00-18:00");
  ASSERT_EQ(policy.calendars.size(), 1U);
  EXPECT_TRUE(policy.calendars[0].time_zone_name.empty());
  EXPECT_NE(policy.calendars[0].time_zone, nullptr);
}

TEST(Calendar, UnknownZoneIsReportedAtItsName) {
  const Diagnostics diagnostics = diagnose(
      "zone lab = circle(45.81, 8.63, 200 m)\n"
      "calendar work = weekly Mon-Fri 08:00-18:00 in \"Europe/Atlantis\"\n");
  ASSERT_EQ(diagnostics.size(), 1U) << codes_of(diagnostics);
  EXPECT_EQ(diagnostics[0].code, DiagnosticCode::unknown_time_zone);
  EXPECT_EQ(diagnostics[0].message, "unknown time zone 'Europe/Atlantis'");
  EXPECT_EQ(diagnostics[0].span.line, 2U);
  EXPECT_EQ(diagnostics[0].span.column, 47U);
}

TEST(Calendar, ZoneNamesCannotLeaveTheZoneDirectory) {
  const Diagnostics diagnostics = diagnose("calendar c = weekly Mon 08:00-09:00 in \"../../etc/passwd\"");
  ASSERT_EQ(diagnostics.size(), 1U) << codes_of(diagnostics);
  EXPECT_EQ(diagnostics[0].code, DiagnosticCode::unknown_time_zone);
}

TEST(Calendar, BadDatesAndIntervalsAreRefused) {
  struct Case {
    std::string_view source;
    DiagnosticCode code;
    std::string_view message;
  };
  const Case cases[] = {
      {"calendar c = dated 2026-02-29", DiagnosticCode::invalid_time, "'2026-02-29' is not a date"},
      {"calendar c = dated 2026-13-01", DiagnosticCode::invalid_time, "'2026-13-01' is not a date"},
      {"calendar c = dated 2026-1.5-01", DiagnosticCode::invalid_time, "a date is written YYYY-MM-DD"},
      {"calendar c = dated 2026-12", DiagnosticCode::syntax, "expected '-' and the rest of a date"},
      {"calendar c = dated 2026-12-31 18:00", DiagnosticCode::syntax, "a date with a time starts an interval"},
      {"calendar c = dated 2026-12-26 - 2026-12-24", DiagnosticCode::out_of_range,
       "the interval 2026-12-26 - 2026-12-24 is empty"},
      {"calendar c = dated 2026-12-24 12:00 - 2026-12-24 12:00", DiagnosticCode::out_of_range, "is empty"},
      {"calendar c = monthly 1", DiagnosticCode::syntax, "expected 'weekly' or 'dated'"},
      {"calendar c = weekly Mon 08:00-09:00 in Europe", DiagnosticCode::syntax, "expected a time zone name"},
  };
  for (const Case& entry : cases) {
    const Diagnostics diagnostics = diagnose(entry.source);
    ASSERT_EQ(diagnostics.size(), 1U) << entry.source << "\n" << codes_of(diagnostics);
    EXPECT_EQ(diagnostics[0].code, entry.code) << entry.source;
    EXPECT_NE(diagnostics[0].message.find(entry.message), std::string::npos) << diagnostics[0].message;
  }
}

}  // namespace
}  // namespace mqwarden::policy

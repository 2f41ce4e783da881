// The time zone reader: offsets from the system's TZif files (before, between
// and after their transitions), POSIX TZ rules, malformed files, the cache and
// the local zone (time_zone.hpp).
#include "policy/time_zone.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iterator>

namespace mqwarden::policy {
namespace {

constexpr std::int32_t kHour = 3600;

// Seconds since the Unix epoch of a UTC date and time.
std::int64_t utc_seconds(int year, unsigned month, unsigned day, int hour, int minute = 0, int second = 0) {
  using namespace std::chrono;
  const sys_days date{std::chrono::year{year} / std::chrono::month{month} / std::chrono::day{day}};
  return duration_cast<seconds>(date.time_since_epoch() + hours{hour} + minutes{minute} + seconds{second}).count();
}

TimeZonePtr zone(const std::string& name) {
  TimeZoneCache cache;
  const auto& found = cache.find(name);
  if (!found) {
    ADD_FAILURE() << found.error();
    return std::make_shared<const TimeZone>("UTC", PosixTimeZoneRule{});
  }
  return *found;
}

std::string file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST(TimeZone, RomeChangesAtOneUtcOnTheLastSundays) {
  const TimeZonePtr rome = zone("Europe/Rome");
  EXPECT_EQ(rome->utc_offset_seconds(utc_seconds(2026, 3, 29, 0, 59, 59)), 1 * kHour);
  EXPECT_EQ(rome->utc_offset_seconds(utc_seconds(2026, 3, 29, 1, 0, 0)), 2 * kHour);
  EXPECT_EQ(rome->utc_offset_seconds(utc_seconds(2026, 10, 25, 0, 59, 59)), 2 * kHour);
  EXPECT_EQ(rome->utc_offset_seconds(utc_seconds(2026, 10, 25, 1, 0, 0)), 1 * kHour);
}

TEST(TimeZone, NewYork) {
  const TimeZonePtr new_york = zone("America/New_York");
  EXPECT_EQ(new_york->utc_offset_seconds(utc_seconds(2026, 1, 15, 12)), -5 * kHour);
  EXPECT_EQ(new_york->utc_offset_seconds(utc_seconds(2026, 7, 15, 12)), -4 * kHour);
  EXPECT_EQ(new_york->utc_offset_seconds(utc_seconds(2026, 3, 8, 6, 59)), -5 * kHour);
  EXPECT_EQ(new_york->utc_offset_seconds(utc_seconds(2026, 3, 8, 7, 0)), -4 * kHour);
}

TEST(TimeZone, ZonesWithoutDaylightSaving) {
  const TimeZonePtr utc = zone("UTC");
  const TimeZonePtr tokyo = zone("Asia/Tokyo");
  for (const std::int64_t instant :
       {utc_seconds(1990, 1, 1, 0), utc_seconds(2026, 7, 1, 0), utc_seconds(2040, 7, 1, 0)}) {
    EXPECT_EQ(utc->utc_offset_seconds(instant), 0);
    EXPECT_EQ(tokyo->utc_offset_seconds(instant), 9 * kHour);
  }
}

TEST(TimeZone, AfterTheLastTransitionTheFooterRuleDecides) {
  const TimeZonePtr rome = zone("Europe/Rome");
  const TimeZonePtr new_york = zone("America/New_York");
  // 2040 and 2100 lie beyond the transitions a TZif file lists (up to 2037 at most).
  EXPECT_EQ(rome->utc_offset_seconds(utc_seconds(2040, 3, 25, 0, 59)), 1 * kHour);
  EXPECT_EQ(rome->utc_offset_seconds(utc_seconds(2040, 3, 25, 1, 0)), 2 * kHour);
  EXPECT_EQ(rome->utc_offset_seconds(utc_seconds(2040, 10, 28, 0, 59)), 2 * kHour);
  EXPECT_EQ(rome->utc_offset_seconds(utc_seconds(2040, 10, 28, 1, 0)), 1 * kHour);
  EXPECT_EQ(rome->utc_offset_seconds(utc_seconds(2100, 7, 1, 0)), 2 * kHour);
  EXPECT_EQ(new_york->utc_offset_seconds(utc_seconds(2040, 1, 15, 12)), -5 * kHour);
  EXPECT_EQ(new_york->utc_offset_seconds(utc_seconds(2040, 7, 15, 12)), -4 * kHour);
}

TEST(TimeZone, BeforeTheFirstTransitionTheFirstTypeApplies) {
  const TimeZonePtr rome = zone("Europe/Rome");
  EXPECT_EQ(rome->utc_offset_seconds(utc_seconds(1800, 1, 1, 0)), 2996);  // local mean time, +0:49:56
}

TEST(PosixRule, CentralEurope) {
  const auto rule = parse_posix_time_zone_rule("CET-1CEST,M3.5.0,M10.5.0/3");
  ASSERT_TRUE(rule) << rule.error();
  EXPECT_EQ(rule->standard_offset, 1 * kHour);
  EXPECT_EQ(rule->daylight_offset, 2 * kHour);
  EXPECT_EQ(rule->daylight_ends.time, 3 * kHour);
  EXPECT_EQ(rule->utc_offset_seconds(utc_seconds(2045, 3, 26, 0, 59)), 1 * kHour);
  EXPECT_EQ(rule->utc_offset_seconds(utc_seconds(2045, 3, 26, 1, 0)), 2 * kHour);
  EXPECT_EQ(rule->utc_offset_seconds(utc_seconds(2045, 10, 29, 1, 0)), 1 * kHour);
}

TEST(PosixRule, SouthernHemisphereAndQuotedNames) {
  const auto sydney = parse_posix_time_zone_rule("AEST-10AEDT,M10.1.0,M4.1.0/3");
  ASSERT_TRUE(sydney) << sydney.error();
  EXPECT_EQ(sydney->utc_offset_seconds(utc_seconds(2045, 1, 15, 0)), 11 * kHour);
  EXPECT_EQ(sydney->utc_offset_seconds(utc_seconds(2045, 7, 15, 0)), 10 * kHour);
  const auto quoted = parse_posix_time_zone_rule("<+0530>-5:30");
  ASSERT_TRUE(quoted) << quoted.error();
  EXPECT_EQ(quoted->utc_offset_seconds(0), 5 * kHour + 30 * 60);
  const auto julian = parse_posix_time_zone_rule("EST5EDT,J60/2,300");
  ASSERT_TRUE(julian) << julian.error();
  EXPECT_EQ(julian->utc_offset_seconds(utc_seconds(2045, 6, 1, 0)), -4 * kHour);
  // All year daylight time, as version 3 files write it.
  const auto always = parse_posix_time_zone_rule("EST5EDT,0/0,J365/25");
  ASSERT_TRUE(always) << always.error();
  EXPECT_EQ(always->utc_offset_seconds(utc_seconds(2045, 1, 1, 3, 30)), -4 * kHour);
  EXPECT_EQ(always->utc_offset_seconds(utc_seconds(2045, 12, 31, 23, 0)), -4 * kHour);
}

TEST(PosixRule, MalformedRulesAreRefused) {
  for (const char* text :
       {"", "C", "CET", "CET-1CEST", "CET-1CEST,M3.5.0", "CET-1CEST,M13.5.0,M10.5.0", "CET-1CEST,M3.6.0,M10.5.0",
        "CET-1CEST,J0,J100", "CET-99", "CET-1CEST,M3.5.0,M10.5.0/3x", "<+05", "CET-1:60"}) {
    EXPECT_FALSE(parse_posix_time_zone_rule(text)) << text;
  }
}

TEST(Tzif, MalformedDataIsRefused) {
  const std::string rome = file_bytes("/usr/share/zoneinfo/Europe/Rome");
  ASSERT_GT(rome.size(), 100U);
  EXPECT_TRUE(parse_tzif("Europe/Rome", rome));
  EXPECT_EQ(parse_tzif("x", "").error(), "not a TZif file");
  EXPECT_EQ(parse_tzif("x", "not a zone file at all, just some text for the test").error(), "not a TZif file");
  EXPECT_EQ(parse_tzif("x", rome.substr(0, 100)).error(), "truncated TZif data");
  std::string bad_version = rome;
  bad_version[4] = '9';
  EXPECT_FALSE(parse_tzif("x", bad_version));
  std::string no_footer = rome.substr(0, rome.size() - 1);  // the footer's closing line break
  EXPECT_EQ(parse_tzif("x", no_footer).error(), "TZif footer missing");
  // Every truncation of a real file is refused, none crashes.
  for (std::size_t size = 0; size < rome.size(); ++size) EXPECT_FALSE(parse_tzif("x", rome.substr(0, size)));
}

TEST(Tzif, VersionOneFilesUseTheirThirtyTwoBitData) {
  // Header with one transition at 1000 s to type 1 (+1 h); type 0 is UTC.
  std::string data = "TZif";
  data += std::string(16, '\0');
  for (std::uint32_t count : {0U, 0U, 0U, 1U, 2U, 4U}) {
    for (int shift = 24; shift >= 0; shift -= 8) data += static_cast<char>((count >> shift) & 0xFF);
  }
  data += std::string("\0\0\x03\xE8", 4);      // transition at 1000
  data += '\1';                                // to type 1
  data += std::string("\0\0\0\0\0\0", 6);      // type 0: UTC
  data += std::string("\0\0\x0E\x10\1\0", 6);  // type 1: +3600, dst
  data += std::string("UTC\0", 4);
  const auto parsed = parse_tzif("test", data);
  ASSERT_TRUE(parsed) << parsed.error();
  EXPECT_EQ((*parsed)->utc_offset_seconds(999), 0);
  EXPECT_EQ((*parsed)->utc_offset_seconds(1000), kHour);
  EXPECT_EQ((*parsed)->utc_offset_seconds(utc_seconds(2040, 1, 1, 0)), kHour);
  data[44 + 4] = '\2';  // a transition to a type that does not exist
  EXPECT_FALSE(parse_tzif("test", data));
}

TEST(TimeZoneCache, ReadsEachZoneOnceAndRemembersFailures) {
  TimeZoneCache cache;
  const auto& first = cache.find("Europe/Rome");
  const auto& second = cache.find("Europe/Rome");
  ASSERT_TRUE(first);
  EXPECT_EQ(first->get(), second->get());
  EXPECT_EQ(cache.find("Mars/Olympus_Mons").error(), "unknown time zone 'Mars/Olympus_Mons'");
  for (const char* name : {"", "/etc/passwd", "../zoneinfo/UTC", "Europe/../UTC", "Europe", "Europe/", "a\"b"}) {
    EXPECT_FALSE(cache.find(name)) << name;
  }
}

TEST(TimeZoneCache, MalformedFileIsRefusedWithItsReason) {
  const std::string directory = ::testing::TempDir();
  std::ofstream(directory + "/Broken_Zone", std::ios::binary) << "TZif2 but nothing else";
  TimeZoneCache cache(directory);
  const auto& broken = cache.find("Broken_Zone");
  ASSERT_FALSE(broken);
  EXPECT_NE(broken.error().find("time zone 'Broken_Zone' cannot be used"), std::string::npos) << broken.error();
  EXPECT_NE(broken.error().find("not a TZif file"), std::string::npos) << broken.error();
}

// Sets TZ for one test and restores it.
class LocalZone : public ::testing::Test {
 protected:
  void SetUp() override {
    if (const char* value = std::getenv("TZ")) saved_ = value;
  }
  void TearDown() override {
    if (saved_) {
      setenv("TZ", saved_->c_str(), 1);
    } else {
      unsetenv("TZ");
    }
  }
  std::int32_t local_offset(const char* tz, std::int64_t instant) {
    setenv("TZ", tz, 1);
    return TimeZoneCache().local()->utc_offset_seconds(instant);
  }
  std::optional<std::string> saved_;
};

TEST_F(LocalZone, FollowsTheTzVariable) {
  const std::int64_t summer = utc_seconds(2026, 7, 1, 12);
  EXPECT_EQ(local_offset("Europe/Rome", summer), 2 * kHour);
  EXPECT_EQ(local_offset(":Asia/Tokyo", summer), 9 * kHour);
  EXPECT_EQ(local_offset("/usr/share/zoneinfo/America/New_York", summer), -4 * kHour);
  EXPECT_EQ(local_offset("EST5EDT,M3.2.0,M11.1.0", summer), -4 * kHour);
  EXPECT_EQ(local_offset("Nowhere/Nothing", summer), 0);
  EXPECT_EQ(local_offset("", summer), 0);
}

}  // namespace
}  // namespace mqwarden::policy

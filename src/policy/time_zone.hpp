// Time zones for calendars: the offset from UTC in force at an instant, read
// from the system's TZif files (/usr/share/zoneinfo/<name>, RFC 8536 versions
// 1 to 4). Version 2+ files use their 64-bit data and, after the last
// transition, the POSIX TZ rule of their footer (posix_time_zone_rule.hpp).
//
// A TimeZone is immutable once loaded and shared through
// std::shared_ptr<const TimeZone>: utc_offset_seconds() may be called from any
// number of threads at once and never allocates. A TimeZoneCache reads each
// file once; one cache serves one policy load and is not thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "policy/posix_time_zone_rule.hpp"

namespace mqwarden::policy {

class TimeZone {
 public:
  // The zone of one transition-free offset (UTC, or a rule-only zone).
  TimeZone(std::string name, PosixTimeZoneRule rule);
  // Transitions (UTC seconds, ascending) and the offset in force from each;
  // `initial_offset` before the first; `rule` (if any) after the last.
  TimeZone(std::string name, std::vector<std::int64_t> transitions, std::vector<std::int32_t> offsets,
           std::int32_t initial_offset, std::optional<PosixTimeZoneRule> rule);

  const std::string& name() const { return name_; }
  // Seconds east of UTC in force at `utc_seconds` since the Unix epoch.
  std::int32_t utc_offset_seconds(std::int64_t utc_seconds) const;

 private:
  std::string name_;
  std::vector<std::int64_t> transitions_;
  std::vector<std::int32_t> offsets_;  // offsets_[i] from transitions_[i] on
  std::int32_t initial_offset_ = 0;
  std::optional<PosixTimeZoneRule> rule_;
};

using TimeZonePtr = std::shared_ptr<const TimeZone>;

// The zone in the TZif bytes `data` of a file, or why they are refused.
Result<TimeZonePtr, std::string> parse_tzif(std::string name, std::string_view data);

// Loads IANA zones (`Europe/Rome`) from a zoneinfo directory, each file once.
class TimeZoneCache {
 public:
  explicit TimeZoneCache(std::string zoneinfo_directory = "/usr/share/zoneinfo");

  // The zone named `name`, or why it cannot be used ("unknown time zone", a
  // malformed file). Failures are remembered too.
  const Result<TimeZonePtr, std::string>& find(const std::string& name);
  // The broker's local time zone: the TZ environment variable (a zone name, a
  // TZif file path or a POSIX rule; a leading ':' is ignored) or else
  // /etc/localtime; UTC when neither names a usable zone, as the C library does.
  TimeZonePtr local();

 private:
  Result<TimeZonePtr, std::string> load_file(std::string name, const std::string& path) const;

  std::string directory_;
  std::map<std::string, Result<TimeZonePtr, std::string>, std::less<>> zones_;
  TimeZonePtr local_;
};

}  // namespace mqwarden::policy

// POSIX TZ rules (`CET-1CEST,M3.5.0,M10.5.0/3`): what a TZ variable or the
// footer of a TZif file says about a zone's offsets and its yearly
// daylight-saving changes. Plain values; pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace mqwarden::policy {

// A POSIX TZ rule: standard time, and optionally daylight time with the two
// yearly changes (`EST5EDT,M3.2.0,M11.1.0`). Offsets are seconds east of UTC.
struct PosixTimeZoneRule {
  // When a change happens in a year: `Jn` (1-365, no 29 February), `n`
  // (0-365, counting it) or `Mm.w.d` (day d, 0 = Sunday, of week w, 5 = last,
  // of month m), at `time` seconds after local midnight (may be negative or
  // beyond a day, as version 3 allows).
  struct Change {
    enum class Kind : std::uint8_t { julian_without_leap_day, zero_based_day, month_week_day } kind{};
    int day = 0;  // Jn, n, or d of Mm.w.d
    int week = 0;
    int month = 0;
    std::int32_t time = 2 * 3600;
  };
  std::int32_t standard_offset = 0;
  std::optional<std::int32_t> daylight_offset;  // absent: no daylight saving
  Change daylight_starts;
  Change daylight_ends;

  std::int32_t utc_offset_seconds(std::int64_t utc_seconds) const;
};

// `CET-1CEST,M3.5.0,M10.5.0/3`; an error message if `text` is not one.
Result<PosixTimeZoneRule, std::string> parse_posix_time_zone_rule(std::string_view text);

}  // namespace mqwarden::policy

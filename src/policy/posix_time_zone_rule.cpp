#include "policy/posix_time_zone_rule.hpp"

#include "policy/civil_calendar.hpp"

namespace mqwarden::policy {
namespace {

constexpr std::int64_t kDaySeconds = 86'400;
constexpr std::int32_t kHourSeconds = 3'600;

// Local seconds since 1970-01-01 00:00 of `change` in `year`.
std::int64_t local_seconds_of(std::int64_t year, const PosixTimeZoneRule::Change& change) {
  using Kind = PosixTimeZoneRule::Change::Kind;
  std::int64_t day = 0;
  switch (change.kind) {
    case Kind::julian_without_leap_day:
      day = days_from_civil(year, 1, 1) + change.day - 1 + (is_leap_year(year) && change.day >= 60 ? 1 : 0);
      break;
    case Kind::zero_based_day: day = days_from_civil(year, 1, 1) + change.day; break;
    case Kind::month_week_day: {
      const std::int64_t first = days_from_civil(year, change.month, 1);
      const int first_weekday = static_cast<int>(floor_mod(first + 4, 7));  // 0 = Sunday; 1970-01-01 was a Thursday
      int day_of_month = 1 + (change.day - first_weekday + 7) % 7 + 7 * (change.week - 1);
      while (day_of_month > days_in_month(year, change.month)) day_of_month -= 7;
      day = first + day_of_month - 1;
      break;
    }
  }
  return day * kDaySeconds + change.time;
}

class RuleReader {
 public:
  explicit RuleReader(std::string_view text) : text_(text) {}

  bool at_end() const { return pos_ == text_.size(); }
  bool accept(char c) {
    if (at_end() || text_[pos_] != c) return false;
    ++pos_;
    return true;
  }
  bool at_sign_or_digit() const {
    return !at_end() && (text_[pos_] == '+' || text_[pos_] == '-' || is_digit(text_[pos_]));
  }

  // `CET`, or `<+09>` quoted.
  bool name() {
    if (accept('<')) {
      const std::size_t start = pos_;
      while (!at_end() && text_[pos_] != '>') ++pos_;
      const std::size_t length = pos_ - start;
      return accept('>') && length >= 3;
    }
    const std::size_t start = pos_;
    while (!at_end() && is_letter(text_[pos_])) ++pos_;
    return pos_ - start >= 3;
  }

  // [+-]hh[:mm[:ss]], hours up to `max_hours`, as seconds.
  std::optional<std::int32_t> duration(int max_hours) {
    const int sign = accept('-') ? -1 : 1;
    if (sign > 0) accept('+');
    const auto hours = number(3);
    if (!hours || *hours > max_hours) return std::nullopt;
    std::int32_t seconds = *hours * kHourSeconds;
    for (std::int32_t unit : {60, 1}) {
      if (!accept(':')) break;
      const auto part = number(2);
      if (!part || *part > 59) return std::nullopt;
      seconds += *part * unit;
    }
    return sign * seconds;
  }

  // `Jn`, `n` or `Mm.w.d`, then an optional `/time`.
  std::optional<PosixTimeZoneRule::Change> change() {
    using Kind = PosixTimeZoneRule::Change::Kind;
    PosixTimeZoneRule::Change out;
    if (accept('M')) {
      // Field by field, each checked before the next is read.
      const int month = number(2).value_or(0);
      if (month < 1 || month > 12 || !accept('.')) return std::nullopt;
      const int week = number(1).value_or(0);
      if (week < 1 || week > 5 || !accept('.')) return std::nullopt;
      const int day = number(1).value_or(7);
      if (day > 6) return std::nullopt;
      out = {Kind::month_week_day, day, week, month};
    } else {
      const bool julian = accept('J');
      const auto day = number(3);
      if (!day || *day > 365 || (julian && *day < 1)) return std::nullopt;
      out = {julian ? Kind::julian_without_leap_day : Kind::zero_based_day, *day};
    }
    if (accept('/')) {
      const auto time = duration(167);
      if (!time) return std::nullopt;
      out.time = *time;
    }
    return out;
  }

 private:
  static bool is_digit(char c) { return c >= '0' && c <= '9'; }
  static bool is_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

  std::optional<int> number(std::size_t max_digits) {
    const std::size_t start = pos_;
    int value = 0;
    while (!at_end() && is_digit(text_[pos_]) && pos_ - start < max_digits) value = value * 10 + (text_[pos_++] - '0');
    if (pos_ == start) return std::nullopt;
    return value;
  }

  std::string_view text_;
  std::size_t pos_ = 0;
};

}  // namespace

std::int32_t PosixTimeZoneRule::utc_offset_seconds(std::int64_t utc_seconds) const {
  if (!daylight_offset) return standard_offset;
  const std::int64_t year = year_of_day(floor_div(utc_seconds + standard_offset, kDaySeconds));
  const std::int64_t starts = local_seconds_of(year, daylight_starts) - standard_offset;
  const std::int64_t ends = local_seconds_of(year, daylight_ends) - *daylight_offset;
  // Northern rules start and end daylight time within the year; southern ones end it first.
  const bool daylight =
      starts < ends ? utc_seconds >= starts && utc_seconds < ends : !(utc_seconds >= ends && utc_seconds < starts);
  return daylight ? *daylight_offset : standard_offset;
}

namespace {

// `'<text>' <why>`, built by appending (GCC 12 warns, wrongly, about `"'" + std::string(…)` at -O2).
std::string quoted_with(std::string_view text, std::string_view why) {
  std::string message;
  message.reserve(text.size() + why.size() + 3);
  message.append("'").append(text).append("' ").append(why);
  return message;
}

}  // namespace

Result<PosixTimeZoneRule, std::string> parse_posix_time_zone_rule(std::string_view text) {
  const auto refuse = [&] { return fail(quoted_with(text, "is not a POSIX TZ rule")); };
  RuleReader in(text);
  PosixTimeZoneRule rule;
  if (!in.name()) return refuse();
  const auto standard = in.duration(24);
  if (!standard) return refuse();
  rule.standard_offset = -*standard;  // POSIX counts hours west of UTC
  if (in.at_end()) return rule;
  if (!in.name()) return refuse();
  rule.daylight_offset = rule.standard_offset + kHourSeconds;
  if (in.at_sign_or_digit()) {
    const auto daylight = in.duration(24);
    if (!daylight) return refuse();
    rule.daylight_offset = -*daylight;
  }
  if (!in.accept(',')) return fail(quoted_with(text, "does not say when daylight saving time starts"));
  const auto starts = in.change();
  const auto ends = in.accept(',') ? in.change() : std::nullopt;
  if (!starts || !ends || !in.at_end()) return refuse();
  rule.daylight_starts = *starts;
  rule.daylight_ends = *ends;
  return rule;
}

}  // namespace mqwarden::policy

#include "policy/words.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <string>

namespace mqwarden::policy {
namespace {

constexpr std::array<std::string_view, 44> kReserved = {
    // declarations and rule structure
    "rule", "template", "configure", "situation", "zone", "calendar", "on", "where", "if", "then", "else", "for",
    "each", "until", "tentative", "actual", "event",
    // expressions
    "and", "or", "not", "in", "contains", "matches", "regex", "is", "absent", "present", "true", "false", "now",
    // temporal operators
    "always", "before", "since", "within", "during", "repSince", "repMax", "repLim", "count",
    // actions
    "allow", "deny", "modify", "delay", "execute"};

struct NamedUnit {
  std::string_view name;
  Unit unit;
};

constexpr double kSecond = 1000;
constexpr std::array<NamedUnit, 30> kUnits = {{
    {"ms", {Type::duration, 1}},
    {"millisecond", {Type::duration, 1}},
    {"milliseconds", {Type::duration, 1}},
    {"s", {Type::duration, kSecond}},
    {"sec", {Type::duration, kSecond}},
    {"second", {Type::duration, kSecond}},
    {"seconds", {Type::duration, kSecond}},
    {"min", {Type::duration, 60 * kSecond}},
    {"minute", {Type::duration, 60 * kSecond}},
    {"minutes", {Type::duration, 60 * kSecond}},
    {"h", {Type::duration, 3600 * kSecond}},
    {"hour", {Type::duration, 3600 * kSecond}},
    {"hours", {Type::duration, 3600 * kSecond}},
    {"d", {Type::duration, 86400 * kSecond}},
    {"day", {Type::duration, 86400 * kSecond}},
    {"days", {Type::duration, 86400 * kSecond}},
    {"w", {Type::duration, 7 * 86400 * kSecond}},
    {"week", {Type::duration, 7 * 86400 * kSecond}},
    {"weeks", {Type::duration, 7 * 86400 * kSecond}},
    {"m", {Type::distance, 1}},
    {"metre", {Type::distance, 1}},
    {"metres", {Type::distance, 1}},
    {"meter", {Type::distance, 1}},
    {"meters", {Type::distance, 1}},
    {"km", {Type::distance, 1000}},
    {"kilometre", {Type::distance, 1000}},
    {"kilometres", {Type::distance, 1000}},
    {"kilometer", {Type::distance, 1000}},
    {"kilometers", {Type::distance, 1000}},
    {"mi", {Type::distance, 1609.344}},
}};

constexpr std::array<std::string_view, 7> kDayNames = {"monday", "tuesday", "wednesday", "thursday",
                                                       "friday", "saturday", "sunday"};

}  // namespace

bool is_reserved_word(std::string_view word) {
  return std::find(kReserved.begin(), kReserved.end(), word) != kReserved.end();
}

std::optional<Unit> unit_named(std::string_view word) {
  for (const NamedUnit& named : kUnits) {
    if (named.name == word) return named.unit;
  }
  return std::nullopt;
}

std::optional<Weekday> weekday_named(std::string_view word) {
  std::string lower(word);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  for (std::size_t day = 0; day < kDayNames.size(); ++day) {
    if (lower == kDayNames[day] || (lower.size() == 3 && kDayNames[day].starts_with(lower))) {
      return static_cast<Weekday>(day);
    }
  }
  return std::nullopt;
}

}  // namespace mqwarden::policy

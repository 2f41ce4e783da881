// Words with a fixed meaning in the policy language: reserved words (which
// cannot name a declaration or a parameter), units of measure, and weekdays.
// Pure functions over constant tables; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "policy/ast.hpp"

namespace mqwarden::policy {

bool is_reserved_word(std::string_view word);

// A unit after a number: `10 s`, `5 min`, `2 km`. `factor` converts to
// milliseconds (durations) or metres (distances).
struct Unit {
  Type quantity = Type::duration;  // duration or distance
  double factor = 1;
};
std::optional<Unit> unit_named(std::string_view word);

// "Mon" or "monday", any case.
std::optional<Weekday> weekday_named(std::string_view word);

}  // namespace mqwarden::policy

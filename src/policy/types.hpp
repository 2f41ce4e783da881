// The types of policy expressions, as the checker assigns them. Small on
// purpose: every value a rule can compute has one of these types, and the
// rules below say where each may be used (docs/policy-language.md, "Types").
// Plain values and pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace mqwarden::policy {

enum class Type : std::uint8_t {
  unknown,  // not checked yet, or wrong already (no further errors are reported about it)
  boolean,
  number,
  string,
  topic,  // a topic name or filter; interchangeable with string
  duration,
  distance,
  position,  // a point on Earth (latitude, longitude)
  time,      // an instant: only `now`, used with `in <calendar>`
  string_list,
  number_list,
  json,  // a value read from JSON (payload fields, attributes, user properties): may be absent
  calendar,
  zone,
  event_pattern,  // `actual publish where ...`: only inside temporal operators
};

// "string list", as shown in messages and docs.
std::string_view to_string(Type type);
// The type named in a parameter declaration (`limit: number`); nullopt if none.
std::optional<Type> type_named(std::string_view name);

// Whether a value of type `from` may be passed where `to` is expected
// (function and reaction arguments, template arguments).
bool assignable(Type from, Type to);
bool is_stringy(Type type);  // string or topic

}  // namespace mqwarden::policy

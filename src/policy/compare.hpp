// The comparison operators over run-time values (docs/policy-language.md §2,
// §6): equality, order, `in`, `contains`, topic-filter `matches`, and regular
// expressions. An absent operand, or a JSON value of the wrong kind, makes
// every comparison false except `!=` and `not in`, which are true.
// Pure functions; thread-safe.
#pragma once

#include "policy/compiled_expression.hpp"
#include "policy/value.hpp"

namespace mqwarden::policy {

bool compare(const Node& node, const Value& left, const Value& right);
bool values_equal(const Value& left, const Value& right);

// Whether every topic that subscription filter `inner` can receive also
// matches filter `outer` (both valid filters).
bool filter_covers(std::string_view outer, std::string_view inner);

}  // namespace mqwarden::policy

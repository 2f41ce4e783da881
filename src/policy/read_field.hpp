// Reads one event field (a compiled FieldRef) as a Value: identity fields,
// topic, payload (as text or JSON, parsing it on first use), user properties,
// situation arguments, context values. Fields an event does not carry read as
// their defaults; JSON paths that lead nowhere read as absent.
// Pure functions; thread-safe as Payload is.
#pragma once

#include "policy/compiled_expression.hpp"
#include "policy/event.hpp"

namespace mqwarden::policy {

Value read_field(const FieldRef& field, const Event& event);

}  // namespace mqwarden::policy

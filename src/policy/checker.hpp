// The checker: verifies a parsed Policy against the event schema and the
// host's Registry before anything runs, and annotates it in place (the type
// of every expression, what every name refers to) for the compiler.
//
// Errors: unknown event fields per activity, unknown names, functions,
// reactions, situations, templates and contexts; wrong arity and argument
// types; unbound or unknown template parameters; duplicate names; type
// errors; misplaced temporal operators, event patterns and `event.` fields;
// actions that cannot apply to the rule's event; out-of-range constants;
// invalid literal topic filters. Warnings: rules or branches that can never
// run, templates never configured. A policy may be loaded only if the result
// has no errors (has_errors()).
//
// Stateless function; safe to call from several threads on distinct policies.
#pragma once

#include "policy/ast.hpp"
#include "policy/diagnostic.hpp"
#include "policy/registry.hpp"

namespace mqwarden::policy {

Diagnostics check(Policy& policy, const Registry& registry);

}  // namespace mqwarden::policy

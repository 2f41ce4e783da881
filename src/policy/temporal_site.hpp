// One temporal operator of a compiled rule (`count(within 10 s, tentative
// connect where client.ip == event.client.ip)`): its constant arguments and
// its operands, each an event pattern or a condition.
//
// A pattern's top-level equalities between a field of the observed event and
// a field of the trigger (`client.ip == event.client.ip`) are taken out of its
// filter and become its slice key: observing event X, the key is X's field
// value; evaluating for trigger e, it is e's. `event.` is allowed only there
// (docs/policy-engine.md, "Temporal operators").
//
// Immutable once compiled; read concurrently.
#pragma once

#include <optional>
#include <vector>

#include "policy/ast.hpp"
#include "policy/compiled_expression.hpp"

namespace mqwarden::policy {

struct SliceKeyPart {
  FieldRef observed;  // read from the observed event
  FieldRef trigger;   // read from the triggering event
};

struct TemporalOperand {
  bool is_pattern = false;
  EventSpec event;                // pattern: the events it observes
  std::optional<Node> filter;     // pattern: its where filter, without the key equalities
  std::vector<SliceKeyPart> key;  // pattern: empty when it does not read the trigger
  std::optional<Node> condition;  // condition operands
  // Condition: the trigger fields the temporal operators inside it are kept
  // per (`always(not within(1 s, ... client.id == event.client.id))` is kept
  // per client id, like the `within` in it); empty when they are not keyed.
  std::vector<FieldRef> trigger_key;
};

struct TemporalSite {
  TemporalOp op = TemporalOp::always;
  std::vector<Node> bounds;               // windows and counts in written order (literals or parameters)
  std::vector<TemporalOperand> operands;  // φ, then ψ for since and repSince
  Span span;
};

}  // namespace mqwarden::policy

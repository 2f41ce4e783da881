// The expression evaluator: walks a compiled Node over one event, with the
// parameters of the rule instance (or situation) being evaluated.
//
// Temporal operators are read from the rule instance's TemporalState
// (temporal_state.hpp), which the frame carries wherever they can occur.
//
// Thread safety: evaluation only reads the compiled policy and the event;
// values it builds go to the frame's arena, which belongs to one thread (the
// text of a concatenation that a comparison consumes at once stays on the stack).
#pragma once

#include <span>

#include "policy/compiled_policy.hpp"
#include "policy/event.hpp"
#include "policy/value.hpp"

namespace mqwarden::policy {

class TemporalState;

struct Frame {
  const CompiledPolicy& policy;
  const Event& event;
  std::span<const Value> parameters;
  ValueArena& arena;
  const TemporalState* temporal = nullptr;  // the instance's; null where no temporal operator can occur
  const RuleInstance* instance = nullptr;   // whose temporal operators `temporal` holds
};

Value evaluate(const Node& node, const Frame& frame);
// A condition: true only for a boolean true (absent and anything else are false).
bool holds(const Node& node, const Frame& frame);

}  // namespace mqwarden::policy

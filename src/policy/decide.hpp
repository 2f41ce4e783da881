// Evaluates rule instances against one event and combines what they say into
// a Decision (see decision.hpp for the combination).
//
// Thread safety: a DecisionBuilder belongs to one decision on one thread; it
// only reads the compiled policy.
#pragma once

#include <memory>

#include "policy/compiled_policy.hpp"
#include "policy/decision.hpp"
#include "policy/event.hpp"
#include "policy/value.hpp"

namespace mqwarden::policy {

class TemporalState;
struct Frame;

class DecisionBuilder {
 public:
  DecisionBuilder(const CompiledPolicy& policy, const Event& event, ValueArena& arena)
      : policy_(policy), event_(event), arena_(arena) {}

  // Evaluates `instance` (its temporal operators read from `temporal`, null
  // when it has none); when its `where` holds, records the branch taken and
  // applies that branch's actions. Returns whether the `where` held.
  // `publication_checked`: a deliver rule whose publication part of `where`
  // already held for this publication (only the subscriber part is evaluated).
  bool apply(const RuleInstance& instance, const TemporalState* temporal, bool publication_checked = false);
  Decision finish(std::shared_ptr<const CompiledPolicy> policy) &&;

 private:
  void apply_action(const CompiledAction& action, const RuleInstance& instance, const Frame& frame);

  const CompiledPolicy& policy_;
  const Event& event_;
  ValueArena& arena_;
  Decision decision_;
  bool allowed_ = false;
  bool denied_ = false;
};

}  // namespace mqwarden::policy

#include "policy/decide.hpp"

#include <algorithm>
#include <cmath>

#include "policy/evaluate.hpp"

namespace mqwarden::policy {
namespace {

PayloadEdit evaluate_edit(const CompiledEdit& edit, const Frame& frame) {
  PayloadEdit out;
  out.kind = edit.kind;
  out.target = edit.target;
  out.second_target = edit.second_target;
  if (!edit.value) return out;
  const Value value = evaluate(*edit.value, frame);
  switch (edit.kind) {
    case EditKind::set:
    case EditKind::replace: out.value = to_json(value); break;
    case EditKind::round:
    case EditKind::truncate: out.decimals = static_cast<int>(std::clamp(value.as_number(), 0.0, 15.0)); break;
    case EditKind::blur: out.grid_metres = value.as_number(); break;
    case EditKind::remove:
    case EditKind::pseudonymise: break;
  }
  return out;
}

bool applies_to(const CompiledRule& rule, const Event& event) {
  return rule.trigger.subject.empty() || rule.trigger.subject == event.subject;
}

}  // namespace

bool DecisionBuilder::apply(const RuleInstance& instance, const TemporalState* temporal, bool publication_checked) {
  const CompiledRule& rule = *instance.rule;
  const Frame frame{policy_, event_, instance.arguments, arena_, temporal, &instance};
  const std::optional<Node>& where = publication_checked ? rule.where_subscriber : rule.where;
  if (!applies_to(rule, event_) || (where && !holds(*where, frame))) return false;
  const bool then_branch = !rule.condition || holds(*rule.condition, frame);
  const auto& actions = then_branch ? rule.then_actions : rule.else_actions;
  if (!then_branch && actions.empty()) return true;
  decision_.matched.push_back(
      {rule.name, instance.label, then_branch ? Branch::then_branch : Branch::else_branch, rule.span});
  for (const CompiledAction& action : actions) apply_action(action, instance, frame);
  return true;
}

void DecisionBuilder::apply_action(const CompiledAction& action, const RuleInstance& instance, const Frame& frame) {
  switch (action.kind) {
    case ActionKind::allow: allowed_ = true; return;
    case ActionKind::deny:
      if (!denied_) {
        decision_.deny_reason = action.reason;
        decision_.reason_code = action.code;
      }
      denied_ = true;
      return;
    case ActionKind::modify:
      for (const CompiledEdit& edit : action.edits) decision_.edits.push_back(evaluate_edit(edit, frame));
      return;
    case ActionKind::delay:
      decision_.delay_ms = std::max(decision_.delay_ms, evaluate(*action.delay, frame).as_milliseconds());
      return;
    case ActionKind::execute: {
      Reaction reaction{action.reaction, {}, instance.rule->name};
      for (const Node& argument : action.arguments) reaction.arguments.push_back(to_json(evaluate(argument, frame)));
      decision_.reactions.push_back(std::move(reaction));
      return;
    }
  }
}

Decision DecisionBuilder::finish(std::shared_ptr<const CompiledPolicy> policy) && {
  Decision out = std::move(decision_);
  out.policy = std::move(policy);
  out.by_default = !allowed_ && !denied_;
  if (event_.mode == Mode::actual) {
    out.verdict = Verdict::allow;
  } else if (denied_) {
    out.verdict = Verdict::deny;
  } else {
    out.verdict = allowed_ ? Verdict::allow : policy_.config.default_for(event_.activity);
  }
  if (out.verdict == Verdict::deny) {
    out.edits.clear();
    out.delay_ms = 0;
  }
  out.delay_ms = std::min(out.delay_ms, policy_.config.max_delay_ms);
  return out;
}

}  // namespace mqwarden::policy

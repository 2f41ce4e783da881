// Rules and their actions: the event, the where filter and if condition,
// which actions can apply to the event, and the payload edits of modify.
#include <cmath>

#include "policy/checker_internal.hpp"
#include "policy/suggest.hpp"

namespace mqwarden::policy::detail {
namespace {

bool carries_payload(Activity activity) { return activity == Activity::publish || activity == Activity::deliver; }

std::string_view action_name(const Action& action) {
  if (std::holds_alternative<Allow>(action.node)) return "allow";
  if (std::holds_alternative<Deny>(action.node)) return "deny";
  if (std::holds_alternative<Modify>(action.node)) return "modify";
  if (std::holds_alternative<Delay>(action.node)) return "delay";
  return "execute";
}

bool is_verdict(const Action& action) {
  return std::holds_alternative<Allow>(action.node) || std::holds_alternative<Deny>(action.node);
}

// The event kind as an operator reads it: "an actual publish", "a situation starts".
std::string described(const EventSpec& event) {
  if (!is_mqtt_activity(event.activity)) return "a " + std::string(to_string(event.activity)) + " event";
  return (event.mode == Mode::actual ? "an actual " : "a tentative ") + std::string(to_string(event.activity));
}

}  // namespace

void Checker::check_rule(Rule& rule, std::span<const Parameter> parameters) {
  check_event_spec(rule.trigger);
  Scope filter_scope;
  filter_scope.event = &rule.trigger;
  filter_scope.parameters = parameters;
  filter_scope.filter = "a where filter";
  if (rule.where) expect_type(*rule.where, filter_scope, Type::boolean, "the where filter");

  Scope condition_scope;
  condition_scope.event = &rule.trigger;
  condition_scope.rule_trigger = &rule.trigger;
  condition_scope.parameters = parameters;
  if (rule.condition) expect_type(*rule.condition, condition_scope, Type::boolean, "the if condition");

  Scope action_scope;
  action_scope.event = &rule.trigger;
  action_scope.parameters = parameters;
  action_scope.filter = "an action";
  check_actions(rule.then_actions, rule, action_scope);
  check_actions(rule.else_actions, rule, action_scope);
  check_reachability(rule);
}

void Checker::check_actions(std::vector<Action>& actions, const Rule& rule, const Scope& scope) {
  const EventSpec& event = rule.trigger;
  const bool preventable = is_mqtt_activity(event.activity) && event.mode == Mode::tentative;
  const Action* verdict = nullptr;
  for (Action& action : actions) {
    const std::string name(action_name(action));
    if (!std::holds_alternative<Execute>(action.node) && !preventable) {
      report(DiagnosticCode::verdict_on_actual, action.span,
             "'" + name + "' needs a tentative event, but " + described(event) + " has already happened",
             "only 'execute' applies here; to prevent the activity use 'on tentative " +
                 std::string(to_string(event.activity)) + "'");
      continue;
    }
    if (is_verdict(action)) {
      if (verdict != nullptr) {
        report(DiagnosticCode::conflicting_verdicts, action.span,
               "'" + name + "' follows '" + std::string(action_name(*verdict)) + "': a branch holds one verdict");
      }
      verdict = &action;
    }
    if ((std::holds_alternative<Modify>(action.node) || std::holds_alternative<Delay>(action.node)) &&
        !carries_payload(event.activity)) {
      report(DiagnosticCode::action_not_applicable, action.span,
             "'" + name + "' does not apply to " + std::string(to_string(event.activity)) + " events",
             "only publish and deliver events carry a message to " + name);
      continue;
    }
    if (auto* deny = std::get_if<Deny>(&action.node); deny != nullptr && deny->code) {
      const double code = *deny->code;
      if (code < 0x80 || code > 0xFF || code != std::floor(code)) {
        report(DiagnosticCode::out_of_range, deny->code_span,
               "a deny code must be an MQTT 5 error reason code, 0x80 to 0xFF", "0x87 is 'not authorized'");
      }
    } else if (auto* modify = std::get_if<Modify>(&action.node)) {
      for (Edit& edit : modify->edits) check_edit(edit, scope);
    } else if (auto* delay = std::get_if<Delay>(&action.node)) {
      expect_type(*delay->duration, scope, Type::duration, "a delay");
      const auto* literal = std::get_if<DurationLiteral>(&delay->duration->node);
      if (literal != nullptr && literal->milliseconds <= 0) {
        report(DiagnosticCode::out_of_range, delay->duration->span, "a delay must be longer than zero");
      }
    } else if (auto* execute = std::get_if<Execute>(&action.node)) {
      const ReactionSpec* reaction = registry.reaction(execute->reaction);
      if (reaction == nullptr) {
        report(DiagnosticCode::unknown_reaction, execute->name_span, "unknown reaction '" + execute->reaction + "'",
               did_you_mean(execute->reaction, registry.reaction_names()));
        continue;
      }
      check_arguments(execute->arguments, reaction->parameters, "reaction '" + execute->reaction + "'", action.span,
                      scope);
    }
  }
}

void Checker::check_edit(Edit& edit, const Scope& scope) {
  const std::string kind(to_string(edit.kind));
  for (ExprPtr& target : edit.targets) {
    const auto* path = std::get_if<Path>(&target->node);
    const bool in_payload = path != nullptr && !path->of_trigger && path->segments.front().name == "payload" &&
                            !path->segments.front().bracketed;
    if (!in_payload) {
      report(DiagnosticCode::not_modifiable, target->span, "only the payload and its fields can be modified",
             "name a field such as payload.name");
      return;
    }
    const bool whole_payload = path->segments.size() == 1;
    if (whole_payload && edit.kind != EditKind::replace) {
      report(DiagnosticCode::not_modifiable, target->span, "'" + kind + "' needs a payload field such as payload.lat",
             "to change the whole payload, write 'replace payload with ...'");
      return;
    }
    check(*target, scope);
  }
  if (!edit.value) return;
  switch (edit.kind) {
    case EditKind::set:
    case EditKind::replace:
      expect_type(*edit.value, scope, Type::json, "the new value");
      break;
    case EditKind::round:
    case EditKind::truncate: {
      expect_type(*edit.value, scope, Type::number, "the number of decimals");
      const auto* decimals = std::get_if<NumberLiteral>(&edit.value->node);
      if (decimals != nullptr &&
          (decimals->value < 0 || decimals->value > 15 || decimals->value != std::floor(decimals->value))) {
        report(DiagnosticCode::out_of_range, edit.value->span, "the number of decimals must be a whole number from 0 to 15");
      }
      break;
    }
    case EditKind::blur: {
      expect_type(*edit.value, scope, Type::distance, "the blur grid");
      const auto* grid = std::get_if<DistanceLiteral>(&edit.value->node);
      if (grid != nullptr && grid->metres <= 0) {
        report(DiagnosticCode::out_of_range, edit.value->span, "the blur grid must be larger than zero");
      }
      break;
    }
    case EditKind::remove:
    case EditKind::pseudonymise:
      break;
  }
}

}  // namespace mqwarden::policy::detail

// Warnings about rules and branches that can never run: a where filter or if
// condition that is constantly false, a where filter that asks the topic to
// be two things at once, an else without an if, a template never configured.
// Sound but incomplete: a rule without a warning may still never apply.
#include <optional>
#include <set>

#include "mqtt/topic.hpp"
#include "policy/checker_internal.hpp"

namespace mqwarden::policy::detail {
namespace {

// The value of a condition made only of true, false, not, and, or.
std::optional<bool> constant_truth(const Expr& expr) {
  if (const auto* literal = std::get_if<BoolLiteral>(&expr.node)) return literal->value;
  if (const auto* negation = std::get_if<Not>(&expr.node)) {
    const auto operand = constant_truth(*negation->operand);
    return operand ? std::optional<bool>(!*operand) : std::nullopt;
  }
  if (const auto* logical = std::get_if<Logical>(&expr.node)) {
    const bool absorbing = logical->op == LogicalOp::any;  // true absorbs or, false absorbs and
    bool all_known = true;
    for (const ExprPtr& operand : logical->operands) {
      const auto value = constant_truth(*operand);
      if (value && *value == absorbing) return absorbing;
      if (!value) all_known = false;
    }
    return all_known ? std::optional<bool>(!absorbing) : std::nullopt;
  }
  return std::nullopt;
}

bool is_topic_field(const Expr& expr) {
  const auto* path = std::get_if<Path>(&expr.node);
  return path != nullptr && !path->of_trigger && path->segments.size() == 1 && path->segments[0].name == "topic" &&
         path->root == PathRoot::event_field;
}

// What the top-level conjuncts of a where filter say about the topic.
struct TopicFacts {
  std::vector<std::pair<std::string, Span>> names;    // topic == "x"
  std::vector<std::pair<std::string, Span>> filters;  // topic matches "x/#"
};

void collect_topic_facts(const Expr& expr, TopicFacts& facts) {
  if (const auto* logical = std::get_if<Logical>(&expr.node); logical != nullptr && logical->op == LogicalOp::all) {
    for (const ExprPtr& operand : logical->operands) collect_topic_facts(*operand, facts);
    return;
  }
  const auto* compare = std::get_if<Compare>(&expr.node);
  if (compare == nullptr || (compare->op != CompareOp::equal && compare->op != CompareOp::matches)) return;
  const Expr* field = compare->left.get();
  const Expr* value = compare->right.get();
  if (compare->op == CompareOp::equal && !is_topic_field(*field)) std::swap(field, value);
  const auto* literal = std::get_if<StringLiteral>(&value->node);
  if (!is_topic_field(*field) || literal == nullptr) return;
  auto& list = compare->op == CompareOp::equal ? facts.names : facts.filters;
  list.emplace_back(literal->value, expr.span);
}

}  // namespace

void Checker::check_reachability(const Rule& rule) {
  if (rule.where && constant_truth(*rule.where) == false) {
    report(DiagnosticCode::unreachable_rule, rule.where->span,
           "rule '" + rule.name + "' never applies: its where filter is always false");
  } else if (rule.condition && constant_truth(*rule.condition) == false) {
    report(DiagnosticCode::unreachable_rule, rule.condition->span,
           "the then actions of rule '" + rule.name + "' never run: its if condition is always false");
  }
  if (!rule.condition && !rule.else_actions.empty()) {
    report(DiagnosticCode::unreachable_else, rule.else_actions.front().span,
           "the else actions of rule '" + rule.name + "' never run: the rule has no if condition",
           "else runs when the where filter matches and the if condition does not");
  }
  if (!rule.where) return;
  TopicFacts facts;
  collect_topic_facts(*rule.where, facts);
  for (std::size_t i = 1; i < facts.names.size(); ++i) {
    if (facts.names[i].first != facts.names[0].first) {
      report(DiagnosticCode::unreachable_rule, facts.names[i].second,
             "rule '" + rule.name + "' never applies: the topic cannot be both \"" + facts.names[0].first +
                 "\" and \"" + facts.names[i].first + "\"");
      return;
    }
  }
  // Subscriptions carry filters, not names, so only messages are checked here.
  if (rule.trigger.activity != Activity::publish && rule.trigger.activity != Activity::deliver) return;
  for (const auto& [name, name_span] : facts.names) {
    if (mqtt::validate_topic_name(name)) continue;
    for (const auto& [filter, filter_span] : facts.filters) {
      if (mqtt::validate_topic_filter(filter) || mqtt::parse_shared_subscription(filter)) continue;
      if (!mqtt::topic_matches(filter, name)) {
        report(DiagnosticCode::unreachable_rule, filter_span,
               "rule '" + rule.name + "' never applies: topic \"" + name + "\" does not match \"" + filter + "\"");
        return;
      }
    }
  }
}

void Checker::warn_unconfigured_templates() {
  std::set<std::string_view> configured;
  for (const Configuration& configuration : policy.configurations) configured.insert(configuration.template_name);
  for (const Template& declared : policy.templates) {
    if (configured.count(declared.name) == 0) {
      report(DiagnosticCode::unconfigured_template, declared.name_span,
             "template '" + declared.name + "' is never configured, so its rules never run",
             "add 'configure " + declared.name + "(...)'");
    }
  }
}

}  // namespace mqwarden::policy::detail

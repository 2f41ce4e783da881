// Expressions: name resolution, typing (docs/policy-language.md, "Types"),
// placement of temporal operators, event patterns and `event.` fields,
// arguments of calls and configurations.
#include <algorithm>
#include <cmath>
#include <set>

#include "common/overloaded.hpp"
#include "mqtt/topic.hpp"
#include "policy/checker_internal.hpp"
#include "policy/event_schema.hpp"
#include "policy/suggest.hpp"

namespace mqwarden::policy::detail {
namespace {

bool is_scalar(Type type) {
  return type == Type::boolean || type == Type::number || is_stringy(type) || type == Type::json;
}

bool equality_comparable(Type left, Type right) {
  if (left == Type::json) return is_scalar(right);
  if (right == Type::json) return is_scalar(left);
  if (is_stringy(left) && is_stringy(right)) return true;
  return left == right && left != Type::time && left != Type::zone && left != Type::calendar &&
         left != Type::event_pattern && left != Type::position;
}

bool orderable(Type left, Type right) {
  const auto numeric = [](Type type) { return type == Type::number || type == Type::json; };
  if (numeric(left) && numeric(right)) return true;
  return left == right && (left == Type::duration || left == Type::distance);
}

bool member_of(Type item, Type collection) {
  switch (collection) {
    case Type::string_list: return is_stringy(item) || item == Type::json;
    case Type::number_list: return item == Type::number || item == Type::json;
    case Type::zone: return item == Type::position;
    case Type::calendar: return item == Type::time;
    case Type::json: return is_scalar(item);
    default: return false;
  }
}

bool contains(Type container, Type item) {
  if (is_stringy(container)) return is_stringy(item);
  if (container == Type::string_list || container == Type::number_list || container == Type::json) {
    return member_of(item, container);
  }
  return false;
}

bool textual(Type type) { return is_stringy(type) || type == Type::json; }

// The argument slots of each temporal operator.
enum class Slot { window, bound, operand };
struct TemporalShape {
  std::vector<Slot> slots;
  std::string_view usage;
};

const TemporalShape& shape_of(TemporalOp op) {
  static const TemporalShape kAlways{{Slot::operand}, "always(condition)"};
  static const TemporalShape kBefore{{Slot::window, Slot::operand}, "before(duration, condition)"};
  static const TemporalShape kWithin{{Slot::window, Slot::operand}, "within(duration, condition)"};
  static const TemporalShape kDuring{{Slot::window, Slot::operand}, "during(duration, condition)"};
  static const TemporalShape kSince{{Slot::operand, Slot::operand}, "since(condition, condition)"};
  static const TemporalShape kRepMax{{Slot::bound, Slot::operand}, "repMax(count, condition)"};
  static const TemporalShape kRepLim{{Slot::window, Slot::bound, Slot::bound, Slot::operand},
                                     "repLim(duration, low, high, condition)"};
  static const TemporalShape kRepSince{{Slot::bound, Slot::operand, Slot::operand},
                                       "repSince(count, condition, condition)"};
  static const TemporalShape kCount{{Slot::window, Slot::operand}, "count(within duration, condition)"};
  switch (op) {
    case TemporalOp::always: return kAlways;
    case TemporalOp::before: return kBefore;
    case TemporalOp::within: return kWithin;
    case TemporalOp::during: return kDuring;
    case TemporalOp::since: return kSince;
    case TemporalOp::rep_max: return kRepMax;
    case TemporalOp::rep_lim: return kRepLim;
    case TemporalOp::rep_since: return kRepSince;
    case TemporalOp::count: return kCount;
  }
  return kAlways;
}

const NumberLiteral* number_literal(const Expr& expr) { return std::get_if<NumberLiteral>(&expr.node); }

class ExpressionChecker {
 public:
  ExpressionChecker(Checker& checker, Expr& expr, const Scope& scope)
      : checker_(checker), expr_(expr), scope_(scope), inner_(scope) {
    inner_.pattern_allowed = false;
  }

  Type operator()(BoolLiteral&) { return Type::boolean; }
  Type operator()(NumberLiteral&) { return Type::number; }
  Type operator()(StringLiteral&) { return Type::string; }
  Type operator()(DurationLiteral&) { return Type::duration; }
  Type operator()(DistanceLiteral&) { return Type::distance; }
  Type operator()(Now&) { return Type::time; }

  Type operator()(ListLiteral& list) {
    Type element = Type::unknown;
    for (ExprPtr& item : list.items) {
      Type type = checker_.check(*item, inner_);
      if (type == Type::topic) type = Type::string;
      if (type == Type::unknown) continue;
      if (type != Type::string && type != Type::number) {
        checker_.report(DiagnosticCode::type_mismatch, item->span,
                        "list items must be strings or numbers, found " + with_article(type));
        return Type::unknown;
      }
      if (element != Type::unknown && element != type) {
        checker_.report(DiagnosticCode::type_mismatch, item->span,
                        "list items must all have one type: all strings or all numbers");
        return Type::unknown;
      }
      element = type;
    }
    return element == Type::number ? Type::number_list : Type::string_list;
  }

  Type operator()(ObjectLiteral& object) {
    std::set<std::string, std::less<>> keys;
    for (ObjectMember& member : object.members) {
      if (!keys.insert(member.key).second) {
        checker_.report(DiagnosticCode::duplicate_key, member.key_span, "key \"" + member.key + "\" appears twice");
      }
      checker_.expect_type(*member.value, inner_, Type::json, "an object member");
    }
    return Type::json;
  }

  Type operator()(Path& path) { return resolve(path); }

  Type operator()(Not& negation) {
    checker_.expect_type(*negation.operand, inner_, Type::boolean, "the operand of 'not'");
    return Type::boolean;
  }

  Type operator()(Concat& concat) {
    for (ExprPtr& part : concat.parts) {
      const Type type = checker_.check(*part, inner_);
      if (type != Type::unknown && !is_stringy(type)) {
        checker_.report(DiagnosticCode::type_mismatch, part->span, "'+' joins strings, found " + with_article(type));
      }
    }
    return Type::string;
  }

  Type operator()(Logical& logical) {
    const std::string_view what = logical.op == LogicalOp::all ? "the operands of 'and'" : "the operands of 'or'";
    for (ExprPtr& operand : logical.operands) checker_.expect_type(*operand, inner_, Type::boolean, what);
    return Type::boolean;
  }

  Type operator()(Compare& compare) {
    const Type left = checker_.check(*compare.left, inner_);
    const Type right = checker_.check(*compare.right, inner_);
    if (left == Type::unknown || right == Type::unknown) return Type::boolean;
    const std::string op(to_string(compare.op));
    const auto incomparable = [&](std::string message) {
      checker_.report(DiagnosticCode::incomparable_types, expr_.span, std::move(message));
    };
    switch (compare.op) {
      case CompareOp::equal:
      case CompareOp::not_equal:
        if (!equality_comparable(left, right)) {
          incomparable("cannot compare " + with_article(left) + " with " + with_article(right) + " using '" + op + "'");
        }
        break;
      case CompareOp::less:
      case CompareOp::less_equal:
      case CompareOp::greater:
      case CompareOp::greater_equal:
        if (!orderable(left, right)) {
          incomparable("cannot order " + with_article(left) + " and " + with_article(right) + " with '" + op + "'");
        }
        break;
      case CompareOp::in:
      case CompareOp::not_in:
        if (!member_of(left, right)) {
          incomparable("cannot test whether " + with_article(left) + " is in " + with_article(right));
        }
        break;
      case CompareOp::contains:
        if (!contains(left, right)) {
          incomparable("cannot test whether " + with_article(left) + " contains " + with_article(right));
        }
        break;
      case CompareOp::matches:
        check_topic_match(compare, left, right);
        break;
      case CompareOp::matches_regex:
        check_regex_match(compare, left);
        break;
    }
    return Type::boolean;
  }

  Type operator()(Presence& presence) {
    const Type type = checker_.check(*presence.operand, inner_);
    if (type != Type::json && type != Type::unknown) {
      checker_.report(DiagnosticCode::type_mismatch, presence.operand->span,
                      "only JSON values (payload fields, attributes, user properties) can be absent; this is " +
                          with_article(type));
    }
    return Type::boolean;
  }

  Type operator()(Call& call) {
    const FunctionSpec* function = checker_.registry.function(call.name);
    if (function == nullptr) {
      checker_.report(DiagnosticCode::unknown_function, call.name_span, "unknown function '" + call.name + "'",
                      did_you_mean(call.name, checker_.registry.function_names()));
      for (Argument& argument : call.arguments) checker_.check(*argument.value, inner_);
      return Type::unknown;
    }
    checker_.check_arguments(call.arguments, function->parameters, "function '" + call.name + "'", expr_.span,
                             inner_);
    return function->result;
  }

  Type operator()(SituationRef& ref) {
    const Situation* situation = checker_.find_situation(ref.name);
    if (situation == nullptr) {
      std::vector<std::string> known;
      for (const Situation& candidate : checker_.policy.situations) known.push_back(candidate.name);
      checker_.report(DiagnosticCode::unknown_situation, ref.name_span, "no situation named '" + ref.name + "'",
                      did_you_mean(ref.name, known));
      return Type::unknown;
    }
    checker_.check_arguments(ref.arguments, specs_of(situation->parameters), "situation '" + ref.name + "'",
                             expr_.span, inner_);
    return Type::boolean;
  }

  Type operator()(EventPattern& pattern) {
    if (!scope_.pattern_allowed) {
      checker_.report(DiagnosticCode::pattern_outside_temporal, expr_.span,
                      "an event pattern is only meaningful inside a temporal operator",
                      "for example within(10 min, actual publish where topic == \"door/open\")");
      return Type::unknown;
    }
    checker_.check_event_spec(pattern.event);
    if (pattern.where) {
      Scope where;
      where.event = &pattern.event;
      where.trigger = scope_.rule_trigger;
      where.parameters = scope_.parameters;
      where.filter = "an event pattern's where filter";
      checker_.expect_type(*pattern.where, where, Type::boolean, "an event pattern's where filter");
    }
    return Type::event_pattern;
  }

  Type operator()(Temporal& temporal) {
    const std::string name(to_string(temporal.op));
    if (!scope_.filter.empty()) {
      checker_.report(DiagnosticCode::temporal_in_filter, expr_.span,
                      "temporal operators cannot be used in " + std::string(scope_.filter),
                      "move '" + name + "' to the rule's 'if' clause");
      return Type::unknown;
    }
    const TemporalShape& shape = shape_of(temporal.op);
    if (temporal.operands.size() != shape.slots.size()) {
      checker_.report(DiagnosticCode::wrong_arity, expr_.span,
                      "'" + name + "' takes " + std::to_string(shape.slots.size()) + " arguments, found " +
                          std::to_string(temporal.operands.size()),
                      "write " + std::string(shape.usage));
      return Type::unknown;
    }
    for (std::size_t i = 0; i < shape.slots.size(); ++i) check_slot(name, shape.slots[i], *temporal.operands[i]);
    if (temporal.op == TemporalOp::rep_lim) check_bounds_order(temporal);
    return temporal.op == TemporalOp::count ? Type::number : Type::boolean;
  }

 private:
  Type resolve(Path& path) {
    if (path.of_trigger) {
      if (scope_.trigger == nullptr) {
        checker_.report(DiagnosticCode::trigger_field_outside_pattern, expr_.span,
                        "'event." + path.dotted().substr(6) + "' can only be used inside an event pattern",
                        "'event.' names the event that triggered the rule, from inside a pattern such as "
                        "count(within 10 s, tentative connect where client.ip == event.client.ip)");
        return Type::unknown;
      }
      return resolve_field(*scope_.trigger, path);
    }
    const PathSegment& first = path.segments.front();
    if (path.segments.size() == 1 && !first.bracketed) {
      for (const Parameter& parameter : scope_.parameters) {
        if (parameter.name == first.name) {
          path.root = PathRoot::parameter;
          return parameter.type;
        }
      }
      if (checker_.is_zone(first.name)) {
        path.root = PathRoot::zone;
        return Type::zone;
      }
      if (checker_.is_calendar(first.name)) {
        path.root = PathRoot::calendar;
        return Type::calendar;
      }
      if (!is_field_root(first.name)) {
        checker_.report(DiagnosticCode::unknown_name, expr_.span, "unknown name '" + first.name + "'",
                        did_you_mean(first.name, known_names()));
        return Type::unknown;
      }
    }
    if (scope_.event == nullptr) {
      checker_.report(DiagnosticCode::unknown_field, expr_.span,
                      "a situation cannot read event fields such as '" + path.dotted() + "'",
                      "pass the value in as a parameter of the situation");
      return Type::unknown;
    }
    return resolve_field(*scope_.event, path);
  }

  Type resolve_field(const EventSpec& event, Path& path) {
    std::span<const Parameter> situation_parameters;
    if (const Situation* situation = checker_.find_situation(event.subject)) situation_parameters = situation->parameters;
    const FieldResolution resolution = resolve_event_field(event, path, situation_parameters);
    if (resolution.type == Type::unknown) {
      checker_.report(DiagnosticCode::unknown_field, expr_.span, resolution.message, resolution.note);
      return Type::unknown;
    }
    path.root = PathRoot::event_field;
    return resolution.type;
  }

  std::vector<std::string> known_names() const {
    std::vector<std::string> names;
    for (const Parameter& parameter : scope_.parameters) names.push_back(parameter.name);
    for (const Zone& zone : checker_.policy.zones) names.push_back(zone.name);
    for (const Calendar& calendar : checker_.policy.calendars) names.push_back(calendar.name);
    if (scope_.event != nullptr) {
      for (const std::string& field : field_names(scope_.event->activity)) names.push_back(field);
    }
    return names;
  }

  void check_topic_match(const Compare& compare, Type left, Type right) {
    if (!textual(left) || !is_stringy(right)) {
      checker_.report(DiagnosticCode::type_mismatch, expr_.span,
                      "'matches' tests a topic or string against a topic filter, found " + with_article(left) +
                          " and " + with_article(right));
      return;
    }
    const auto* filter = std::get_if<StringLiteral>(&compare.right->node);
    if (filter == nullptr) return;
    if (const auto problem = mqtt::validate_topic_filter(filter->value)) {
      checker_.report(DiagnosticCode::invalid_topic_filter, compare.right->span,
                      "\"" + filter->value + "\" is not a valid MQTT topic filter: " +
                          std::string(mqtt::to_string(*problem)),
                      "'+' stands for one whole level and '#' for the rest, as in \"sensors/+/temperature\" or "
                      "\"sensors/#\"");
    }
  }

  void check_regex_match(const Compare& compare, Type left) {
    if (!textual(left)) {
      checker_.report(DiagnosticCode::type_mismatch, compare.left->span,
                      "a regular expression matches text, found " + with_article(left));
      return;
    }
    if (!std::holds_alternative<StringLiteral>(compare.right->node)) {
      checker_.report(DiagnosticCode::regex_not_literal, compare.right->span,
                      "a regular expression must be written as a string literal", "for example =~ \"^gps/[0-9]+$\"");
    }
  }

  void check_slot(const std::string& name, Slot slot, Expr& operand) {
    switch (slot) {
      case Slot::operand: {
        Scope operand_scope = inner_;
        operand_scope.pattern_allowed = true;
        const Type type = checker_.check(operand, operand_scope);
        if (type != Type::boolean && type != Type::event_pattern && type != Type::unknown) {
          checker_.report(DiagnosticCode::type_mismatch, operand.span,
                          "'" + name + "' needs a condition or an event pattern here, found " + with_article(type));
        }
        return;
      }
      case Slot::window: {
        checker_.expect_type(operand, inner_, Type::duration, "the window of '" + name + "'");
        require_constant(name, operand, "window");
        const auto* window = std::get_if<DurationLiteral>(&operand.node);
        if (window != nullptr && window->milliseconds <= 0) {
          checker_.report(DiagnosticCode::out_of_range, operand.span, "the window of '" + name + "' must be longer than zero");
        }
        return;
      }
      case Slot::bound: {
        checker_.expect_type(operand, inner_, Type::number, "the count of '" + name + "'");
        require_constant(name, operand, "count");
        const NumberLiteral* bound = number_literal(operand);
        if (bound != nullptr && (bound->value < 0 || bound->value != std::floor(bound->value))) {
          checker_.report(DiagnosticCode::out_of_range, operand.span,
                          "the counts of '" + name + "' must be whole numbers, 0 or more");
        }
        return;
      }
    }
  }

  void require_constant(const std::string& name, const Expr& operand, std::string_view role) {
    if (operand.type != Type::unknown && !checker_.is_constant(operand)) {
      checker_.report(DiagnosticCode::not_constant, operand.span,
                      "the " + std::string(role) + " of '" + name + "' must be a literal or a template parameter",
                      "monitors keep state sized by it, so it cannot change from event to event");
    }
  }

  void check_bounds_order(const Temporal& temporal) {
    const NumberLiteral* low = number_literal(*temporal.operands[1]);
    const NumberLiteral* high = number_literal(*temporal.operands[2]);
    if (low != nullptr && high != nullptr && low->value > high->value) {
      checker_.report(DiagnosticCode::out_of_range, Span::cover(temporal.operands[1]->span, temporal.operands[2]->span),
                      "the lower bound of 'repLim' is above its upper bound");
    }
  }

  Checker& checker_;
  Expr& expr_;
  const Scope& scope_;
  Scope inner_;  // for children: no event patterns there
};

}  // namespace

bool is_literal(const Expr& expr) {
  if (const auto* list = std::get_if<ListLiteral>(&expr.node)) {
    for (const ExprPtr& item : list->items) {
      if (!is_literal(*item)) return false;
    }
    return true;
  }
  return std::holds_alternative<BoolLiteral>(expr.node) || std::holds_alternative<NumberLiteral>(expr.node) ||
         std::holds_alternative<StringLiteral>(expr.node) || std::holds_alternative<DurationLiteral>(expr.node) ||
         std::holds_alternative<DistanceLiteral>(expr.node);
}

bool Checker::is_constant(const Expr& expr) const {
  if (is_literal(expr)) return true;
  const auto* path = std::get_if<Path>(&expr.node);
  return path != nullptr && path->root == PathRoot::parameter;
}

Type Checker::check(Expr& expr, const Scope& scope) {
  expr.type = std::visit(ExpressionChecker(*this, expr, scope), expr.node);
  return expr.type;
}

void Checker::expect_type(Expr& expr, const Scope& scope, Type expected, std::string_view what) {
  const Type type = check(expr, scope);
  if (assignable(type, expected)) return;
  std::string note;
  if (expected == Type::boolean && type == Type::json) note = "compare the value, e.g. payload.alarm == true";
  report(DiagnosticCode::type_mismatch, expr.span,
         std::string(what) + " must be " + with_article(expected) + ", found " + with_article(type), note);
}

void Checker::check_arguments(std::vector<Argument>& arguments, const std::vector<ParameterSpec>& parameters,
                              std::string_view callee, Span call_span, const Scope& scope, bool literals_only) {
  const bool all_positional = std::all_of(arguments.begin(), arguments.end(),
                                          [](const Argument& argument) { return argument.name.empty(); });
  if (all_positional && !arguments.empty() && arguments.size() != parameters.size()) {
    report(DiagnosticCode::wrong_arity, call_span,
           std::string(callee) + " takes " + std::to_string(parameters.size()) + " argument" +
               (parameters.size() == 1 ? "" : "s") + ", found " + std::to_string(arguments.size()));
    for (Argument& argument : arguments) check(*argument.value, scope);
    return;
  }
  std::vector<const Argument*> bound(parameters.size(), nullptr);
  std::size_t positional = 0;
  for (Argument& argument : arguments) {
    std::size_t index = 0;
    if (argument.name.empty()) {
      index = positional++;
      if (index >= parameters.size()) {
        report(DiagnosticCode::wrong_arity, call_span,
               std::string(callee) + " takes " + std::to_string(parameters.size()) + " argument" +
                   (parameters.size() == 1 ? "" : "s") + ", found " + std::to_string(arguments.size()));
        return;
      }
    } else {
      const auto found = std::find_if(parameters.begin(), parameters.end(),
                                      [&](const ParameterSpec& parameter) { return parameter.name == argument.name; });
      if (found == parameters.end()) {
        std::vector<std::string> names;
        for (const ParameterSpec& parameter : parameters) names.push_back(parameter.name);
        report(DiagnosticCode::unknown_parameter, argument.name_span,
               std::string(callee) + " has no parameter '" + argument.name + "'", did_you_mean(argument.name, names));
        continue;
      }
      index = static_cast<std::size_t>(found - parameters.begin());
    }
    const ParameterSpec& parameter = parameters[index];
    if (bound[index] != nullptr) {
      report(DiagnosticCode::duplicate_argument, argument.name.empty() ? argument.value->span : argument.name_span,
             "parameter '" + parameter.name + "' of " + std::string(callee) + " is given twice");
      continue;
    }
    bound[index] = &argument;
    if (literals_only && !is_literal(*argument.value)) {
      report(DiagnosticCode::not_constant, argument.value->span,
             "arguments of a static configuration must be literals such as \"board1\" or 10 s",
             "to take values from an event, add 'for each <event> ... until <event>'");
      continue;
    }
    expect_type(*argument.value, scope, parameter.type,
                "parameter '" + parameter.name + "' of " + std::string(callee));
  }
  for (std::size_t i = 0; i < parameters.size(); ++i) {
    if (bound[i] == nullptr) {
      report(DiagnosticCode::missing_argument, call_span,
             std::string(callee) + " needs a value for parameter '" + parameters[i].name + "'");
    }
  }
}

}  // namespace mqwarden::policy::detail

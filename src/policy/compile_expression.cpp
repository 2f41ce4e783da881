// Expressions: literals to constants, paths to fields and parameters, calls
// to host functions, situations to their index, temporal operators to sites.
#include <algorithm>
#include <string>
#include <tuple>

#include "policy/compile_internal.hpp"

namespace mqwarden::policy::detail {
namespace {

std::optional<FieldId> identity_field(std::string_view name) {
  static constexpr std::pair<std::string_view, FieldId> kFields[] = {{"id", FieldId::id},
                                                                     {"username", FieldId::username},
                                                                     {"cn", FieldId::cn},
                                                                     {"ip", FieldId::ip},
                                                                     {"port", FieldId::port},
                                                                     {"protocol", FieldId::protocol},
                                                                     {"roles", FieldId::roles},
                                                                     {"attr", FieldId::attributes},
                                                                     {"clean_start", FieldId::clean_start},
                                                                     {"keep_alive", FieldId::keep_alive}};
  for (const auto& [field_name, id] : kFields) {
    if (field_name == name) return id;
  }
  return std::nullopt;
}

std::optional<FieldId> plain_field(std::string_view first, std::string_view second) {
  static constexpr std::tuple<std::string_view, std::string_view, FieldId> kFields[] = {
      {"will", "topic", FieldId::will_topic},
      {"will", "qos", FieldId::will_qos},
      {"will", "retain", FieldId::will_retain},
      {"topic", "", FieldId::topic},
      {"qos", "", FieldId::qos},
      {"retain", "", FieldId::retain},
      {"share_group", "", FieldId::share_group},
      {"payload_size", "", FieldId::payload_size},
      {"content_type", "", FieldId::content_type},
      {"reason", "", FieldId::reason},
      {"context", "entity", FieldId::context_entity},
      {"context", "name", FieldId::context_name}};
  for (const auto& [a, b, id] : kFields) {
    if (a == first && b == second) return id;
  }
  return std::nullopt;
}

class ExpressionCompiler {
 public:
  ExpressionCompiler(CompileState& state, const Expr& expr, const CompileScope& scope)
      : state_(state), expr_(expr), scope_(scope) {}

  Node operator()(const BoolLiteral& literal) { return constant(Value::boolean(literal.value)); }
  Node operator()(const NumberLiteral& literal) { return constant(Value::number(literal.value)); }
  Node operator()(const StringLiteral& literal) {
    return constant(Value::string(state_.output.constants.keep(literal.value)));
  }
  Node operator()(const DurationLiteral& literal) { return constant(Value::duration(literal.milliseconds)); }
  Node operator()(const DistanceLiteral& literal) { return constant(Value::distance(literal.metres)); }
  Node operator()(const Now&) { return node(NodeKind::now); }

  Node operator()(const ListLiteral& list) {
    Node out = node(NodeKind::list);
    bool literal = true;
    for (const ExprPtr& item : list.items) {
      out.children.push_back(compile_expression(state_, *item, scope_));
      literal = literal && out.children.back().kind == NodeKind::constant;
    }
    if (!literal) return out;
    if (expr_.type == Type::number_list) {
      std::vector<double> items;
      for (const Node& child : out.children) items.push_back(child.constant.as_number());
      return constant(Value::numbers(state_.output.constants.keep(std::move(items))));
    }
    std::vector<std::string> items;
    for (const Node& child : out.children) items.emplace_back(child.constant.as_string());
    return constant(Value::strings(state_.output.constants.keep(std::move(items))));
  }

  Node operator()(const ObjectLiteral& object) {
    Node out = node(NodeKind::object);
    for (const ObjectMember& member : object.members) {
      out.keys.push_back(member.key);
      out.children.push_back(compile_expression(state_, *member.value, scope_));
    }
    return out;
  }

  Node operator()(const Path& path) {
    switch (path.root) {
      case PathRoot::parameter: {
        Node out = node(NodeKind::parameter);
        for (std::size_t i = 0; i < scope_.parameters.size(); ++i) {
          if (scope_.parameters[i].name == path.segments.front().name) out.index = i;
        }
        return out;
      }
      case PathRoot::zone: return constant(Value::zone(*state_.zones.at(path.segments.front().name)));
      case PathRoot::calendar: return constant(Value::calendar(*state_.calendars.at(path.segments.front().name)));
      case PathRoot::event_field:
      case PathRoot::unresolved: break;
    }
    Node out = node(NodeKind::field);
    out.field = field_of(path);
    if (path.of_trigger) {
      state_.error(DiagnosticCode::trigger_field_outside_pattern, expr_.span,
                   "the engine supports 'event." + path.dotted().substr(6) +
                       "' only as one side of an equality joined by 'and' at the top of an event pattern's filter",
                   "write it as <field> == event.<field>, for example client.ip == event.client.ip");
    }
    return out;
  }

  Node operator()(const Not& negation) {
    Node out = node(NodeKind::negate);
    out.children.push_back(compile_expression(state_, *negation.operand, scope_));
    return out;
  }

  Node operator()(const Concat& concat) {
    Node out = node(NodeKind::concat);
    for (const ExprPtr& part : concat.parts) out.children.push_back(compile_expression(state_, *part, scope_));
    return out;
  }

  Node operator()(const Logical& logical) {
    Node out = node(logical.op == LogicalOp::all ? NodeKind::all : NodeKind::any);
    for (const ExprPtr& operand : logical.operands)
      out.children.push_back(compile_expression(state_, *operand, scope_));
    return out;
  }

  Node operator()(const Compare& comparison) {
    Node out = node(NodeKind::compare);
    out.compare = comparison.op;
    out.children.push_back(compile_expression(state_, *comparison.left, scope_));
    out.children.push_back(compile_expression(state_, *comparison.right, scope_));
    const Node& left = out.children[0];
    const Node& right = out.children[1];
    const bool left_is_topic = left.kind == NodeKind::field && left.field.id == FieldId::topic;
    if (comparison.op == CompareOp::matches && left_is_topic) {
      const Activity activity = scope_.event != nullptr ? scope_.event->activity : Activity::publish;
      out.subscription_topic = activity == Activity::subscribe || activity == Activity::unsubscribe;
      out.operands_valid = right.kind == NodeKind::constant;
    }
    if (comparison.op == CompareOp::matches_regex) compile_regex(out, *comparison.right);
    return out;
  }

  Node operator()(const Presence& presence) {
    Node out = node(NodeKind::presence);
    out.present = presence.present;
    out.children.push_back(compile_expression(state_, *presence.operand, scope_));
    return out;
  }

  Node operator()(const Call& call) {
    Node out = node(NodeKind::call);
    out.function = state_.input.functions.find(call.name);
    if (out.function == nullptr) {
      state_.error(DiagnosticCode::unknown_function, call.name_span,
                   "function '" + call.name + "' has no implementation in this host",
                   "the host registers implementations with HostFunctions::add");
    }
    const FunctionSpec* spec = state_.input.registry.function(call.name);
    if (spec != nullptr) out.children = compile_arguments(state_, call.arguments, spec->parameters, scope_);
    return out;
  }

  Node operator()(const SituationRef& ref) {
    Node out = node(NodeKind::situation);
    out.index = state_.situations.at(ref.name);
    const Situation* declared = nullptr;
    for (const Situation& situation : state_.input.policy.situations) {
      if (situation.name == ref.name) declared = &situation;
    }
    std::vector<ParameterSpec> specs;
    for (const Parameter& parameter : declared->parameters) specs.push_back({parameter.name, parameter.type});
    out.children = compile_arguments(state_, ref.arguments, specs, scope_);
    return out;
  }

  Node operator()(const EventPattern&) {
    // The checker admits patterns only as temporal operands, which compile_temporal handles.
    state_.error(DiagnosticCode::pattern_outside_temporal, expr_.span, "an event pattern outside a temporal operator");
    return node(NodeKind::constant);
  }

  Node operator()(const Temporal& temporal) {
    if (scope_.temporal == nullptr) {
      state_.error(DiagnosticCode::temporal_in_filter, expr_.span,
                   "temporal operators belong in a rule's 'if' condition, not in a situation",
                   "move the operator into the rules that use the situation");
      return node(NodeKind::constant);
    }
    TemporalSite site;
    site.op = temporal.op;
    site.span = expr_.span;
    for (const ExprPtr& operand : temporal.operands) {
      if (operand->type == Type::event_pattern) {
        site.operands.push_back(compile_pattern(std::get<EventPattern>(operand->node)));
      } else if (operand->type == Type::boolean) {
        TemporalOperand condition;
        condition.condition = compile_expression(state_, *operand, scope_);
        condition.trigger_key = nested_trigger_key(*condition.condition);
        site.operands.push_back(std::move(condition));
      } else {
        site.bounds.push_back(compile_expression(state_, *operand, scope_));
      }
    }
    check_bindings(site);
    Node out = node(NodeKind::temporal);
    out.index = scope_.temporal->size();
    scope_.temporal->push_back(std::move(site));
    return out;
  }

 private:
  Node node(NodeKind kind) const {
    Node out;
    out.kind = kind;
    out.type = expr_.type;
    out.span = expr_.span;
    return out;
  }

  Node constant(Value value) const {
    Node out = node(NodeKind::constant);
    out.constant = value;
    return out;
  }

  FieldRef field_of(const Path& path) const {
    FieldRef field;
    field.of_trigger = path.of_trigger;
    const auto& segments = path.segments;
    const std::string& first = segments.front().name;
    const std::string_view second = segments.size() > 1 ? std::string_view(segments[1].name) : std::string_view();
    const auto rest = [&](std::size_t from) { return json_path_from(std::span(segments).subspan(from)); };
    if (first == "client" || first == "publisher" || first == "subscriber") {
      field.of_subscriber = first == "subscriber";
      field.id = identity_field(second).value_or(FieldId::id);
      if (field.id == FieldId::attributes) field.path = rest(2);
    } else if (first == "payload") {
      field.id = segments.size() == 1 && expr_.type != Type::json ? FieldId::payload_text : FieldId::payload_json;
      field.path = rest(1);
    } else if (first == "user_properties") {
      field.id = FieldId::user_property;
      field.key = second;
      field.path = rest(2);
    } else if (first == "context" && second == "value") {
      field.id = FieldId::context_value;
      field.path = rest(2);
    } else if (first == "situation") {
      field.id = second == "name" ? FieldId::situation_name : FieldId::situation_argument;
      field.argument = situation_argument(second);
    } else {
      field.id = plain_field(first, second).value_or(FieldId::topic);
    }
    return field;
  }

  std::size_t situation_argument(std::string_view name) const {
    const EventSpec* event = scope_.event;
    for (const Situation& situation : state_.input.policy.situations) {
      if (event == nullptr || situation.name != event->subject) continue;
      for (std::size_t i = 0; i < situation.parameters.size(); ++i) {
        if (situation.parameters[i].name == name) return i;
      }
    }
    return 0;
  }

  void compile_regex(Node& out, const Expr& pattern) {
    const auto* literal = std::get_if<StringLiteral>(&pattern.node);
    if (literal == nullptr) return;
    re2::RE2::Options options;
    options.set_log_errors(false);
    auto regex = std::make_shared<re2::RE2>(literal->value, options);
    if (!regex->ok()) {
      state_.error(DiagnosticCode::syntax, pattern.span, "invalid regular expression: " + regex->error(),
                   "the syntax is RE2's: https://github.com/google/re2/wiki/Syntax");
      return;
    }
    out.regex = std::move(regex);
  }

  // Splits `field == event.field` conjuncts off the pattern's filter into its slice key.
  TemporalOperand compile_pattern(const EventPattern& pattern) {
    TemporalOperand operand;
    operand.is_pattern = true;
    operand.event = pattern.event;
    if (!pattern.where) return operand;
    CompileScope inner = scope_;
    inner.event = &pattern.event;
    inner.temporal = nullptr;
    std::vector<const Expr*> conjuncts;
    if (const auto* logical = std::get_if<Logical>(&pattern.where->node); logical && logical->op == LogicalOp::all) {
      for (const ExprPtr& conjunct : logical->operands) conjuncts.push_back(conjunct.get());
    } else {
      conjuncts.push_back(pattern.where.get());
    }
    Node filter = node(NodeKind::all);
    filter.type = Type::boolean;
    for (const Expr* conjunct : conjuncts) {
      if (auto part = key_part(*conjunct, inner)) {
        operand.key.push_back(std::move(*part));
      } else {
        filter.children.push_back(compile_expression(state_, *conjunct, inner));
      }
    }
    if (!filter.children.empty()) operand.filter = std::move(filter);
    return operand;
  }

  std::optional<SliceKeyPart> key_part(const Expr& conjunct, const CompileScope& inner) {
    const auto* comparison = std::get_if<Compare>(&conjunct.node);
    if (comparison == nullptr || comparison->op != CompareOp::equal) return std::nullopt;
    const auto* left = std::get_if<Path>(&comparison->left->node);
    const auto* right = std::get_if<Path>(&comparison->right->node);
    if (left == nullptr || right == nullptr || left->of_trigger == right->of_trigger) return std::nullopt;
    const Expr& observed = left->of_trigger ? *comparison->right : *comparison->left;
    const Expr& trigger = left->of_trigger ? *comparison->left : *comparison->right;
    if (std::get<Path>(observed.node).root != PathRoot::event_field) return std::nullopt;
    CompileScope trigger_scope = inner;
    trigger_scope.event = scope_.event;
    Path trigger_path = std::get<Path>(trigger.node);
    trigger_path.of_trigger = false;
    const Expr plain{trigger.span, trigger_path, trigger.type};
    return SliceKeyPart{compile_expression(state_, observed, inner).field,
                        compile_expression(state_, plain, trigger_scope).field};
  }

  // A site keeps one slice per binding: every pattern operand must bind the same trigger fields.
  // The trigger fields of the first keyed temporal operator inside `condition`
  // (compiled already: nested sites precede the one being built).
  std::vector<FieldRef> nested_trigger_key(const Node& condition) const {
    std::vector<const Node*> pending{&condition};
    while (!pending.empty()) {
      const Node* node = pending.back();
      pending.pop_back();
      if (node->kind == NodeKind::temporal) {
        for (const TemporalOperand& operand : (*scope_.temporal)[node->index].operands) {
          if (!operand.key.empty()) {
            std::vector<FieldRef> key;
            for (const SliceKeyPart& part : operand.key) key.push_back(part.trigger);
            return key;
          }
          if (!operand.trigger_key.empty()) return operand.trigger_key;
        }
      }
      for (const Node& child : node->children) pending.push_back(&child);
    }
    return {};
  }

  void check_bindings(const TemporalSite& site) {
    const TemporalOperand* first = nullptr;
    for (const TemporalOperand& operand : site.operands) {
      if (!operand.is_pattern) continue;
      if (first == nullptr) {
        first = &operand;
        continue;
      }
      const bool same = operand.key.size() == first->key.size() &&
                        std::equal(operand.key.begin(), operand.key.end(), first->key.begin(),
                                   [](const SliceKeyPart& a, const SliceKeyPart& b) {
                                     return a.trigger.id == b.trigger.id &&
                                            a.trigger.of_subscriber == b.trigger.of_subscriber &&
                                            a.trigger.path == b.trigger.path && a.trigger.key == b.trigger.key;
                                   });
      if (!same) {
        state_.error(DiagnosticCode::trigger_field_outside_pattern, expr_.span,
                     "both event patterns of '" + std::string(to_string(site.op)) +
                         "' must compare the same fields of the triggering event",
                     "the operator keeps one state per value of those fields");
      }
    }
  }

  CompileState& state_;
  const Expr& expr_;
  const CompileScope& scope_;
};

}  // namespace

std::vector<Node> compile_arguments(CompileState& state, const std::vector<Argument>& arguments,
                                    const std::vector<ParameterSpec>& parameters, const CompileScope& scope) {
  std::vector<Node> ordered(parameters.size());
  std::size_t positional = 0;
  for (const Argument& argument : arguments) {
    std::size_t slot = positional;
    if (argument.name.empty()) {
      ++positional;
    } else {
      for (std::size_t i = 0; i < parameters.size(); ++i) {
        if (parameters[i].name == argument.name) slot = i;
      }
    }
    if (slot < ordered.size()) ordered[slot] = compile_expression(state, *argument.value, scope);
  }
  return ordered;
}

Node compile_expression(CompileState& state, const Expr& expr, const CompileScope& scope) {
  return std::visit(ExpressionCompiler(state, expr, scope), expr.node);
}

}  // namespace mqwarden::policy::detail

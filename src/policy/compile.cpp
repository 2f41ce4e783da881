// The compiler's driver: declarations in dependency order, template
// instances, rule order and the index.
#include "policy/compile.hpp"

#include <map>

#include "policy/compile_internal.hpp"
#include "policy/places.hpp"

namespace mqwarden::policy {
namespace {

using detail::CompileScope;
using detail::CompileState;

// Rule order: by position in the sources (a configuration's rules at the
// configuration), then by position inside the template.
std::size_t ordinal_at(const Span& span, std::size_t within) {
  return (static_cast<std::size_t>(span.file) << 48) | (static_cast<std::size_t>(span.offset) << 16) | within;
}

void compile_places(CompileState& state) {
  for (const Zone& zone : state.input.policy.zones) {
    state.output.zones.push_back(compile_zone(zone));
    state.zones.emplace(zone.name, &state.output.zones.back());
  }
  for (const Calendar& calendar : state.input.policy.calendars) {
    state.output.calendars.push_back(compile_calendar(calendar));
    state.calendars.emplace(calendar.name, &state.output.calendars.back());
  }
}

void compile_situations(CompileState& state) {
  const auto& situations = state.input.policy.situations;
  for (std::size_t i = 0; i < situations.size(); ++i) {
    state.situations.emplace(situations[i].name, i);
    state.output.situations.push_back({situations[i].name, situations[i].parameters, {}});
  }
  for (std::size_t i = 0; i < situations.size(); ++i) {
    CompileScope scope;
    scope.parameters = situations[i].parameters;
    state.output.situations[i].condition = detail::compile_expression(state, *situations[i].condition, scope);
  }
}

// `name(a = "x", n = 3)`, from the arguments as written.
std::string label_of(CompileState& state, const Configuration& configuration) {
  std::string label = configuration.template_name + "(";
  for (std::size_t i = 0; i < configuration.arguments.size(); ++i) {
    const Argument& argument = configuration.arguments[i];
    label += (i == 0 ? "" : ", ") + argument.name + " = " +
             std::string(detail::text_of(state.input.sources, argument.value->span));
  }
  return label + ")";
}

void configure_static(CompileState& state, const Configuration& configuration, const Template& declared,
                      const std::vector<const CompiledRule*>& rules) {
  std::vector<Value> arguments(declared.parameters.size());
  CompileScope scope;
  const auto specs = [&] {
    std::vector<ParameterSpec> out;
    for (const Parameter& parameter : declared.parameters) out.push_back({parameter.name, parameter.type});
    return out;
  }();
  const std::vector<Node> nodes = detail::compile_arguments(state, configuration.arguments, specs, scope);
  for (std::size_t i = 0; i < nodes.size(); ++i) arguments[i] = nodes[i].constant;
  const std::string label = label_of(state, configuration);
  for (std::size_t i = 0; i < rules.size(); ++i) {
    state.output.instances.push_back(
        {rules[i], label, arguments, ordinal_at(configuration.span, i), state.output.instances.size()});
  }
}

void configure_lifecycle(CompileState& state, const Configuration& configuration, const Template& declared,
                         const std::vector<const CompiledRule*>& rules) {
  const Lifecycle& lifecycle = *configuration.lifecycle;
  CompiledLifecycle out;
  out.template_name = declared.name;
  out.fingerprint = std::string(detail::text_of(state.input.sources, configuration.span));
  for (const CompiledRule* rule : rules) out.fingerprint += "\n" + rule->fingerprint;
  out.rules = rules;
  out.parameters = declared.parameters;
  out.start = lifecycle.start.event;
  out.end = lifecycle.end.event;
  out.first_ordinal = ordinal_at(configuration.span, 0);
  CompileScope start_scope;
  start_scope.event = &lifecycle.start.event;
  if (lifecycle.start.where) out.start_where = detail::compile_expression(state, *lifecycle.start.where, start_scope);
  std::vector<ParameterSpec> specs;
  for (const Parameter& parameter : declared.parameters) specs.push_back({parameter.name, parameter.type});
  out.arguments = detail::compile_arguments(state, configuration.arguments, specs, start_scope);
  CompileScope end_scope;
  end_scope.event = &lifecycle.end.event;
  end_scope.parameters = declared.parameters;
  if (lifecycle.end.where) out.end_where = detail::compile_expression(state, *lifecycle.end.where, end_scope);
  state.output.lifecycles.push_back(std::move(out));
}

void compile_rules(CompileState& state) {
  const Policy& policy = state.input.policy;
  for (const Rule& rule : policy.rules) {
    state.output.rules.push_back(detail::compile_rule(state, rule, {}));
    state.output.instances.push_back(
        {&state.output.rules.back(), "", {}, ordinal_at(rule.span, 0), state.output.instances.size()});
  }
  std::map<std::string_view, std::vector<const CompiledRule*>> template_rules;
  for (const Template& declared : policy.templates) {
    auto& compiled = template_rules[declared.name];
    for (const Rule& rule : declared.rules) {
      state.output.rules.push_back(detail::compile_rule(state, rule, declared.parameters));
      compiled.push_back(&state.output.rules.back());
    }
  }
  for (const Configuration& configuration : policy.configurations) {
    const Template* declared = nullptr;
    for (const Template& candidate : policy.templates) {
      if (candidate.name == configuration.template_name) declared = &candidate;
    }
    if (declared == nullptr) continue;
    const auto& rules = template_rules[declared->name];
    if (configuration.lifecycle) {
      configure_lifecycle(state, configuration, *declared, rules);
    } else {
      configure_static(state, configuration, *declared, rules);
    }
  }
  for (const RuleInstance& instance : state.output.instances) state.output.index.add(instance);
}

}  // namespace

Result<std::shared_ptr<const CompiledPolicy>, Diagnostics> compile_policy(const CompileInput& input) {
  auto output = std::make_shared<CompiledPolicy>();
  output->config = input.config;
  CompileState state{input, *output, {}, {}, {}, {}};
  compile_places(state);
  compile_situations(state);
  compile_rules(state);
  if (!state.diagnostics.empty()) return fail(std::move(state.diagnostics));
  return std::shared_ptr<const CompiledPolicy>(std::move(output));
}

}  // namespace mqwarden::policy

#include "policy/temporal_state.hpp"

#include <array>
#include <charconv>
#include <optional>

#include "policy/evaluate.hpp"
#include "policy/read_field.hpp"

namespace mqwarden::policy {
namespace {

// The binding text of a key value; values of different kinds never collide.
std::optional<std::string> key_text(const Value& value) {
  switch (value.kind()) {
    case ValueKind::string: return "s" + std::string(value.as_string());
    case ValueKind::boolean: return value.as_bool() ? "btrue" : "bfalse";
    case ValueKind::number: {
      std::array<char, 32> digits{};
      const auto end = std::to_chars(digits.data(), digits.data() + digits.size(), value.as_number()).ptr;
      return "n" + std::string(digits.data(), end);
    }
    case ValueKind::json: return "j" + value.as_json().dump();
    default: return std::nullopt;  // absent, or a kind an equality never matches
  }
}

// The binding of `operand` read from `event`, either as the observed event
// or as the trigger; nullopt when a key field is absent.
std::optional<BindingKey> binding(const TemporalOperand& operand, const Event& event, bool as_trigger) {
  BindingKey key;
  for (const SliceKeyPart& part : operand.key) {
    auto text = key_text(read_field(as_trigger ? part.trigger : part.observed, event));
    if (!text) return std::nullopt;
    key.push_back(std::move(*text));
  }
  return key;
}

// Whether the trigger, seen as an observed event, satisfies the pattern's key
// equalities (`payload.who == event.client.id` compares two fields of it).
bool binds_itself(const TemporalOperand& operand, const Event& event) {
  const auto observed = binding(operand, event, false);
  return observed && observed == binding(operand, event, true);
}

// The binding of a site's trigger fields: its first keyed pattern decides
// (the compiler makes all keyed patterns agree); else the trigger fields of
// the keyed operators nested in its conditions.
std::optional<BindingKey> trigger_binding(const TemporalSite& site, const Event& trigger) {
  for (const TemporalOperand& operand : site.operands) {
    if (!operand.key.empty()) return binding(operand, trigger, true);
  }
  for (const TemporalOperand& operand : site.operands) {
    if (operand.trigger_key.empty()) continue;
    BindingKey key;
    for (const FieldRef& field : operand.trigger_key) {
      auto text = key_text(read_field(field, trigger));
      if (!text) return std::nullopt;
      key.push_back(std::move(*text));
    }
    return key;
  }
  return BindingKey{};
}

bool pattern_matches(const TemporalOperand& operand, const Frame& observed) {
  return observes(operand, observed.event) && (!operand.filter || holds(*operand.filter, observed));
}

std::int64_t bound(const Node& node, const Frame& frame) {
  const Value value = evaluate(node, frame);
  return value.kind() == ValueKind::duration ? value.as_milliseconds() : static_cast<std::int64_t>(value.as_number());
}

TemporalSpec spec_of(const TemporalSite& site, const Frame& frame, const StepClock& clock) {
  TemporalSpec spec;
  spec.op = site.op;
  const auto kind = [&](std::size_t i) {
    return i < site.operands.size() && site.operands[i].is_pattern ? OperandKind::event_pattern
                                                                   : OperandKind::condition;
  };
  spec.phi = kind(0);
  spec.psi = kind(1);
  switch (site.op) {
    case TemporalOp::before:
    case TemporalOp::within:
    case TemporalOp::during:
    case TemporalOp::count: spec.n = clock.steps_in(bound(site.bounds[0], frame)); break;
    case TemporalOp::rep_lim:
      spec.n = clock.steps_in(bound(site.bounds[0], frame));
      spec.low = bound(site.bounds[1], frame);
      spec.high = bound(site.bounds[2], frame);
      break;
    case TemporalOp::rep_max:
    case TemporalOp::rep_since: spec.n = bound(site.bounds[0], frame); break;
    case TemporalOp::always:
    case TemporalOp::since: break;
  }
  return spec;
}

void set_operand(Sample& sample, std::size_t index, bool value) {
  if (index == 0) {
    sample.phi = value;
    sample.phi_observed = true;
  } else {
    sample.psi = value;
    sample.psi_observed = true;
  }
}

}  // namespace

bool observes(const TemporalOperand& operand, const Event& event) {
  return operand.is_pattern && operand.event.mode == event.mode && operand.event.activity == event.activity &&
         (operand.event.subject.empty() || operand.event.subject == event.subject);
}

Result<std::unique_ptr<TemporalState>, Diagnostic> TemporalState::create(const CompiledPolicy& policy,
                                                                         const RuleInstance& instance,
                                                                         std::int64_t start_ms,
                                                                         EngineCounters* counters) {
  const StepClock clock{policy.config.step_ms};
  std::unique_ptr<TemporalState> state(new TemporalState(clock, clock.step_of(start_ms)));
  ValueArena arena;
  const Event none;
  const Frame frame{policy, none, instance.arguments, arena, nullptr, nullptr};
  for (const TemporalSite& site : instance.rule->temporal) {
    const TemporalSpec spec = spec_of(site, frame, clock);
    if (auto valid = validate(spec); !valid) {
      return fail(Diagnostic{DiagnosticCode::out_of_range, site.span,
                             "'" + std::string(to_string(site.op)) + "' cannot be monitored: " + valid.error(),
                             "windows are counted in steps of " + std::to_string(clock.step_ms) + " ms"});
    }
    state->sites_.push_back(std::make_unique<Site>(spec, policy.config.max_slices,
                                                   counters != nullptr ? &counters->slice_evictions : nullptr));
  }
  return state;
}

Value TemporalState::read(const TemporalSite& site, std::size_t index, const Frame& frame) const {
  Sample current = Sample::nothing();
  for (std::size_t i = 0; i < site.operands.size(); ++i) {
    const TemporalOperand& operand = site.operands[i];
    set_operand(current, i,
                operand.is_pattern ? pattern_matches(operand, frame) && binds_itself(operand, frame.event)
                                   : holds(*operand.condition, frame));
  }
  const Step step = clock_.step_of(frame.event.time_ms);
  const std::optional<BindingKey> key = trigger_binding(site, frame.event);
  TemporalValue value;
  {
    const Site& state = *sites_[index];
    const std::lock_guard lock(state.mutex);
    const TemporalMonitor* monitor = key ? state.slices.find(*key) : nullptr;
    // A binding never seen has an empty history.
    value = monitor != nullptr ? monitor->evaluate(step, current)
                               : TemporalMonitor(state.spec, start_).evaluate(step, current);
  }
  if (site.op == TemporalOp::count) return Value::number(static_cast<double>(value.count));
  return Value::boolean(value.truth);
}

void TemporalState::commit_patterns(const CompiledPolicy& policy, const RuleInstance& instance, const Event& event) {
  ValueArena arena;
  const Frame observed{policy, event, instance.arguments, arena, nullptr, nullptr};
  const Step step = clock_.step_of(event.time_ms);
  for (std::size_t index = 0; index < sites_.size(); ++index) {
    const TemporalSite& site = instance.rule->temporal[index];
    for (std::size_t i = 0; i < site.operands.size(); ++i) {
      const TemporalOperand& operand = site.operands[i];
      if (!pattern_matches(operand, observed)) continue;
      const std::optional<BindingKey> key = binding(operand, event, false);
      if (!key) continue;
      Sample sample = Sample::nothing();
      set_operand(sample, i, true);
      const std::lock_guard lock(sites_[index]->mutex);
      sites_[index]->slices.get_or_create(*key, start_).commit(step, sample);
    }
  }
}

void TemporalState::commit_conditions(const RuleInstance& instance, const Frame& frame) {
  const Step step = clock_.step_of(frame.event.time_ms);
  for (std::size_t index = 0; index < sites_.size(); ++index) {
    const TemporalSite& site = instance.rule->temporal[index];
    Sample sample = Sample::nothing();
    bool any = false;
    for (std::size_t i = 0; i < site.operands.size(); ++i) {
      if (site.operands[i].is_pattern) continue;
      set_operand(sample, i, holds(*site.operands[i].condition, frame));
      any = true;
    }
    if (!any) continue;
    const std::optional<BindingKey> key = trigger_binding(site, frame.event);
    if (!key) continue;
    const std::lock_guard lock(sites_[index]->mutex);
    sites_[index]->slices.get_or_create(*key, start_).commit(step, sample);
  }
}

}  // namespace mqwarden::policy

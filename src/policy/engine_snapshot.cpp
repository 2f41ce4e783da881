#include "policy/engine_snapshot.hpp"

#include <map>
#include <string>

namespace mqwarden::policy {
namespace {

// Equal for the same rule text with the same arguments, across reloads.
std::string identity_of(const RuleInstance& instance) {
  return instance.rule->fingerprint + '\n' + instance.label + '\n' + instance.rule->name;
}

std::map<std::string, std::shared_ptr<TemporalState>> states_by_identity(const EngineSnapshot* previous) {
  std::map<std::string, std::shared_ptr<TemporalState>> out;
  if (previous == nullptr) return out;
  for (const RuleInstance& instance : previous->policy->instances) {
    if (const auto& state = previous->temporal[instance.slot]) out.emplace(identity_of(instance), state);
  }
  return out;
}

std::uint64_t interest_of(const CompiledPolicy& policy) {
  std::uint64_t interest = 0;
  auto add = [&](const EventSpec& spec) { interest |= interest_bit(spec.mode, spec.activity); };
  for (const CompiledRule& rule : policy.rules) {
    add(rule.trigger);
    for (const TemporalSite& site : rule.temporal) {
      for (const TemporalOperand& operand : site.operands) {
        if (operand.is_pattern) add(operand.event);
      }
    }
  }
  for (const CompiledLifecycle& lifecycle : policy.lifecycles) {
    add(lifecycle.start);
    add(lifecycle.end);
  }
  return interest;
}

}  // namespace

Result<std::shared_ptr<const EngineSnapshot>, Diagnostics> make_snapshot(std::shared_ptr<const CompiledPolicy> policy,
                                                                         const EngineSnapshot* previous,
                                                                         std::int64_t now_ms,
                                                                         std::shared_ptr<EngineCounters> counters) {
  auto snapshot = std::make_shared<EngineSnapshot>();
  snapshot->counters = std::move(counters);
  snapshot->temporal.resize(policy->instances.size());
  auto carried = states_by_identity(previous);
  Diagnostics problems;
  for (const RuleInstance& instance : policy->instances) {
    if (instance.rule->temporal.empty()) continue;
    if (auto found = carried.find(identity_of(instance)); found != carried.end()) {
      snapshot->temporal[instance.slot] = found->second;
    } else if (auto created = TemporalState::create(*policy, instance, now_ms, snapshot->counters.get())) {
      snapshot->temporal[instance.slot] = std::move(*created);
    } else {
      problems.push_back(created.error());
      continue;
    }
    snapshot->observers.add(instance, *snapshot->temporal[instance.slot]);
  }
  if (!problems.empty()) return fail(std::move(problems));
  if (!policy->lifecycles.empty()) {
    snapshot->live = std::make_shared<LiveInstances>(policy, snapshot->counters);
    if (previous != nullptr && previous->live) snapshot->live->take_over(*previous->live);
  }
  snapshot->interest = interest_of(*policy);
  snapshot->policy = std::move(policy);
  return std::shared_ptr<const EngineSnapshot>(std::move(snapshot));
}

}  // namespace mqwarden::policy

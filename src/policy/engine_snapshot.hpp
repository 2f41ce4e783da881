// What one decision reads: the compiled policy in force, the temporal state
// of its rule instances, and which instances' patterns observe each kind of
// event. A new snapshot is built for every successful load; the temporal
// state of an instance whose rule text and arguments did not change is
// carried over from the previous snapshot.
//
// Thread safety: immutable once built, shared as shared_ptr<const>; the
// TemporalStates it points to guard themselves (temporal_state.hpp).
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "common/result.hpp"
#include "policy/compiled_policy.hpp"
#include "policy/diagnostic.hpp"
#include "policy/engine_counters.hpp"
#include "policy/live_instances.hpp"
#include "policy/observer_index.hpp"
#include "policy/temporal_state.hpp"

namespace mqwarden::policy {

struct EngineSnapshot {
  std::shared_ptr<const CompiledPolicy> policy;
  std::vector<std::shared_ptr<TemporalState>> temporal;  // by RuleInstance::slot; null without temporal operators
  ObserverIndex observers;                               // of the static instances
  std::shared_ptr<LiveInstances> live;  // the lifecycle-bound instances; null without lifecycle configurations
  std::shared_ptr<EngineCounters> counters;  // what the temporal states and live instances count into
  // Bit interest_bit(mode, activity) is set when a rule triggers on, a
  // temporal pattern observes, or a lifecycle starts or ends with such events.
  std::uint64_t interest = 0;

  TemporalState* temporal_of(const RuleInstance& instance) const { return temporal[instance.slot].get(); }
};

static_assert(2 * (static_cast<unsigned>(Activity::context_changes) + 1) <= 64, "one bit per mode and activity");
constexpr std::uint64_t interest_bit(Mode mode, Activity activity) {
  return std::uint64_t{1} << (2 * static_cast<unsigned>(activity) + static_cast<unsigned>(mode));
}

// `previous` may be null. `now_ms` starts the instances that are new.
Result<std::shared_ptr<const EngineSnapshot>, Diagnostics> make_snapshot(std::shared_ptr<const CompiledPolicy> policy,
                                                                         const EngineSnapshot* previous,
                                                                         std::int64_t now_ms,
                                                                         std::shared_ptr<EngineCounters> counters);

}  // namespace mqwarden::policy

// The run-time state of the temporal operators of one rule instance: per
// operator, a map of TemporalMonitors by binding of the trigger fields its
// patterns refer to (a single slice when they refer to none), capped and LRU
// evicted (monitor_slices.hpp).
//
// For a trigger e at step t, read() evaluates the operator over the committed
// history plus e itself (without committing). After every decision the engine
// commits: commit_patterns() records the event in every pattern operand that
// observes its activity, whether or not it triggered the rule;
// commit_conditions() records the condition operands of a rule the event
// triggered (a condition is sampled when its rule is evaluated).
//
// Thread safety: each operator's slice map is guarded by its own mutex, taken
// for the duration of one read or commit; distinct operators and instances
// never share a lock. Specs are fixed at construction. The state holds no
// reference into the compiled policy, so that a reload can hand it to the
// same rule instance (same text, same arguments) of the new policy.
#pragma once

#include <cstddef>
#include <memory>
#include <mutex>
#include <vector>

#include "common/result.hpp"
#include "policy/compiled_policy.hpp"
#include "policy/diagnostic.hpp"
#include "policy/engine_counters.hpp"
#include "policy/event.hpp"
#include "policy/monitor_slices.hpp"
#include "policy/temporal_monitor.hpp"

namespace mqwarden::policy {

struct Frame;

class TemporalState {
 public:
  // Checks the instance's windows against the step (an error at the
  // operator's span). Slice evictions are counted in `counters` (may be
  // null), which must outlive the state.
  static Result<std::unique_ptr<TemporalState>, Diagnostic> create(const CompiledPolicy& policy,
                                                                   const RuleInstance& instance, std::int64_t start_ms,
                                                                   EngineCounters* counters);

  // The value of operator number `index` (`site`) for the frame's event as the trigger.
  Value read(const TemporalSite& site, std::size_t index, const Frame& frame) const;
  // `event` as an observed event of the patterns that watch its activity.
  void commit_patterns(const CompiledPolicy& policy, const RuleInstance& instance, const Event& event);
  // The condition operands of `instance`, sampled for the trigger of `frame`.
  void commit_conditions(const RuleInstance& instance, const Frame& frame);

 private:
  struct Site {
    Site(const TemporalSpec& spec_in, std::size_t capacity, std::atomic<std::uint64_t>* evictions)
        : spec(spec_in), slices(spec_in, capacity, evictions) {}
    const TemporalSpec spec;
    mutable std::mutex mutex;
    MonitorSlices<BindingKey, BindingKeyHash> slices;
  };

  TemporalState(StepClock clock, Step start) : clock_(clock), start_(start) {}

  StepClock clock_;
  Step start_;
  std::vector<std::unique_ptr<Site>> sites_;
};

// Whether a pattern observes events like `event` (mode, activity, subject).
bool observes(const TemporalOperand& operand, const Event& event);

}  // namespace mqwarden::policy

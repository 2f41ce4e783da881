// Incremental monitors for the temporal and cardinality operators of the policy
// language (docs/policy-language.md §5): always, before, within, during, since,
// repMax, repLim, repSince and count.
//
// A TemporalMonitor holds one operator's state for one rule instance, or for one
// parametric slice of it (monitor_slices.hpp). For each event the evaluator asks
// for the operator's value with the event's own sample (evaluate, which changes
// nothing) and, once the event's decision is made, appends the sample to the
// history (commit). Answers cost O(1). A commit costs O(1), except that before,
// repLim and count fill one ring slot per step that passed, at most n however
// long the gap. Memory is O(1), or for those three at most n + 1 slots of 8
// bytes, allocated only as steps pass (constructing a monitor allocates
// nothing); n is capped at kMaxWindowSteps.
//
// Thread safety: const members may run on any number of threads at once while
// no thread commits; commit needs exclusive access. The evaluator guards each
// slice map (and with it its monitors) with a mutex.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "policy/ast.hpp"

namespace mqwarden::policy {

// A step index: time divided into steps of Δ. Steps are assumed within ±2^62.
using Step = std::int64_t;

struct StepClock {
  std::int64_t step_ms = 1000;  // Δ, > 0

  // ⌊time / Δ⌋, also for times before the epoch.
  Step step_of(std::int64_t time_ms) const;
  // ⌈duration / Δ⌉: at least 1 for a duration > 0, and 0 for a duration ≤ 0.
  std::int64_t steps_in(std::int64_t duration_ms) const;
};

// The longest window a monitor keeps, in steps: 2^22, 48 days of 1 s steps (a
// 30-day `count` at the default Δ fits). Its ring then takes at most 32 MiB.
inline constexpr std::int64_t kMaxWindowSteps = std::int64_t{1} << 22;

enum class OperandKind : std::uint8_t { event_pattern, condition };

struct TemporalSpec {
  TemporalOp op = TemporalOp::always;
  std::int64_t n = 0;  // window in steps (before, within, during, repLim, count) or the bound k (repMax, repSince)
  std::int64_t low = 0, high = 0;            // repLim's l and r
  OperandKind phi = OperandKind::condition;  // kind of the first operand φ
  OperandKind psi = OperandKind::condition;  // kind of ψ (since, repSince); ignored otherwise
};

// Whether a monitor can keep `spec`: a window (before, within, during, repLim,
// count) must be 1 … kMaxWindowSteps steps. Any other value is accepted: a
// negative bound k, or repLim with l > r, just makes the operator false.
// The engine checks this when it loads a policy (Δ is known only then); a
// monitor given an invalid spec clamps its window into range.
Result<void, std::string> validate(const TemporalSpec& spec);

// What the current event contributes to each operand.
//
// An event pattern: whether this event matches it. A condition: its value now.
// `*_observed == false` says the event did not concern that operand: its value
// is ignored, so a condition keeps the value it had (and an event pattern sees
// no match). Use it when an event matches ψ's pattern but not φ's, or when the
// evaluator did not compute a condition for this event.
struct Sample {
  bool phi = false;
  bool psi = false;
  bool phi_observed = true;
  bool psi_observed = true;

  static Sample phi_only(bool value) { return {value, false, true, false}; }
  static Sample psi_only(bool value) { return {false, value, false, true}; }
  static Sample nothing() { return {false, false, false, false}; }
};

// count: the number (occurrences of an event pattern, or steps at which a
// condition held, in the window), with truth = count > 0. Every other
// operator: truth, and count = 0.
struct TemporalValue {
  bool truth = false;
  std::int64_t count = 0;
};

// The operator's state over a history of samples, each at a step. Steps never
// go backwards: a step earlier than the newest one seen (or than the start) is
// taken as that newest step.
//
// Per step, an event-pattern operand holds when at least one committed sample
// of that step (or the current one) matched it. A condition operand's value at
// a step is the last value observed at or before that step: state persists
// across steps without observations, and the current sample, being the newest
// observation of its step, overrides earlier ones. Before its first
// observation a condition is unobserved: it holds at no step, and always and
// the weak part of since skip those steps. docs/policy-language.md §5 has the
// whole table.
class TemporalMonitor {
 public:
  // start_step: the rule instance's start; no history before it is visible.
  TemporalMonitor(const TemporalSpec& spec, Step start_step);

  // The value at `step` over the committed history plus `current`, the newest
  // event of `step`, without committing anything.
  TemporalValue evaluate(Step step, Sample current) const;

  // Appends `current` at `step` to the history (after its decision). The
  // result of evaluate(step, current) is then what evaluate(step,
  // Sample::nothing()) answers.
  void commit(Step step, Sample current);
  // For an event that concerns only one operand: the other one is unchanged.
  void commit_phi(Step step, bool value) { commit(step, Sample::phi_only(value)); }
  void commit_psi(Step step, bool value) { commit(step, Sample::psi_only(value)); }

  const TemporalSpec& spec() const { return spec_; }
  // The newest step committed (the start before any commit).
  Step last_step() const { return scalars_.last; }

 private:
  // One step of one operand.
  struct StepValue {
    bool present = false;  // false: a condition not yet observed
    bool held = false;
    std::uint64_t occurrences = 0;  // matching events; a condition: 1 when held
  };
  struct StepPair {
    StepValue phi, psi;
  };

  // One operand as of the newest step.
  struct Operand {
    OperandKind kind = OperandKind::condition;
    bool observed = false;      // a condition: observed at some step so far; a pattern: always
    bool value = false;         // a condition: the value last observed
    std::uint64_t matches = 0;  // a pattern: matching events in the newest step

    StepValue newest() const;  // the newest step, as observed so far
    StepValue idle() const;    // a later step in which nothing concerned it
    void next_step();
    void observe(bool observed_now, bool value_now);
  };

  // The O(1) state of always, within, during, since, repMax and repSince over
  // the closed steps (those before the newest).
  struct Summary {
    bool all_held = true;  // always: φ held at every observed closed step
    Step last_held = 0;    // within: the newest closed step at which φ held (if any_held)
    bool any_held = false;
    Step run_start = 0;  // during: first step of the φ run ending at the newest closed step
    bool in_run = false;
    bool since = true;               // since: its value at the newest closed step (weak: true at the start)
    std::int64_t held = 0;           // repMax: closed steps at which φ held (saturating)
    std::int64_t psi_after_phi = 0;  // repSince: closed ψ steps after the newest φ step (saturating)

    void close(TemporalOp op, Step from, std::int64_t steps, const StepPair& value);
    TemporalValue answer(const TemporalSpec& spec, Step now, const StepPair& value) const;
  };

  // Everything but the ring: cheap to copy, so evaluate advances a copy.
  struct Scalars {
    Step last = 0;
    Operand phi, psi;
    Summary summary;

    void observe(const Sample& sample);
  };

  // P(s), the sum of per-step contributions from the start to step s, for the
  // steps the windows of before, repLim and count can reach.
  class PrefixRing {
   public:
    PrefixRing(std::int64_t capacity, Step start);
    // Closes `steps` more steps, each contributing `each`.
    void append(std::int64_t steps, std::uint64_t each);
    // Needs end() - capacity <= step < end().
    std::uint64_t prefix(Step step) const;

   private:
    void push(std::uint64_t value);

    std::vector<std::uint64_t> slots_;  // P(s) at slots_[(s - origin_) % capacity_], origin_ <= s < end_
    std::size_t capacity_;
    Step origin_;
    Step end_;
    std::uint64_t base_ = 0;   // P(origin_ - 1)
    std::uint64_t slope_ = 0;  // the contribution of each step of the idle run before origin_
  };

  bool uses_ring() const;
  std::uint64_t contribution(const StepValue& value) const;
  // Closes the newest step and the idle steps up to `step` (> newest).
  void advance(Scalars& scalars, Step step, PrefixRing* ring) const;
  TemporalValue ring_answer(Step now, const StepValue& current) const;

  TemporalSpec spec_;
  Scalars scalars_;
  PrefixRing ring_;
};

}  // namespace mqwarden::policy

// A naive evaluator of the temporal operators, written straight from the table
// and its edges in docs/policy-language.md §5, for the property tests of
// TemporalMonitor.
//
// It keeps the whole trace and, for each question, rebuilds every step's value
// from the start and applies the operator's definition by looping over steps:
// slow, and obviously what the table says. Single-threaded test code.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "policy/temporal_monitor.hpp"

namespace mqwarden::policy::testing {

class ReferenceMonitor {
 public:
  ReferenceMonitor(const TemporalSpec& spec, Step start) : spec_(spec), start_(start), newest_(start) {}

  TemporalValue evaluate(Step step, Sample current) const {
    const Step t = std::max(step, newest_);
    std::vector<Event> trace = trace_;
    trace.push_back({t, current});
    return apply(t, steps_of(trace, t, true), steps_of(trace, t, false));
  }

  void commit(Step step, Sample current) {
    newest_ = std::max(step, newest_);
    trace_.push_back({newest_, current});
  }

 private:
  struct Event {
    Step step;
    Sample sample;
  };
  // One operand at one step.
  struct At {
    bool observed = false;  // a condition observed at or before this step; a pattern: always
    bool holds = false;
    std::int64_t occurrences = 0;
  };
  using Steps = std::vector<At>;  // index i is step start_ + i

  // Each step's value of φ (or ψ) from the start to t.
  Steps steps_of(const std::vector<Event>& trace, Step t, bool phi) const {
    const OperandKind kind = phi ? spec_.phi : spec_.psi;
    Steps steps(static_cast<std::size_t>(t - start_ + 1));
    if (kind == OperandKind::event_pattern) {
      // Holds at step i: at least one matching event in step i; occurrences: how many.
      for (At& at : steps) at.observed = true;
      for (const Event& event : trace) {
        const bool observed = phi ? event.sample.phi_observed : event.sample.psi_observed;
        const bool matches = phi ? event.sample.phi : event.sample.psi;
        if (observed && matches) ++steps[index(event.step)].occurrences;
      }
      for (At& at : steps) at.holds = at.occurrences > 0;
      return steps;
    }
    // The value last observed at or before step i: the last observation in step i (events are in time
    // order), else what step i − 1 had.
    std::vector<const Event*> last_in_step(steps.size(), nullptr);
    for (const Event& event : trace)
      if (phi ? event.sample.phi_observed : event.sample.psi_observed) last_in_step[index(event.step)] = &event;
    for (std::size_t i = 0; i < steps.size(); ++i) {
      if (last_in_step[i] != nullptr) {
        steps[i].observed = true;
        steps[i].holds = phi ? last_in_step[i]->sample.phi : last_in_step[i]->sample.psi;
      } else if (i > 0) {
        steps[i] = steps[i - 1];
      }
      steps[i].occurrences = steps[i].holds ? 1 : 0;
    }
    return steps;
  }

  std::size_t index(Step step) const { return static_cast<std::size_t>(step - start_); }
  bool holds(const Steps& steps, Step step) const { return step >= start_ && steps[index(step)].holds; }
  // Steps before a condition's first observation are skipped by always and weak since.
  bool holds_or_unobserved(const Steps& steps, Step step) const {
    return !steps[index(step)].observed || steps[index(step)].holds;
  }
  std::int64_t steps_held(const Steps& steps, Step from, Step to) const {
    std::int64_t held = 0;
    for (Step i = std::max(from, start_); i <= to; ++i) held += holds(steps, i) ? 1 : 0;
    return held;
  }

  TemporalValue apply(Step t, const Steps& phi, const Steps& psi) const {
    const std::int64_t n = spec_.n;
    switch (spec_.op) {
      case TemporalOp::always: {
        // φ held at every step from the instance's start up to and including t.
        for (Step i = start_; i <= t; ++i)
          if (!holds_or_unobserved(phi, i)) return {false};
        return {true};
      }
      case TemporalOp::before:
        // φ held at step t − n exactly (false while fewer than n steps of history exist).
        return {t - n >= start_ && holds(phi, t - n)};
      case TemporalOp::within:
        // φ held at some step in t − n + 1 … t.
        for (Step i = t - n + 1; i <= t; ++i)
          if (holds(phi, i)) return {true};
        return {false};
      case TemporalOp::during:
        // φ held at every step in t − n + 1 … t (false while fewer than n steps exist).
        if (t - n + 1 < start_) return {false};
        for (Step i = t - n + 1; i <= t; ++i)
          if (!holds(phi, i)) return {false};
        return {true};
      case TemporalOp::since: {
        // ψ held at some j ≤ t and φ at every step j + 1 … t; or φ at every step since the start.
        for (Step j = start_; j <= t; ++j) {
          if (!holds(psi, j)) continue;
          bool all = true;
          for (Step i = j + 1; i <= t && all; ++i) all = holds(phi, i);
          if (all) return {true};
        }
        for (Step i = start_; i <= t; ++i)
          if (!holds_or_unobserved(phi, i)) return {false};
        return {true};
      }
      case TemporalOp::rep_max:
        // The number of steps up to and including t at which φ held is ≤ k.
        return {steps_held(phi, start_, t) <= n};
      case TemporalOp::rep_lim: {
        // l ≤ (number of steps in t − n + 1 … t at which φ held) ≤ r.
        const std::int64_t held = steps_held(phi, t - n + 1, t);
        return {spec_.low <= held && held <= spec_.high};
      }
      case TemporalOp::rep_since: {
        // ψ steps after the last φ step (excluded; the whole history if none) ≤ k.
        Step from = start_;
        for (Step i = start_; i <= t; ++i)
          if (holds(phi, i)) from = i + 1;
        return {steps_held(psi, from, t) <= n};
      }
      case TemporalOp::count: {
        // Occurrences in the last n steps, current included (a condition: steps at which it held).
        std::int64_t total = 0;
        for (Step i = std::max(t - n + 1, start_); i <= t; ++i) total += phi[index(i)].occurrences;
        return {total > 0, total};
      }
    }
    return {};
  }

  TemporalSpec spec_;
  Step start_;
  Step newest_;
  std::vector<Event> trace_;
};

}  // namespace mqwarden::policy::testing

// Differential tests of the incremental temporal monitors against the naive
// reference evaluator (temporal_reference.hpp): for every operator and every
// kind of operand, random traces with random step gaps (0, small, longer than
// the window, and steps that go backwards), random samples, random windows and
// bounds, a random start. The value before each commit, after it, and at a
// later step must agree. Seeds are fixed; a failure prints its seed and trace.
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <sstream>
#include <string>

#include "policy/temporal_monitor.hpp"
#include "temporal_reference.hpp"

namespace mqwarden::policy {
namespace {

constexpr int kTracesPerCase = 1000;
constexpr int kMaxEventsPerTrace = 40;

struct Case {
  TemporalOp op;
  OperandKind phi;
  OperandKind psi;
};

bool has_psi(TemporalOp op) {
  return op == TemporalOp::since || op == TemporalOp::rep_since;
}

std::string kind_name(OperandKind kind) {
  return kind == OperandKind::event_pattern ? "pattern" : "condition";
}

std::string case_name(const Case& c) {
  std::string name = std::string(to_string(c.op)) + "(" + kind_name(c.phi);
  if (has_psi(c.op)) name += ", " + kind_name(c.psi);
  return name + ")";
}

class Generator {
 public:
  explicit Generator(std::uint32_t seed) : random_(seed) {}

  std::int64_t between(std::int64_t low, std::int64_t high) {
    return std::uniform_int_distribution<std::int64_t>(low, high)(random_);
  }
  bool chance(double p) { return std::bernoulli_distribution(p)(random_); }

  TemporalSpec spec(const Case& c) {
    TemporalSpec spec{c.op, 0, 0, 0, c.phi, c.psi};
    switch (c.op) {
      case TemporalOp::rep_max:
      case TemporalOp::rep_since: spec.n = chance(0.2) ? 0 : between(0, 6); break;
      case TemporalOp::always:
      case TemporalOp::since: break;
      default: spec.n = chance(0.2) ? 1 : between(1, chance(0.8) ? 8 : 30); break;
    }
    if (c.op == TemporalOp::rep_lim) {
      spec.low = between(0, spec.n + 1);
      spec.high = chance(0.1) ? between(0, spec.n + 1) : between(spec.low, spec.n + 1);  // sometimes l > r
    }
    return spec;
  }

  // Mostly forward, often within the same step, sometimes past the whole
  // window (the ring's reset), sometimes backwards. Dense traces move at most
  // one step at a time, so that patterns can hold at every step.
  std::int64_t gap(std::int64_t window, bool dense) {
    const std::int64_t roll = between(0, 99);
    if (dense) return roll < 50 ? 0 : 1;
    if (roll < 35) return 0;
    if (roll < 55) return 1;
    if (roll < 80) return between(2, window + 2);
    if (roll < 95) return between(window + 2, 3 * window + 40);
    return -between(1, 3);
  }

  // A sample biased by the trace's densities; conditions are sometimes not observed.
  Sample sample(double p_phi, double p_psi) {
    Sample sample{chance(p_phi), chance(p_psi), chance(0.85), chance(0.85)};
    if (chance(0.1)) sample = Sample::phi_only(chance(p_phi));
    if (chance(0.1)) sample = Sample::psi_only(chance(p_psi));
    return sample;
  }

 private:
  std::mt19937 random_;
};

// "{φ ψ}" with 1 (true or a match), 0, or - (not observed); ψ only where the operator has one.
std::string describe(const Sample& s, TemporalOp op) {
  const auto one = [](bool observed, bool value) { return observed ? (value ? "1" : "0") : "-"; };
  std::string text = std::string("{") + one(s.phi_observed, s.phi);
  if (has_psi(op)) text += std::string(" ") + one(s.psi_observed, s.psi);
  return text + "}";
}

::testing::AssertionResult agree(const TemporalValue& monitor, const TemporalValue& reference) {
  if (monitor.truth == reference.truth && monitor.count == reference.count) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "monitor {" << monitor.truth << ", " << monitor.count << "} reference {"
                                       << reference.truth << ", " << reference.count << "}";
}

// Commits through commit_phi or commit_psi when the sample concerns one operand only.
void commit(TemporalMonitor& monitor, Step step, const Sample& sample) {
  if (sample.phi_observed && !sample.psi_observed) {
    monitor.commit_phi(step, sample.phi);
  } else if (!sample.phi_observed && sample.psi_observed) {
    monitor.commit_psi(step, sample.psi);
  } else {
    monitor.commit(step, sample);
  }
}

// Runs one random trace; returns false (with a failure recorded) at the first disagreement.
bool run_trace(const Case& c, std::uint32_t seed) {
  Generator gen(seed);
  const TemporalSpec spec = gen.spec(c);
  const Step start = gen.chance(0.5) ? gen.between(-50, 50) : gen.between(-1'000'000'000, 1'000'000'000);
  const double p_phi = gen.chance(0.3) ? 0.95 : (gen.chance(0.5) ? 0.5 : 0.1);
  const double p_psi = gen.chance(0.5) ? 0.5 : 0.1;
  const bool dense = gen.chance(0.3);
  TemporalMonitor monitor(spec, start);
  testing::ReferenceMonitor reference(spec, start);
  std::ostringstream trace;
  trace << case_name(c) << " seed " << seed << " n=" << spec.n << " l=" << spec.low << " r=" << spec.high
        << " start=" << start << "; trace:";
  const auto check = [&](const char* when, Step step, const Sample& sample) {
    const ::testing::AssertionResult same = agree(monitor.evaluate(step, sample), reference.evaluate(step, sample));
    if (same) return true;
    ADD_FAILURE() << trace.str() << "\n"
                  << when << " evaluate(" << step << ", " << describe(sample, c.op) << "): " << same.message();
    return false;
  };
  // Sometimes before the start (taken as the start); dense traces begin at it.
  Step step = dense || gen.chance(0.2) ? start - gen.between(0, 3) : start + gen.between(1, 3);
  const int events = static_cast<int>(gen.between(1, kMaxEventsPerTrace));
  for (int e = 0; e < events; ++e) {
    step += gen.gap(spec.n > 0 ? spec.n : 4, dense);
    const Sample sample = gen.sample(p_phi, p_psi);
    if (!check("before commit", step, sample)) return false;
    const TemporalValue before = monitor.evaluate(step, sample);
    if (gen.chance(0.2)) {
      const Step later = step + gen.gap(spec.n > 0 ? spec.n : 4, dense);
      if (!check("later, uncommitted", later, gen.sample(p_phi, p_psi))) return false;
    }
    commit(monitor, step, sample);
    reference.commit(step, sample);
    trace << " " << step << describe(sample, c.op);
    if (!check("after commit", step, Sample::nothing())) return false;
    const ::testing::AssertionResult kept = agree(monitor.evaluate(step, Sample::nothing()), before);
    if (!kept) {
      ADD_FAILURE() << trace.str() << "\ncommitting changed the value at " << step << ": " << kept.message();
      return false;
    }
  }
  return true;
}

void run_case(const Case& c, std::uint32_t base_seed) {
  for (int i = 0; i < kTracesPerCase; ++i) {
    if (!run_trace(c, base_seed + static_cast<std::uint32_t>(i))) return;  // one trace is enough to read
  }
}

constexpr OperandKind kPattern = OperandKind::event_pattern;
constexpr OperandKind kCondition = OperandKind::condition;

void run_single_operand(TemporalOp op, std::uint32_t base_seed) {
  run_case({op, kPattern, kCondition}, base_seed);
  run_case({op, kCondition, kCondition}, base_seed + 100'000);
}

void run_two_operands(TemporalOp op, std::uint32_t base_seed) {
  run_case({op, kPattern, kPattern}, base_seed);
  run_case({op, kPattern, kCondition}, base_seed + 100'000);
  run_case({op, kCondition, kPattern}, base_seed + 200'000);
  run_case({op, kCondition, kCondition}, base_seed + 300'000);
}

TEST(TemporalProperty, AlwaysMatchesReference) {
  run_single_operand(TemporalOp::always, 1'000'000);
}
TEST(TemporalProperty, BeforeMatchesReference) {
  run_single_operand(TemporalOp::before, 2'000'000);
}
TEST(TemporalProperty, WithinMatchesReference) {
  run_single_operand(TemporalOp::within, 3'000'000);
}
TEST(TemporalProperty, DuringMatchesReference) {
  run_single_operand(TemporalOp::during, 4'000'000);
}
TEST(TemporalProperty, SinceMatchesReference) {
  run_two_operands(TemporalOp::since, 5'000'000);
}
TEST(TemporalProperty, RepMaxMatchesReference) {
  run_single_operand(TemporalOp::rep_max, 6'000'000);
}
TEST(TemporalProperty, RepLimMatchesReference) {
  run_single_operand(TemporalOp::rep_lim, 7'000'000);
}
TEST(TemporalProperty, RepSinceMatchesReference) {
  run_two_operands(TemporalOp::rep_since, 8'000'000);
}
TEST(TemporalProperty, CountMatchesReference) {
  run_single_operand(TemporalOp::count, 9'000'000);
}

}  // namespace
}  // namespace mqwarden::policy

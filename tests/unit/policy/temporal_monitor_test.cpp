// Examples of each temporal operator at its edges (docs/policy-language.md §5),
// the step clock, and the parametric slices with their LRU eviction.
#include "policy/temporal_monitor.hpp"

#include <gtest/gtest.h>

#include <string>

#include "policy/monitor_slices.hpp"

namespace mqwarden::policy {
namespace {

constexpr OperandKind kPattern = OperandKind::event_pattern;
constexpr OperandKind kCondition = OperandKind::condition;

const Sample kMatch{true, false};
const Sample kNoMatch{false, false};
const Sample kTrue{true, false};
const Sample kFalse{false, false};
const Sample kNothing = Sample::nothing();

TemporalMonitor monitor(TemporalOp op, std::int64_t n, OperandKind phi, Step start = 0) {
  return TemporalMonitor({op, n, 0, 0, phi, kCondition}, start);
}

bool truth(const TemporalMonitor& m, Step step, Sample current = kNothing) {
  return m.evaluate(step, current).truth;
}

TEST(TemporalStepClock, FloorsNegativeTimes) {
  const StepClock clock{1000};
  EXPECT_EQ(clock.step_of(0), 0);
  EXPECT_EQ(clock.step_of(999), 0);
  EXPECT_EQ(clock.step_of(1000), 1);
  EXPECT_EQ(clock.step_of(-1), -1);
  EXPECT_EQ(clock.step_of(-1000), -1);
  EXPECT_EQ(clock.step_of(-1001), -2);
  EXPECT_EQ(StepClock{250}.step_of(-250), -1);
}

TEST(TemporalStepClock, RoundsDurationsUp) {
  const StepClock clock{1000};
  EXPECT_EQ(clock.steps_in(1), 1);
  EXPECT_EQ(clock.steps_in(1000), 1);
  EXPECT_EQ(clock.steps_in(1001), 2);
  EXPECT_EQ(clock.steps_in(0), 0);
  EXPECT_EQ(clock.steps_in(-5), 0);
  EXPECT_EQ(clock.steps_in(30LL * 24 * 3600 * 1000), 2'592'000);
  EXPECT_EQ(StepClock{300}.steps_in(1000), 4);
}

TEST(TemporalValidate, BoundsWindowsButNotCounts) {
  EXPECT_TRUE(validate({TemporalOp::within, 1}).ok());
  EXPECT_TRUE(validate({TemporalOp::count, kMaxWindowSteps}).ok());
  EXPECT_FALSE(validate({TemporalOp::count, kMaxWindowSteps + 1}).ok());
  EXPECT_FALSE(validate({TemporalOp::during, 0}).ok());
  EXPECT_FALSE(validate({TemporalOp::rep_lim, -3}).ok());
  EXPECT_TRUE(validate({TemporalOp::rep_max, 0}).ok());
  EXPECT_TRUE(validate({TemporalOp::always}).ok());
  const auto error = validate({TemporalOp::count, kMaxWindowSteps * 2});
  ASSERT_FALSE(error.ok());
  EXPECT_NE(error.error().find("count"), std::string::npos);
}

TEST(TemporalAlways, PatternMustMatchInEveryStepFromTheStart) {
  TemporalMonitor m = monitor(TemporalOp::always, 0, kPattern, 10);
  EXPECT_FALSE(truth(m, 10));
  EXPECT_TRUE(truth(m, 10, kMatch));  // the current event counts
  m.commit(10, kMatch);
  m.commit(11, kMatch);
  EXPECT_TRUE(truth(m, 11));
  EXPECT_FALSE(truth(m, 13, kMatch));  // step 12 had no match
  m.commit(13, kMatch);
  EXPECT_FALSE(truth(m, 14, kMatch));  // and never recovers
}

TEST(TemporalAlways, ConditionSkipsStepsBeforeItsFirstObservation) {
  TemporalMonitor m = monitor(TemporalOp::always, 0, kCondition, 0);
  EXPECT_TRUE(truth(m, 5));  // never observed: vacuously true
  EXPECT_TRUE(truth(m, 5, kTrue));
  EXPECT_FALSE(truth(m, 5, kFalse));
  m.commit(5, kTrue);
  EXPECT_TRUE(truth(m, 1'000, kNothing));  // the value persists
  m.commit(7, kFalse);
  m.commit(7, kTrue);  // the last observation of step 7 wins
  EXPECT_TRUE(truth(m, 8));
  m.commit(9, kFalse);
  EXPECT_FALSE(truth(m, 10, kTrue));
}

TEST(TemporalBefore, LooksExactlyNStepsBack) {
  TemporalMonitor m = monitor(TemporalOp::before, 3, kPattern, 10);
  m.commit(10, kMatch);
  EXPECT_FALSE(truth(m, 12));
  EXPECT_TRUE(truth(m, 13));
  EXPECT_FALSE(truth(m, 14));
}

TEST(TemporalBefore, FalseWhileTooLittleHistoryExists) {
  TemporalMonitor m = monitor(TemporalOp::before, 3, kCondition, 0);
  m.commit(0, kTrue);
  EXPECT_FALSE(truth(m, 2));
  EXPECT_TRUE(truth(m, 3));
  EXPECT_TRUE(truth(m, 50));  // still true: the condition persisted
  TemporalMonitor late = monitor(TemporalOp::before, 3, kCondition, 0);
  late.commit(10, kTrue);  // first observed at step 10: steps 0 … 9 are unobserved
  EXPECT_FALSE(truth(late, 12));
  EXPECT_TRUE(truth(late, 13));
}

TEST(TemporalBefore, OneStepIsThePreviousStep) {
  TemporalMonitor m = monitor(TemporalOp::before, 1, kPattern, 0);
  EXPECT_FALSE(truth(m, 0, kMatch));  // the current step is not n steps back
  m.commit(4, kMatch);
  EXPECT_FALSE(truth(m, 4));
  EXPECT_TRUE(truth(m, 5));
}

TEST(TemporalWithin, IncludesTheCurrentStepAndEndsAtTheWindowEdge) {
  TemporalMonitor m = monitor(TemporalOp::within, 3, kPattern, 0);
  EXPECT_FALSE(truth(m, 5));
  EXPECT_TRUE(truth(m, 5, kMatch));
  m.commit(5, kMatch);
  EXPECT_TRUE(truth(m, 5));
  EXPECT_TRUE(truth(m, 7));   // steps 5 … 7
  EXPECT_FALSE(truth(m, 8));  // steps 6 … 8
  EXPECT_TRUE(truth(m, 8, kMatch));
}

TEST(TemporalWithin, ConditionThatPersistsStaysWithin) {
  TemporalMonitor m = monitor(TemporalOp::within, 2, kCondition, 0);
  m.commit(1, kTrue);
  EXPECT_TRUE(truth(m, 50));  // still true at 49 and 50
  m.commit(60, kFalse);
  EXPECT_TRUE(truth(m, 60));   // step 59 was still true
  EXPECT_FALSE(truth(m, 61));  // steps 60 and 61 are false
}

TEST(TemporalDuring, NeedsNFullStepsInclusive) {
  TemporalMonitor m = monitor(TemporalOp::during, 3, kCondition, 0);
  m.commit(0, kTrue);
  EXPECT_FALSE(truth(m, 1));
  EXPECT_TRUE(truth(m, 2));           // steps 0, 1, 2
  EXPECT_FALSE(truth(m, 2, kFalse));  // the current observation overrides step 2
  m.commit(6, kFalse);
  m.commit(6, kTrue);  // the last observation of step 6 wins
  EXPECT_TRUE(truth(m, 6));
  m.commit(7, kFalse);
  EXPECT_FALSE(truth(m, 10, kTrue));  // steps 8 and 9 carried step 7's false
  m.commit(10, kTrue);
  EXPECT_FALSE(truth(m, 11));
  EXPECT_TRUE(truth(m, 12));  // steps 10, 11, 12
}

TEST(TemporalDuring, PatternNeedsAMatchInEachStep) {
  TemporalMonitor m = monitor(TemporalOp::during, 2, kPattern, 0);
  m.commit(3, kMatch);
  EXPECT_TRUE(truth(m, 4, kMatch));
  EXPECT_FALSE(truth(m, 5, kMatch));
}

TEST(TemporalSince, IsWeakAndResetsOnPsi) {
  TemporalMonitor m(TemporalSpec{TemporalOp::since, 0, 0, 0, kCondition, kPattern}, 0);
  EXPECT_TRUE(truth(m, 0, Sample{true, false}));  // φ since the start: weak since
  m.commit(0, Sample{true, false});
  m.commit(2, Sample{false, false});
  EXPECT_FALSE(truth(m, 3, Sample::nothing()));   // φ false at 2, 3; no ψ
  EXPECT_TRUE(truth(m, 3, Sample{false, true}));  // ψ now
  m.commit_psi(3, true);                          // a login that says nothing about φ (still false)
  EXPECT_TRUE(truth(m, 3));
  EXPECT_FALSE(truth(m, 4));  // φ is still false at 4
  m.commit_phi(4, true);
  EXPECT_TRUE(truth(m, 4));
  EXPECT_TRUE(truth(m, 100));  // φ persists
  EXPECT_FALSE(truth(m, 100, Sample::phi_only(false)));
}

TEST(TemporalRepMax, ZeroAllowsNoStepAndCountsStepsNotEvents) {
  TemporalMonitor none = monitor(TemporalOp::rep_max, 0, kPattern, 0);
  EXPECT_TRUE(truth(none, 3));
  EXPECT_FALSE(truth(none, 3, kMatch));

  TemporalMonitor two = monitor(TemporalOp::rep_max, 2, kPattern, 0);
  two.commit(1, kMatch);
  two.commit(1, kMatch);
  two.commit(1, kMatch);  // three events, one step
  two.commit(2, kMatch);
  EXPECT_TRUE(truth(two, 2, kMatch));
  EXPECT_FALSE(truth(two, 1'000'000, kMatch));
}

TEST(TemporalRepLim, BoundsAreInclusive) {
  TemporalMonitor m({TemporalOp::rep_lim, 3, 1, 2, kPattern}, 0);
  EXPECT_FALSE(truth(m, 0));  // 0 < l
  m.commit(0, kMatch);
  EXPECT_TRUE(truth(m, 0));  // 1
  m.commit(1, kMatch);
  EXPECT_TRUE(truth(m, 2));           // 2 (steps 0, 1)
  EXPECT_FALSE(truth(m, 2, kMatch));  // 3 > r
  EXPECT_TRUE(truth(m, 3, kMatch));   // steps 1 … 3: 1 and 3
  EXPECT_FALSE(truth(m, 5));          // steps 3 … 5: none
}

TEST(TemporalRepSince, CountsPsiStepsAfterTheLastPhi) {
  TemporalMonitor m(TemporalSpec{TemporalOp::rep_since, 1, 0, 0, kPattern, kPattern}, 0);
  m.commit_psi(1, true);
  EXPECT_TRUE(truth(m, 1));  // one ψ step, no φ yet: the whole history
  EXPECT_FALSE(truth(m, 2, Sample::psi_only(true)));
  m.commit(3, Sample{true, true});  // φ and ψ in one step: that step is excluded
  EXPECT_TRUE(truth(m, 3));
  m.commit_psi(4, true);
  m.commit_psi(4, true);  // one step
  EXPECT_TRUE(truth(m, 4));
  EXPECT_FALSE(truth(m, 5, Sample::psi_only(true)));
  EXPECT_TRUE(truth(m, 5, Sample{true, true}));  // a reset now
}

TEST(TemporalCount, CountsOccurrencesInTheWindow) {
  TemporalMonitor m = monitor(TemporalOp::count, 10, kPattern, 0);
  EXPECT_EQ(m.evaluate(0, kMatch).count, 1);
  EXPECT_FALSE(m.evaluate(0, kNoMatch).truth);
  for (int i = 0; i < 4; ++i) m.commit(2, kMatch);
  m.commit(2, kNoMatch);
  m.commit(5, kMatch);
  EXPECT_EQ(m.evaluate(5, kMatch).count, 6);
  EXPECT_EQ(m.evaluate(11, kNothing).count, 5);  // steps 2 … 11
  EXPECT_EQ(m.evaluate(12, kNothing).count, 1);  // steps 3 … 12
  EXPECT_EQ(m.evaluate(14, kMatch).count, 2);
  EXPECT_EQ(m.evaluate(15, kNothing).count, 0);
}

TEST(TemporalCount, ConditionCountsStepsItHeld) {
  TemporalMonitor m = monitor(TemporalOp::count, 4, kCondition, 0);
  m.commit(1, kTrue);
  m.commit(1, kTrue);
  m.commit(3, kFalse);
  EXPECT_EQ(m.evaluate(4, kTrue).count, 3);  // steps 1, 2 and 4 of 1 … 4
}

TEST(TemporalMonitor, HugeGapsCostNothing) {
  constexpr Step kFar = 1'000'000'000'000'000;
  TemporalMonitor count = monitor(TemporalOp::count, kMaxWindowSteps, kPattern, 0);
  count.commit(0, kMatch);
  count.commit(kMaxWindowSteps - 1, kMatch);
  EXPECT_EQ(count.evaluate(kMaxWindowSteps - 1, kNothing).count, 2);
  EXPECT_EQ(count.evaluate(kMaxWindowSteps, kNothing).count, 1);
  count.commit(kFar, kMatch);
  EXPECT_EQ(count.evaluate(kFar, kMatch).count, 2);
  EXPECT_EQ(count.evaluate(kFar + kMaxWindowSteps, kNothing).count, 0);

  TemporalMonitor during = monitor(TemporalOp::during, kMaxWindowSteps, kCondition, 0);
  during.commit(1, kTrue);
  EXPECT_TRUE(truth(during, kFar));
  EXPECT_FALSE(truth(during, kMaxWindowSteps - 1));

  TemporalMonitor before = monitor(TemporalOp::before, 5, kCondition, -kFar);
  before.commit(-kFar, kTrue);
  before.commit(kFar, kFalse);
  EXPECT_TRUE(truth(before, kFar));
  EXPECT_FALSE(truth(before, kFar + 5));
}

TEST(TemporalMonitor, EvaluateCommitsNothingAndStepsNeverGoBack) {
  TemporalMonitor m = monitor(TemporalOp::count, 3, kPattern, 0);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(m.evaluate(5, kMatch).count, 1);
  m.commit(5, kMatch);
  m.commit(2, kMatch);  // taken as step 5
  EXPECT_EQ(m.last_step(), 5);
  EXPECT_EQ(m.evaluate(1, kNothing).count, 2);  // asked about step 5
  EXPECT_EQ(m.evaluate(7, kNothing).count, 2);
  EXPECT_EQ(m.evaluate(8, kNothing).count, 0);
}

TEST(TemporalMonitor, ClampsAnInvalidWindow) {
  const TemporalMonitor m = monitor(TemporalOp::within, 0, kPattern, 0);
  EXPECT_EQ(m.spec().n, 1);
  EXPECT_EQ(monitor(TemporalOp::count, kMaxWindowSteps * 4, kPattern, 0).spec().n, kMaxWindowSteps);
}

TEST(TemporalSlices, EvictsTheLeastRecentlyUsedAndCountsIt) {
  MonitorSlices<std::string> slices({TemporalOp::count, 10, 0, 0, kPattern}, 2);
  slices.get_or_create("a", 0).commit(1, kMatch);
  slices.get_or_create("b", 0).commit(1, kMatch);
  slices.get_or_create("a", 0);          // a is now the most recently used
  EXPECT_NE(slices.find("b"), nullptr);  // find does not refresh b
  slices.get_or_create("c", 0);
  EXPECT_EQ(slices.size(), 2U);
  EXPECT_EQ(slices.evictions(), 1U);
  EXPECT_EQ(slices.find("b"), nullptr);
  ASSERT_NE(slices.find("a"), nullptr);
  EXPECT_EQ(slices.find("a")->evaluate(2, kNothing).count, 1);

  // b comes back empty, evicting a (c was used more recently).
  EXPECT_EQ(slices.get_or_create("b", 0).evaluate(2, kNothing).count, 0);
  EXPECT_EQ(slices.evictions(), 2U);
  EXPECT_EQ(slices.find("a"), nullptr);
  EXPECT_NE(slices.find("c"), nullptr);
}

TEST(TemporalSlices, KeysByBoundValuesAndKeepsAtLeastOne) {
  MonitorSlices<BindingKey, BindingKeyHash> slices({TemporalOp::within, 5, 0, 0, kPattern}, 0);
  EXPECT_EQ(slices.capacity(), 1U);
  slices.get_or_create({"10.0.0.1", "x"}, 0).commit(3, kMatch);
  EXPECT_TRUE(slices.find({"10.0.0.1", "x"})->evaluate(4, kNothing).truth);
  EXPECT_EQ(slices.find({"10.0.0.1x"}), nullptr);
  EXPECT_EQ(slices.find({"10.0.0.1", "x", ""}), nullptr);
  slices.get_or_create({"10.0.0.2"}, 0);
  EXPECT_EQ(slices.size(), 1U);
  EXPECT_EQ(slices.evictions(), 1U);
}

}  // namespace
}  // namespace mqwarden::policy

#include "policy/temporal_monitor.hpp"

#include <algorithm>

namespace mqwarden::policy {
namespace {

// Counters saturate here: far above any bound, far below overflow.
constexpr std::int64_t kCountCap = std::int64_t{1} << 62;

std::int64_t saturating_add(std::int64_t counter, std::int64_t steps) {
  return steps >= kCountCap - counter ? kCountCap : counter + steps;
}

bool has_window(TemporalOp op) {
  switch (op) {
    case TemporalOp::before:
    case TemporalOp::within:
    case TemporalOp::during:
    case TemporalOp::rep_lim:
    case TemporalOp::count: return true;
    default: return false;
  }
}

TemporalSpec clamped(TemporalSpec spec) {
  if (has_window(spec.op)) spec.n = std::clamp<std::int64_t>(spec.n, 1, kMaxWindowSteps);
  return spec;
}

}  // namespace

Step StepClock::step_of(std::int64_t time_ms) const {
  const Step quotient = time_ms / step_ms;
  return (time_ms % step_ms != 0 && time_ms < 0) ? quotient - 1 : quotient;
}

std::int64_t StepClock::steps_in(std::int64_t duration_ms) const {
  return duration_ms <= 0 ? 0 : (duration_ms - 1) / step_ms + 1;
}

Result<void, std::string> validate(const TemporalSpec& spec) {
  if (has_window(spec.op) && (spec.n < 1 || spec.n > kMaxWindowSteps)) {
    return fail("the window of '" + std::string(to_string(spec.op)) + "' is " + std::to_string(spec.n) +
                " steps; it must be 1 to " + std::to_string(kMaxWindowSteps) + " steps (a longer step fits more)");
  }
  return {};
}

// Operand

TemporalMonitor::StepValue TemporalMonitor::Operand::newest() const {
  if (kind == OperandKind::event_pattern) return {true, matches > 0, matches};
  const bool held = observed && value;
  return {observed, held, held ? 1U : 0U};
}

TemporalMonitor::StepValue TemporalMonitor::Operand::idle() const {
  if (kind == OperandKind::event_pattern) return {true, false, 0};
  return newest();
}

void TemporalMonitor::Operand::next_step() {
  matches = 0;
}

void TemporalMonitor::Operand::observe(bool observed_now, bool value_now) {
  if (!observed_now) return;
  if (kind == OperandKind::event_pattern) {
    matches += value_now ? 1 : 0;
  } else {
    observed = true;
    value = value_now;
  }
}

void TemporalMonitor::Scalars::observe(const Sample& sample) {
  phi.observe(sample.phi_observed, sample.phi);
  psi.observe(sample.psi_observed, sample.psi);
}

// Summary

void TemporalMonitor::Summary::close(TemporalOp op, Step from, std::int64_t steps, const StepPair& value) {
  const StepValue& phi = value.phi;
  switch (op) {
    case TemporalOp::always: all_held = all_held && (!phi.present || phi.held); break;
    case TemporalOp::within:
      if (phi.held) {
        any_held = true;
        last_held = from + steps - 1;
      }
      break;
    case TemporalOp::during:
      if (phi.held && !in_run) run_start = from;
      in_run = phi.held;
      break;
    case TemporalOp::since: since = value.psi.held || ((!phi.present || phi.held) && since); break;
    case TemporalOp::rep_max: held = saturating_add(held, phi.held ? steps : 0); break;
    case TemporalOp::rep_since:
      psi_after_phi = phi.held ? 0 : saturating_add(psi_after_phi, value.psi.held ? steps : 0);
      break;
    default: break;  // before, repLim and count live in the ring
  }
}

TemporalValue TemporalMonitor::Summary::answer(const TemporalSpec& spec, Step now, const StepPair& value) const {
  const StepValue& phi = value.phi;
  switch (spec.op) {
    case TemporalOp::always: return {all_held && (!phi.present || phi.held)};
    case TemporalOp::within: return {phi.held || (any_held && last_held >= now - spec.n + 1)};
    case TemporalOp::during: return {phi.held && now - (in_run ? run_start : now) + 1 >= spec.n};
    case TemporalOp::since: return {value.psi.held || ((!phi.present || phi.held) && since)};
    case TemporalOp::rep_max: return {saturating_add(held, phi.held ? 1 : 0) <= spec.n};
    case TemporalOp::rep_since:
      return {(phi.held ? 0 : saturating_add(psi_after_phi, value.psi.held ? 1 : 0)) <= spec.n};
    default: return {};  // before, repLim and count live in the ring
  }
}

// PrefixRing

TemporalMonitor::PrefixRing::PrefixRing(std::int64_t capacity, Step start)
    : capacity_(static_cast<std::size_t>(capacity)), origin_(start), end_(start) {}

void TemporalMonitor::PrefixRing::append(std::int64_t steps, std::uint64_t each) {
  const std::uint64_t before = prefix(end_ - 1);
  if (static_cast<std::uint64_t>(steps) >= capacity_) {
    // Every reachable step is in this run: describe it instead of filling it.
    base_ = before + static_cast<std::uint64_t>(steps) * each;
    slope_ = each;
    origin_ = end_ + steps;
    end_ = origin_;
    slots_.clear();
    return;
  }
  for (std::int64_t i = 1; i <= steps; ++i) push(before + static_cast<std::uint64_t>(i) * each);
}

std::uint64_t TemporalMonitor::PrefixRing::prefix(Step step) const {
  if (step >= origin_) return slots_[static_cast<std::uint64_t>(step - origin_) % capacity_];
  return base_ - slope_ * static_cast<std::uint64_t>(origin_ - 1 - step);
}

void TemporalMonitor::PrefixRing::push(std::uint64_t value) {
  const std::size_t index = static_cast<std::uint64_t>(end_ - origin_) % capacity_;
  if (index < slots_.size()) {
    slots_[index] = value;
  } else {
    // Grow without overshooting the capacity.
    if (slots_.size() == slots_.capacity())
      slots_.reserve(std::min(capacity_, std::max<std::size_t>(8, 2 * slots_.size())));
    slots_.push_back(value);
  }
  ++end_;
}

// TemporalMonitor

TemporalMonitor::TemporalMonitor(const TemporalSpec& spec, Step start_step)
    : spec_(clamped(spec)), ring_(uses_ring() ? spec_.n + 1 : 0, start_step) {
  scalars_.last = start_step;
  scalars_.phi.kind = spec_.phi;
  scalars_.psi.kind = spec_.psi;
  scalars_.phi.observed = spec_.phi == OperandKind::event_pattern;
  scalars_.psi.observed = spec_.psi == OperandKind::event_pattern;
}

bool TemporalMonitor::uses_ring() const {
  return spec_.op == TemporalOp::before || spec_.op == TemporalOp::rep_lim || spec_.op == TemporalOp::count;
}

std::uint64_t TemporalMonitor::contribution(const StepValue& value) const {
  if (spec_.op == TemporalOp::count) return value.occurrences;
  return value.held ? 1 : 0;
}

void TemporalMonitor::advance(Scalars& scalars, Step step, PrefixRing* ring) const {
  const StepPair closing{scalars.phi.newest(), scalars.psi.newest()};
  const StepPair idle{scalars.phi.idle(), scalars.psi.idle()};
  const std::int64_t idle_steps = step - scalars.last - 1;
  scalars.summary.close(spec_.op, scalars.last, 1, closing);
  if (idle_steps > 0) scalars.summary.close(spec_.op, scalars.last + 1, idle_steps, idle);
  if (ring != nullptr) {
    ring->append(1, contribution(closing.phi));
    if (idle_steps > 0) ring->append(idle_steps, contribution(idle.phi));
  }
  scalars.phi.next_step();
  scalars.psi.next_step();
  scalars.last = step;
}

TemporalValue TemporalMonitor::evaluate(Step step, Sample current) const {
  const Step now = std::max(step, scalars_.last);
  Scalars scalars = scalars_;
  if (now > scalars.last) advance(scalars, now, nullptr);
  scalars.observe(current);
  const StepPair value{scalars.phi.newest(), scalars.psi.newest()};
  if (uses_ring()) return ring_answer(now, value.phi);
  return scalars.summary.answer(spec_, now, value);
}

void TemporalMonitor::commit(Step step, Sample current) {
  const Step now = std::max(step, scalars_.last);
  if (now > scalars_.last) advance(scalars_, now, uses_ring() ? &ring_ : nullptr);
  scalars_.observe(current);
}

// P(s) over the ring's closed steps, then the newest committed step, the idle
// steps after it and `now` (holding `current`), as advance would close them.
TemporalValue TemporalMonitor::ring_answer(Step now, const StepValue& current) const {
  const Step last = scalars_.last;
  const std::uint64_t closed = ring_.prefix(last - 1);
  const std::uint64_t at_last = closed + (now == last ? contribution(current) : contribution(scalars_.phi.newest()));
  const std::uint64_t per_idle = contribution(scalars_.phi.idle());
  const auto prefix = [&](Step s) -> std::uint64_t {
    if (s < last) return ring_.prefix(s);
    if (s == last) return at_last;
    if (s < now) return at_last + static_cast<std::uint64_t>(s - last) * per_idle;
    return at_last + static_cast<std::uint64_t>(now - last - 1) * per_idle + contribution(current);
  };
  const std::int64_t n = spec_.n;
  if (spec_.op == TemporalOp::before) return {prefix(now - n) - prefix(now - n - 1) > 0};
  const auto in_window = static_cast<std::int64_t>(prefix(now) - prefix(now - n));
  if (spec_.op == TemporalOp::count) return {in_window > 0, in_window};
  return {spec_.low <= in_window && in_window <= spec_.high};
}

}  // namespace mqwarden::policy

// The engine's configurable limits and defaults (docs/policy-engine.md,
// "Configuration"). Plain values.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "policy/ast.hpp"

namespace mqwarden::policy {

enum class Verdict : std::uint8_t { allow, deny };

inline constexpr std::size_t kMqttActivityCount = static_cast<std::size_t>(Activity::disconnect) + 1;

struct EngineConfig {
  // The verdict of a tentative event no rule gives a verdict for, by activity.
  std::array<Verdict, kMqttActivityCount> default_verdict{};  // all allow
  std::int64_t max_delay_ms = 15 * 60 * 1000;                 // longer delays are cut to this
  std::int64_t step_ms = 1000;                                // the temporal operators' time step
  std::size_t max_slices = 10'000;                            // parametric states per temporal operand; LRU evicted
  std::size_t max_lifecycle_instances = 10'000;               // live lifecycle-bound template instances, all together

  Verdict default_for(Activity activity) const {
    const auto index = static_cast<std::size_t>(activity);
    return index < default_verdict.size() ? default_verdict[index] : Verdict::allow;
  }
};

}  // namespace mqwarden::policy

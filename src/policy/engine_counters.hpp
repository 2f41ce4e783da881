// What the engine counts over every policy it puts in force, for the host's
// metrics (Engine::metrics): parametric temporal slices evicted by their cap
// and lifecycle-bound instances refused by theirs. Shared by the snapshots
// and the temporal states that count into it, so it outlives all of them.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

namespace mqwarden::policy {

struct EngineCounters {
  std::atomic<std::uint64_t> slice_evictions{0};              // EngineConfig::max_slices reached
  std::atomic<std::uint64_t> refused_lifecycle_instances{0};  // EngineConfig::max_lifecycle_instances reached
};

// A reading of the engine's counters and sizes.
struct EngineMetrics {
  std::size_t lifecycle_instances = 0;  // live now
  std::uint64_t refused_lifecycle_instances = 0;
  std::uint64_t slice_evictions = 0;
};

}  // namespace mqwarden::policy

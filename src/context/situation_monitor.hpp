// SituationMonitor: watches the situations of the policy in force
// (`situation near_100m(a, b) = …`) for the argument tuples the policy uses,
// and raises `situation <name> starts` / `ends` events when one becomes true
// or false (docs/context.md, "Situations").
//
// Incremental: each evaluation records which entities' context it read and
// when the earliest value it read goes stale (ReadLog); an instance is
// evaluated again only when one of those entities changes, when that value
// goes stale, or — if its condition reads `now` — at each tick. A position
// update therefore costs the instances of that entity, not every pair.
//
// The tuples monitored: those a configured rule passes to the situation
// (constants or template parameters, e.g. `situation near_100m(target,
// viewer)` in `configure gps_visible_when_near(target = "board1", …)`), and
// the single instance of each situation without parameters. At most
// `max_instances` are monitored; beyond, the rest are refused and counted.
//
// Thread-safe: entity_changed() from worker threads, tick() from the context
// thread, use() from a policy load. Events are raised outside the monitor's lock.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "context/context_store.hpp"
#include "policy/compiled_policy.hpp"
#include "policy/event.hpp"

namespace mqwarden::context {

class SituationMonitor {
 public:
  using Raise = std::function<void(const policy::Event&)>;
  SituationMonitor(std::size_t max_instances, Raise raise);

  // The policy in force is now `policy`: monitors the tuples it uses. An
  // instance it had before (same situation name, same arguments) keeps its
  // state; a new one that holds at once starts. An instance the new policy no
  // longer uses is dropped without an `ends`: no rule in force refers to it.
  void use(std::shared_ptr<const policy::CompiledPolicy> policy, std::int64_t now_ms);
  // `entity`'s context changed: re-evaluates the instances that read it.
  void entity_changed(std::string_view entity, std::int64_t now_ms);
  // Re-evaluates the instances whose values went stale and those that read `now`.
  void tick(std::int64_t now_ms);

  // Whether the instance `situation(arguments…)` holds, as last evaluated
  // (arguments as JSON, e.g. ["board1","board2"]); false if not monitored.
  bool holds(std::string_view situation, const nlohmann::json& arguments) const;
  std::size_t instances() const;
  std::uint64_t refused() const;

 private:
  struct Instance {
    std::string key;  // name + arguments: what carries state over a reload
    std::size_t situation = 0;
    std::vector<policy::Value> arguments;  // views into the policy's constants and instance arguments
    bool reads_now = false;
    bool holds = false;
    std::vector<std::string> entities;  // read by the last evaluation
    // Its entry in rechecks_ (keyed by when a value it read goes stale), if any.
    std::optional<std::multimap<std::int64_t, std::size_t>::iterator> recheck;
  };
  // The starts and ends found under the lock, raised after it: copies of
  // what the events need, and the policy their argument views point into.
  struct Raised {
    std::string situation;
    std::vector<policy::Value> arguments;
    bool starts = false;
  };
  struct Batch {
    std::shared_ptr<const policy::CompiledPolicy> policy;
    std::vector<Raised> raised;
  };

  // Evaluates `instance` and re-indexes what it read; true if its state changed. Caller holds mutex_.
  bool evaluate(std::size_t instance, std::int64_t now_ms);
  void unindex(std::size_t instance);
  void note(Batch& batch, const Instance& instance) const;  // caller holds mutex_
  void raise(const Batch& batch, std::int64_t now_ms) const;

  const std::size_t max_instances_;
  const Raise raise_;
  mutable std::mutex mutex_;
  std::shared_ptr<const policy::CompiledPolicy> policy_;                   // guarded by mutex_
  std::vector<Instance> instances_;                                        // guarded by mutex_
  std::unordered_map<std::string, std::size_t> by_key_;                    // guarded by mutex_
  std::unordered_map<std::string, std::unordered_set<std::size_t>> by_entity_;  // guarded by mutex_
  std::multimap<std::int64_t, std::size_t> rechecks_;                      // guarded by mutex_
  std::vector<std::size_t> reading_now_;                                   // guarded by mutex_
  std::uint64_t refused_ = 0;                                              // guarded by mutex_
};

}  // namespace mqwarden::context

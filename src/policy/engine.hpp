// The policy decision point a host embeds (docs/policy-engine.md): it holds
// the policy in force, loads new ones, and answers decide(event) for every
// enforcement point, recording each event in the temporal history after its
// decision.
//
// Thread safety: decide() may be called from any number of threads at once.
// The policy in force is an immutable EngineSnapshot behind a shared_ptr:
// each decision copies the pointer (under a mutex held for that copy only,
// never during evaluation) and evaluates without a global lock; only the
// temporal monitors a decision reads or updates are locked, each map by its
// own mutex. load() compiles off to the side and swaps the pointer; decisions
// in flight finish on the policy they started with. Loads are serialised by a
// second mutex that decisions never take.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "common/result.hpp"
#include "policy/compiled_policy.hpp"
#include "policy/decision.hpp"
#include "policy/diagnostic.hpp"
#include "policy/engine_config.hpp"
#include "policy/engine_counters.hpp"
#include "policy/engine_snapshot.hpp"
#include "policy/event.hpp"
#include "policy/host_functions.hpp"
#include "policy/registry.hpp"
#include "policy/source.hpp"

namespace mqwarden::policy {

// The part of the deliver decisions of one publication that does not depend
// on the subscriber: the policy snapshot, the deliver event without its
// subscriber, and the deliver rules whose publication-only conditions held.
// Built once per publish by Engine::prepare_delivery; read-only afterwards,
// so it may be shared by the threads that decide for its subscribers.
class PublicationContext {
 public:
  const Event& event() const { return event_; }
  std::size_t prepared_rules() const { return prepared_.size(); }

 private:
  friend class Engine;
  std::shared_ptr<const EngineSnapshot> snapshot_;
  Event event_;
  std::vector<Candidate> prepared_;
};

class Engine {
 public:
  // Starts with an empty policy: every decision is the activity's default.
  Engine(Registry registry, HostFunctions functions, EngineConfig config = {});

  // Checks and compiles every file of `sources` as one policy and puts it in
  // force; `now_ms` is the start of its new rule instances (temporal operators
  // see no history before it). Returns the warnings; on failure returns every
  // diagnostic and the policy in force stays as it was.
  Result<Diagnostics, Diagnostics> load(const SourceSet& sources, std::int64_t now_ms = 0);

  // Decides `event` and then appends it to the temporal history.
  Decision decide(const Event& event) const;

  // Fan-out: evaluate the publication's part of the deliver rules once
  // (`delivery`: a deliver event whose subscriber is ignored; its payload,
  // parsed at most once, is shared by every subscriber), then decide each
  // subscriber with decide_delivery. The context keeps the policy it was
  // prepared with; its views into `delivery` must outlive it.
  PublicationContext prepare_delivery(const Event& delivery) const;
  Decision decide_delivery(const PublicationContext& publication, const Identity& subscriber) const;

  // Whether deciding an event of this kind can matter: a rule triggers on it,
  // a temporal pattern or a lifecycle observes it, or (tentative) its default
  // verdict is deny. A host may skip the events that cannot; it is told the
  // truth for the policy in force (a load may change it at any moment).
  bool wants(Mode mode, Activity activity) const {
    if (mode == Mode::tentative && config_.default_for(activity) == Verdict::deny) return true;
    return (interest_.load(std::memory_order_relaxed) & interest_bit(mode, activity)) != 0;
  }

  // The policy in force.
  std::shared_ptr<const CompiledPolicy> policy() const;
  const Registry& registry() const { return registry_; }
  const EngineConfig& config() const { return config_; }
  // The live lifecycle instances of the policy in force, and what was
  // refused or evicted since the engine started.
  EngineMetrics metrics() const;

 private:
  Decision decide(const std::shared_ptr<const EngineSnapshot>& snapshot, const Event& event,
                  std::vector<Candidate>& candidates, bool sort) const;

  const Registry registry_;
  const HostFunctions functions_;
  const EngineConfig config_;
  const std::shared_ptr<EngineCounters> counters_;
  std::shared_ptr<const EngineSnapshot> current() const;

  mutable std::mutex snapshot_mutex_;
  std::shared_ptr<const EngineSnapshot> snapshot_;  // guarded by snapshot_mutex_
  std::atomic<std::uint64_t> interest_{0};          // snapshot_->interest
  std::mutex load_mutex_;
};

}  // namespace mqwarden::policy

// The live instances of lifecycle-bound configurations (`configure t(device =
// client.id) for each actual connect until actual disconnect where client.id
// == device`): one instance per start event, its arguments read from that
// event, disposed of by the first end event whose filter holds for it.
//
// An event is decided first; then the instances it ends are disposed of (so
// an ending event is still decided by them) and those it starts are created
// (their history starts at that event's time, which they do not see). The
// number of live instances is capped by EngineConfig::max_lifecycle_instances;
// start events beyond the cap create nothing and are counted in the engine's
// counters (engine_counters.hpp).
// Instances are indexed like static ones (rule_index.hpp, observer_index.hpp),
// and ends by the parameter their `until` filter compares with an event field.
//
// Thread safety: a shared_mutex. Deciding threads hold lock_shared() while
// they use instances (candidates, observers); observe() takes it exclusively,
// only for events of a kind that can start or end an instance.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "policy/compiled_policy.hpp"
#include "policy/engine_counters.hpp"
#include "policy/event.hpp"
#include "policy/observer_index.hpp"
#include "policy/rule_index.hpp"
#include "policy/temporal_state.hpp"

namespace mqwarden::policy {

struct Candidate {
  const RuleInstance* instance = nullptr;
  TemporalState* temporal = nullptr;  // mutable state behind its own locks
  bool publication_checked = false;   // a deliver rule whose publication part already held
};

class LiveInstances : public std::enable_shared_from_this<LiveInstances> {
 public:
  // `counters` receives the refused instances and their slice evictions.
  // Keeps `policy` alive: a superseded LiveInstances may outlive its snapshot.
  LiveInstances(std::shared_ptr<const CompiledPolicy> policy, std::shared_ptr<EngineCounters> counters);
  LiveInstances(const LiveInstances&) = delete;
  LiveInstances& operator=(const LiveInstances&) = delete;

  std::shared_lock<std::shared_mutex> lock_shared() const { return std::shared_lock(mutex_); }
  // Under lock_shared(): appends the instances that can apply to `event`.
  void candidates(const Event& event, std::vector<Candidate>& out) const;
  // Under lock_shared(): appends the instances whose patterns observe `event`.
  void observers(const Event& event, std::vector<Observer>& out) const;

  // After the decision of `event` (without holding lock_shared()). Once
  // superseded (take_over), forwards the event to the successor instead.
  void observe(const Event& event);

  // Takes over from `previous`, the instances of the policy this one replaces,
  // those of configurations whose text and template rules did not change,
  // with their temporal state. From then on `previous` forwards what it
  // observes here, so that an instance started or ended by a decision still
  // in flight on the old policy is not lost. This object must be owned by a
  // shared_ptr; call once, before this policy is put in force.
  void take_over(LiveInstances& previous);

  std::size_t size() const;

 private:
  struct Live {
    const CompiledLifecycle* lifecycle = nullptr;
    std::size_t configuration = 0;  // index in CompiledPolicy::lifecycles
    ValueArena storage;
    std::vector<Value> arguments;
    std::deque<RuleInstance> rules;
    std::vector<std::shared_ptr<TemporalState>> temporal;  // per rule; null without temporal operators
    std::string end_key;                                   // the keyed parameter's value, if the `until` is keyed
  };
  struct Ends {
    IndexHint hint;  // of the `until` filter
    std::unordered_map<std::string, std::vector<Live*>> keyed;
    std::vector<Live*> general;
  };

  bool starts(const CompiledLifecycle& lifecycle, const Event& event) const;
  std::vector<Live*> ending(std::size_t configuration, const Event& event) const;
  // Evaluates the arguments of a start event; null when they cannot be monitored.
  std::unique_ptr<Live> instantiate(std::size_t configuration, std::span<const Value> arguments, std::int64_t start_ms,
                                    const std::vector<std::shared_ptr<TemporalState>>* carried) const;
  void insert(std::unique_ptr<Live> live);
  void dispose(Live* live);

  const std::shared_ptr<const CompiledPolicy> policy_owner_;
  const CompiledPolicy& policy_;
  mutable std::shared_mutex mutex_;
  std::unordered_map<Live*, std::unique_ptr<Live>> live_;
  std::unordered_map<const RuleInstance*, TemporalState*> temporal_of_;
  std::vector<Ends> ends_;  // per configuration
  RuleIndex index_;
  ObserverIndex observers_;
  const std::shared_ptr<EngineCounters> counters_;
  std::uint64_t next_number_ = 1;
  std::shared_ptr<LiveInstances> successor_;  // guarded by mutex_; set by the successor's take_over
};

}  // namespace mqwarden::policy

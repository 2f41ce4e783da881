#include "policy/engine.hpp"

#include <algorithm>
#include <shared_mutex>
#include <utility>
#include <vector>

#include "policy/compile.hpp"
#include "policy/decide.hpp"
#include "policy/evaluate.hpp"
#include "policy/load.hpp"

namespace mqwarden::policy {
namespace {

std::shared_ptr<const EngineSnapshot> empty_snapshot(const EngineConfig& config,
                                                    std::shared_ptr<EngineCounters> counters) {
  auto policy = std::make_shared<CompiledPolicy>();
  policy->config = config;
  auto snapshot = std::make_shared<EngineSnapshot>();
  snapshot->policy = std::move(policy);
  snapshot->counters = std::move(counters);
  return snapshot;
}

}  // namespace

Engine::Engine(Registry registry, HostFunctions functions, EngineConfig config)
    : registry_(std::move(registry)),
      functions_(std::move(functions)),
      config_(config),
      counters_(std::make_shared<EngineCounters>()),
      snapshot_(empty_snapshot(config, counters_)) {}

std::shared_ptr<const EngineSnapshot> Engine::current() const {
  const std::lock_guard lock(snapshot_mutex_);
  return snapshot_;
}

std::shared_ptr<const CompiledPolicy> Engine::policy() const {
  return current()->policy;
}

EngineMetrics Engine::metrics() const {
  const std::shared_ptr<const EngineSnapshot> snapshot = current();
  EngineMetrics metrics;
  metrics.lifecycle_instances = snapshot->live ? snapshot->live->size() : 0;
  metrics.refused_lifecycle_instances = counters_->refused_lifecycle_instances.load(std::memory_order_relaxed);
  metrics.slice_evictions = counters_->slice_evictions.load(std::memory_order_relaxed);
  return metrics;
}

Result<Diagnostics, Diagnostics> Engine::load(const SourceSet& sources, std::int64_t now_ms) {
  const std::lock_guard lock(load_mutex_);
  auto loaded = load_policy(sources, registry_);
  if (!loaded) return fail(loaded.error());
  auto compiled = compile_policy({loaded->policy, sources, registry_, functions_, config_});
  if (!compiled) return fail(compiled.error());
  const std::shared_ptr<const EngineSnapshot> previous = current();
  auto snapshot = make_snapshot(std::move(*compiled), previous.get(), now_ms, counters_);
  if (!snapshot) return fail(snapshot.error());
  const std::lock_guard swap(snapshot_mutex_);
  snapshot_ = std::move(*snapshot);
  interest_.store(snapshot_->interest, std::memory_order_relaxed);
  return std::move(loaded->warnings);
}

namespace {

void by_rule_order(std::vector<Candidate>& candidates) {
  std::stable_sort(candidates.begin(), candidates.end(),
                   [](const Candidate& a, const Candidate& b) { return a.instance->ordinal < b.instance->ordinal; });
}

}  // namespace

Decision Engine::decide(const Event& event) const {
  const std::shared_ptr<const EngineSnapshot> snapshot = current();
  thread_local std::vector<const RuleInstance*> found;
  thread_local std::vector<Candidate> candidates;
  snapshot->policy->index.candidates(event, found);
  candidates.clear();
  for (const RuleInstance* instance : found) candidates.push_back({instance, snapshot->temporal_of(*instance)});
  return decide(snapshot, event, candidates, false);
}

PublicationContext Engine::prepare_delivery(const Event& delivery) const {
  PublicationContext publication;
  publication.snapshot_ = current();
  publication.event_ = delivery;
  publication.event_.subscriber = {};
  const EngineSnapshot& snapshot = *publication.snapshot_;
  thread_local std::vector<const RuleInstance*> found;
  snapshot.policy->index.candidates(publication.event_, found, RuleIndex::Part::publication);
  ValueArena arena;
  for (const RuleInstance* instance : found) {
    const CompiledRule& rule = *instance->rule;
    const Frame frame{*snapshot.policy, publication.event_, instance->arguments, arena, nullptr, instance};
    if (rule.where_publication && !holds(*rule.where_publication, frame)) continue;
    publication.prepared_.push_back({instance, snapshot.temporal_of(*instance), true});
  }
  return publication;
}

Decision Engine::decide_delivery(const PublicationContext& publication, const Identity& subscriber) const {
  Event event = publication.event_;
  event.subscriber = subscriber;
  const EngineSnapshot& snapshot = *publication.snapshot_;
  thread_local std::vector<const RuleInstance*> found;
  thread_local std::vector<Candidate> candidates;
  candidates.assign(publication.prepared_.begin(), publication.prepared_.end());
  snapshot.policy->index.candidates(event, found, RuleIndex::Part::subscriber);
  for (const RuleInstance* instance : found) candidates.push_back({instance, snapshot.temporal_of(*instance)});
  return decide(publication.snapshot_, event, candidates, !found.empty());
}

Decision Engine::decide(const std::shared_ptr<const EngineSnapshot>& snapshot, const Event& event,
                        std::vector<Candidate>& candidates, bool sort) const {
  const CompiledPolicy& policy = *snapshot->policy;
  thread_local std::vector<Candidate> triggered;
  thread_local std::vector<Observer> observers;
  std::shared_lock<std::shared_mutex> live_lock;
  if (snapshot->live) {
    live_lock = snapshot->live->lock_shared();
    const std::size_t before = candidates.size();
    snapshot->live->candidates(event, candidates);
    sort = sort || (before != 0 && candidates.size() != before);
  }
  if (sort) by_rule_order(candidates);

  triggered.clear();
  ValueArena arena;
  DecisionBuilder builder(policy, event, arena);
  for (const Candidate& candidate : candidates) {
    if (builder.apply(*candidate.instance, candidate.temporal, candidate.publication_checked) &&
        candidate.temporal != nullptr) {
      triggered.push_back(candidate);
    }
  }
  Decision decision = std::move(builder).finish(std::shared_ptr<const CompiledPolicy>(snapshot, &policy));

  // The event joins the history after its decision.
  snapshot->observers.observers(event, observers);
  if (snapshot->live) snapshot->live->observers(event, observers);
  for (const Observer& observer : observers) observer.temporal->commit_patterns(policy, *observer.instance, event);
  for (const Candidate& candidate : triggered) {
    candidate.temporal->commit_conditions(*candidate.instance, Frame{policy, event, candidate.instance->arguments,
                                                                     arena, candidate.temporal, candidate.instance});
  }
  if (snapshot->live) {
    live_lock.unlock();
    snapshot->live->observe(event);
  }
  return decision;
}

}  // namespace mqwarden::policy

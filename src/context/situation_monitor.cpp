#include "context/situation_monitor.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <bit>
#include <unordered_map>

#include "policy/evaluate.hpp"

namespace mqwarden::context {
namespace {

using policy::CompiledPolicy;
using policy::Node;
using policy::NodeKind;
using policy::Value;

struct Tuple {
  std::size_t situation;
  std::vector<Value> arguments;
};

// Whether evaluating `node` reads the clock, directly or through the
// situations it calls (the checker refuses situations that call themselves;
// `depth` bounds the walk all the same).
bool reads_now(const CompiledPolicy& policy, const Node& node, std::size_t depth = 0) {
  if (node.kind == NodeKind::now) return true;
  if (node.kind == NodeKind::situation && node.index < policy.situations.size() && depth < policy.situations.size() &&
      reads_now(policy, policy.situations[node.index].condition, depth + 1)) {
    return true;
  }
  return std::ranges::any_of(node.children, [&](const Node& child) { return reads_now(policy, child, depth); });
}

// The situation calls under `node` whose arguments are constants or the instance's parameters.
void collect_calls(const Node& node, const policy::RuleInstance& instance, std::vector<Tuple>& out) {
  for (const Node& child : node.children) collect_calls(child, instance, out);
  if (node.kind != NodeKind::situation) return;
  Tuple tuple{node.index, {}};
  for (const Node& argument : node.children) {
    if (argument.kind == NodeKind::constant) {
      tuple.arguments.push_back(argument.constant);
    } else if (argument.kind == NodeKind::parameter && argument.index < instance.arguments.size()) {
      tuple.arguments.push_back(instance.arguments[argument.index]);
    } else {
      return;  // read from the event: decided when it comes, not monitored
    }
  }
  out.push_back(std::move(tuple));
}

std::vector<Tuple> monitored_tuples(const CompiledPolicy& policy) {
  std::vector<Tuple> tuples;
  for (std::size_t i = 0; i < policy.situations.size(); ++i) {
    if (policy.situations[i].parameters.empty()) tuples.push_back({i, {}});
  }
  for (const policy::RuleInstance& instance : policy.instances) {
    const policy::CompiledRule& rule = *instance.rule;
    for (const auto* node : {&rule.where, &rule.condition}) {
      if (*node) collect_calls(**node, instance, tuples);
    }
  }
  return tuples;
}

std::string key_of(const CompiledPolicy& policy, const Tuple& tuple) {
  nlohmann::json arguments = nlohmann::json::array();
  for (const Value& argument : tuple.arguments) arguments.push_back(policy::to_json(argument));
  return policy.situations[tuple.situation].name + arguments.dump();
}

}  // namespace

SituationMonitor::SituationMonitor(std::size_t max_instances, Raise raise)
    : max_instances_(max_instances), raise_(std::move(raise)) {}

void SituationMonitor::use(std::shared_ptr<const CompiledPolicy> policy, std::int64_t now_ms) {
  Batch batch;
  {
    std::lock_guard lock(mutex_);
    std::unordered_map<std::string, bool> held;
    for (const Instance& instance : instances_) held.emplace(instance.key, instance.holds);
    instances_.clear();
    by_key_.clear();
    by_entity_.clear();
    rechecks_.clear();
    reading_now_.clear();
    policy_ = std::move(policy);
    std::uint64_t refused = 0;
    for (Tuple& tuple : monitored_tuples(*policy_)) {
      std::string key = key_of(*policy_, tuple);
      if (by_key_.contains(key)) continue;
      if (instances_.size() >= max_instances_) {
        ++refused;
        continue;
      }
      by_key_.emplace(key, instances_.size());
      Instance instance;
      instance.key = std::move(key);
      instance.situation = tuple.situation;
      instance.arguments = std::move(tuple.arguments);
      instance.reads_now = reads_now(*policy_, policy_->situations[tuple.situation].condition);
      if (instance.reads_now) reading_now_.push_back(instances_.size());
      instances_.push_back(std::move(instance));
    }
    refused_ += refused;
    if (refused > 0) {
      spdlog::warn("situations: {} instance(s) not monitored (more than {}); their start and end are not raised",
                   refused, max_instances_);
    }
    for (std::size_t i = 0; i < instances_.size(); ++i) {
      evaluate(i, now_ms);
      auto before = held.find(instances_[i].key);
      const bool was = before != held.end() && before->second;
      if (instances_[i].holds != was) note(batch, instances_[i]);
    }
  }
  raise(batch, now_ms);
}

bool SituationMonitor::evaluate(std::size_t index, std::int64_t now_ms) {
  Instance& instance = instances_[index];
  unindex(index);
  policy::Event at;
  at.time_ms = now_ms;
  policy::ValueArena arena;
  ReadLog log;
  const policy::Frame frame{*policy_, at, instance.arguments, arena};
  const bool holds = policy::holds(policy_->situations[instance.situation].condition, frame);
  instance.entities = log.entities();
  for (const std::string& entity : instance.entities) by_entity_[entity].insert(index);
  if (const std::int64_t stale_at = log.earliest_stale_ms(); stale_at != kNever) {
    instance.recheck = rechecks_.emplace(stale_at, index);
  }
  const bool changed = holds != instance.holds;
  instance.holds = holds;
  return changed;
}

void SituationMonitor::unindex(std::size_t index) {
  Instance& instance = instances_[index];
  for (const std::string& entity : instance.entities) {
    auto it = by_entity_.find(entity);
    if (it == by_entity_.end()) continue;
    it->second.erase(index);
    if (it->second.empty()) by_entity_.erase(it);
  }
  instance.entities.clear();
  if (!instance.recheck) return;
  rechecks_.erase(*instance.recheck);
  instance.recheck.reset();
}

void SituationMonitor::entity_changed(std::string_view entity, std::int64_t now_ms) {
  Batch batch;
  {
    std::lock_guard lock(mutex_);
    auto it = by_entity_.find(std::string(entity));
    if (it == by_entity_.end()) return;
    std::vector<std::size_t> readers(it->second.begin(), it->second.end());  // evaluate() re-indexes
    std::ranges::sort(readers);  // events in the order the policy declares the instances
    for (std::size_t index : readers) {
      if (evaluate(index, now_ms)) note(batch, instances_[index]);
    }
  }
  raise(batch, now_ms);
}

void SituationMonitor::tick(std::int64_t now_ms) {
  Batch batch;
  {
    std::lock_guard lock(mutex_);
    std::vector<std::size_t> due = reading_now_;
    for (auto it = rechecks_.begin(); it != rechecks_.end() && it->first <= now_ms; ++it) due.push_back(it->second);
    std::ranges::sort(due);
    due.erase(std::unique(due.begin(), due.end()), due.end());
    for (std::size_t index : due) {
      if (evaluate(index, now_ms)) note(batch, instances_[index]);
    }
  }
  raise(batch, now_ms);
}

void SituationMonitor::note(Batch& batch, const Instance& instance) const {
  batch.policy = policy_;
  batch.raised.push_back({policy_->situations[instance.situation].name, instance.arguments, instance.holds});
}

void SituationMonitor::raise(const Batch& batch, std::int64_t now_ms) const {
  for (const Raised& raised : batch.raised) {
    policy::Event event;
    event.mode = policy::Mode::actual;
    event.activity = raised.starts ? policy::Activity::situation_starts : policy::Activity::situation_ends;
    event.time_ms = now_ms;
    event.subject = raised.situation;
    event.situation_arguments = raised.arguments;
    raise_(event);
  }
}

bool SituationMonitor::holds(std::string_view situation, const nlohmann::json& arguments) const {
  std::lock_guard lock(mutex_);
  const auto found = by_key_.find(std::string(situation) + arguments.dump());
  return found != by_key_.end() && instances_[found->second].holds;
}

std::size_t SituationMonitor::instances() const {
  std::lock_guard lock(mutex_);
  return instances_.size();
}

std::uint64_t SituationMonitor::refused() const {
  std::lock_guard lock(mutex_);
  return refused_;
}

}  // namespace mqwarden::context

#include "policy/live_instances.hpp"

#include <algorithm>
#include <mutex>
#include <utility>

#include "policy/compile_internal.hpp"
#include "policy/evaluate.hpp"
#include "policy/read_field.hpp"

namespace mqwarden::policy {
namespace {

bool is_kind(const EventSpec& spec, const Event& event) {
  return spec.mode == event.mode && spec.activity == event.activity &&
         (spec.subject.empty() || spec.subject == event.subject);
}

// A copy of `value` whose strings, lists and JSON live in `storage`.
Value owned(const Value& value, ValueArena& storage) {
  switch (value.kind()) {
    case ValueKind::string: return Value::string(storage.keep(std::string(value.as_string())));
    case ValueKind::string_list:
      return Value::strings(
          storage.keep(std::vector<std::string>(value.as_strings().begin(), value.as_strings().end())));
    case ValueKind::number_list:
      return Value::numbers(storage.keep(std::vector<double>(value.as_numbers().begin(), value.as_numbers().end())));
    case ValueKind::json: return Value::json(&storage.keep(value.as_json()));
    default: return value;
  }
}

std::string label_of(const CompiledLifecycle& lifecycle, std::span<const Value> arguments, std::uint64_t number) {
  std::string label = lifecycle.template_name + "#" + std::to_string(number) + "(";
  for (std::size_t i = 0; i < arguments.size(); ++i) {
    label += (i == 0 ? "" : ", ") + lifecycle.parameters[i].name + " = " + to_json(arguments[i]).dump();
  }
  return label + ")";
}

}  // namespace

LiveInstances::LiveInstances(std::shared_ptr<const CompiledPolicy> policy, std::shared_ptr<EngineCounters> counters)
    : policy_owner_(std::move(policy)), policy_(*policy_owner_), counters_(std::move(counters)) {
  for (const CompiledLifecycle& lifecycle : policy_.lifecycles) {
    ends_.push_back({detail::index_hint(lifecycle.end_where ? &*lifecycle.end_where : nullptr), {}, {}});
  }
}

void LiveInstances::take_over(LiveInstances& previous) {
  const std::unique_lock previous_lock(previous.mutex_);
  const std::unique_lock lock(mutex_);
  for (const auto& [key, live] : previous.live_) {
    for (std::size_t i = 0; i < policy_.lifecycles.size(); ++i) {
      if (policy_.lifecycles[i].fingerprint != live->lifecycle->fingerprint) continue;
      // A carried instance keeps its temporal state, and with it its start.
      if (auto carried = instantiate(i, live->arguments, /*start_ms=*/0, &live->temporal)) insert(std::move(carried));
      break;
    }
  }
  previous.successor_ = shared_from_this();
}

void LiveInstances::candidates(const Event& event, std::vector<Candidate>& out) const {
  thread_local std::vector<const RuleInstance*> found;
  index_.candidates(event, found);
  for (const RuleInstance* instance : found) {
    const auto temporal = temporal_of_.find(instance);
    out.push_back({instance, temporal == temporal_of_.end() ? nullptr : temporal->second});
  }
}

void LiveInstances::observers(const Event& event, std::vector<Observer>& out) const {
  thread_local std::vector<Observer> found;
  observers_.observers(event, found);
  out.insert(out.end(), found.begin(), found.end());
}

std::size_t LiveInstances::size() const {
  const std::shared_lock lock(mutex_);
  return live_.size();
}

bool LiveInstances::starts(const CompiledLifecycle& lifecycle, const Event& event) const {
  if (!is_kind(lifecycle.start, event)) return false;
  if (!lifecycle.start_where) return true;
  ValueArena arena;
  return holds(*lifecycle.start_where, Frame{policy_, event, {}, arena, nullptr, nullptr});
}

std::vector<LiveInstances::Live*> LiveInstances::ending(std::size_t configuration, const Event& event) const {
  const CompiledLifecycle& lifecycle = policy_.lifecycles[configuration];
  const Ends& ends = ends_[configuration];
  std::vector<Live*> out;
  if (!is_kind(lifecycle.end, event)) return out;
  std::vector<Live*> candidates = ends.general;
  if (ends.hint.keyed_field) {
    const Value value = read_field(*ends.hint.keyed_field, event);
    if (auto found = ends.keyed.find(std::string(value.as_string())); found != ends.keyed.end()) {
      candidates.insert(candidates.end(), found->second.begin(), found->second.end());
    }
  }
  ValueArena arena;
  for (Live* live : candidates) {
    if (!lifecycle.end_where ||
        holds(*lifecycle.end_where, Frame{policy_, event, live->arguments, arena, nullptr, nullptr})) {
      out.push_back(live);
    }
  }
  return out;
}

std::unique_ptr<LiveInstances::Live> LiveInstances::instantiate(
    std::size_t configuration, std::span<const Value> arguments, std::int64_t start_ms,
    const std::vector<std::shared_ptr<TemporalState>>* carried) const {
  const CompiledLifecycle& lifecycle = policy_.lifecycles[configuration];
  auto live = std::make_unique<Live>();
  live->lifecycle = &lifecycle;
  live->configuration = configuration;
  for (const Value& argument : arguments) live->arguments.push_back(owned(argument, live->storage));
  const std::string label = label_of(lifecycle, live->arguments, next_number_);
  for (std::size_t i = 0; i < lifecycle.rules.size(); ++i) {
    live->rules.push_back({lifecycle.rules[i], label, live->arguments, lifecycle.first_ordinal + i, 0});
    if (lifecycle.rules[i]->temporal.empty()) {
      live->temporal.push_back(nullptr);
    } else if (carried != nullptr && i < carried->size() && (*carried)[i]) {
      live->temporal.push_back((*carried)[i]);
    } else if (auto created = TemporalState::create(policy_, live->rules.back(), start_ms, counters_.get())) {
      live->temporal.push_back(std::move(*created));
    } else {
      return nullptr;
    }
  }
  const Ends& ends = ends_[configuration];
  if (ends.hint.keyed_field && ends.hint.keyed_parameter < live->arguments.size()) {
    live->end_key = live->arguments[ends.hint.keyed_parameter].as_string();
  }
  return live;
}

void LiveInstances::insert(std::unique_ptr<Live> live) {
  ++next_number_;
  Ends& ends = ends_[live->configuration];
  if (ends.hint.keyed_field) {
    ends.keyed[live->end_key].push_back(live.get());
  } else {
    ends.general.push_back(live.get());
  }
  for (std::size_t i = 0; i < live->rules.size(); ++i) {
    index_.add(live->rules[i]);
    if (TemporalState* temporal = live->temporal[i].get()) {
      temporal_of_.emplace(&live->rules[i], temporal);
      observers_.add(live->rules[i], *temporal);
    }
  }
  Live* key = live.get();
  live_.emplace(key, std::move(live));
}

void LiveInstances::dispose(Live* live) {
  Ends& ends = ends_[live->configuration];
  if (ends.hint.keyed_field) {
    if (auto found = ends.keyed.find(live->end_key); found != ends.keyed.end()) {
      std::erase(found->second, live);
      if (found->second.empty()) ends.keyed.erase(found);
    }
  } else {
    std::erase(ends.general, live);
  }
  for (RuleInstance& rule : live->rules) {
    index_.remove(rule);
    observers_.remove(rule);
    temporal_of_.erase(&rule);
  }
  live_.erase(live);
}

void LiveInstances::observe(const Event& event) {
  const bool concerned =
      std::any_of(policy_.lifecycles.begin(), policy_.lifecycles.end(), [&](const CompiledLifecycle& lifecycle) {
        return is_kind(lifecycle.start, event) || is_kind(lifecycle.end, event);
      });
  if (!concerned) return;
  std::unique_lock lock(mutex_);
  if (successor_) {
    const std::shared_ptr<LiveInstances> successor = successor_;
    lock.unlock();
    successor->observe(event);
    return;
  }
  std::vector<std::size_t> started;
  for (std::size_t i = 0; i < policy_.lifecycles.size(); ++i) {
    for (Live* live : ending(i, event)) dispose(live);
    if (starts(policy_.lifecycles[i], event)) started.push_back(i);
  }
  for (const std::size_t configuration : started) {
    if (live_.size() >= policy_.config.max_lifecycle_instances) {
      counters_->refused_lifecycle_instances.fetch_add(1, std::memory_order_relaxed);
      continue;
    }
    const CompiledLifecycle& lifecycle = policy_.lifecycles[configuration];
    ValueArena arena;
    const Frame frame{policy_, event, {}, arena, nullptr, nullptr};
    std::vector<Value> arguments;
    for (const Node& argument : lifecycle.arguments) arguments.push_back(evaluate(argument, frame));
    if (auto live = instantiate(configuration, arguments, event.time_ms, nullptr)) {
      insert(std::move(live));
    } else {
      counters_->refused_lifecycle_instances.fetch_add(1, std::memory_order_relaxed);
    }
  }
}

}  // namespace mqwarden::policy

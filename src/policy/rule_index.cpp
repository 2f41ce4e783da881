#include "policy/rule_index.hpp"

#include <algorithm>

#include "policy/compiled_policy.hpp"
#include "policy/read_field.hpp"

namespace mqwarden::policy {
namespace {

std::string_view first_level(std::string_view topic) {
  return topic.substr(0, topic.find('/'));
}

void append(const std::vector<const RuleInstance*>* found, std::vector<const RuleInstance*>& out) {
  if (found != nullptr) out.insert(out.end(), found->begin(), found->end());
}

template <class Map>
const std::vector<const RuleInstance*>* lookup(const Map& map, std::string_view key) {
  const auto found = map.find(key);
  return found == map.end() ? nullptr : &found->second;
}

}  // namespace

std::size_t RuleIndex::bucket_of(Mode mode, Activity activity) {
  return static_cast<std::size_t>(mode) * kActivities + static_cast<std::size_t>(activity);
}

void RuleIndex::add(const RuleInstance& instance) {
  const CompiledRule& rule = *instance.rule;
  Bucket& bucket = buckets_[bucket_of(rule.trigger.mode, rule.trigger.activity)];
  ++size_;
  if (rule.hint.keyed_field && rule.hint.keyed_parameter < instance.arguments.size()) {
    auto keyed = std::find_if(bucket.keyed.begin(), bucket.keyed.end(),
                              [&](const Keyed& candidate) { return candidate.rule == &rule; });
    if (keyed == bucket.keyed.end())
      keyed = bucket.keyed.insert(bucket.keyed.end(), Keyed{&rule, *rule.hint.keyed_field, {}});
    const Value& value = instance.arguments[rule.hint.keyed_parameter];
    keyed->by_value[std::string(value.as_string())].push_back(&instance);
    return;
  }
  if (rule.hint.topic_level) {
    bucket.by_topic_level[*rule.hint.topic_level].push_back(&instance);
    return;
  }
  bucket.general.push_back(&instance);
}

void RuleIndex::remove(const RuleInstance& instance) {
  const CompiledRule& rule = *instance.rule;
  Bucket& bucket = buckets_[bucket_of(rule.trigger.mode, rule.trigger.activity)];
  const auto erase = [&](std::vector<const RuleInstance*>& list) {
    const auto removed = std::erase(list, &instance);
    size_ -= removed;
  };
  if (rule.hint.keyed_field && rule.hint.keyed_parameter < instance.arguments.size()) {
    for (Keyed& keyed : bucket.keyed) {
      if (keyed.rule != &rule) continue;
      const auto found = keyed.by_value.find(instance.arguments[rule.hint.keyed_parameter].as_string());
      if (found == keyed.by_value.end()) continue;
      erase(found->second);
      if (found->second.empty()) keyed.by_value.erase(found);
    }
    return;
  }
  if (rule.hint.topic_level) {
    if (auto found = bucket.by_topic_level.find(*rule.hint.topic_level); found != bucket.by_topic_level.end()) {
      erase(found->second);
    }
    return;
  }
  erase(bucket.general);
}

void RuleIndex::candidates(const Event& event, std::vector<const RuleInstance*>& out, Part part) const {
  out.clear();
  const Bucket& bucket = buckets_[bucket_of(event.mode, event.activity)];
  if (part != Part::subscriber) {
    out.insert(out.end(), bucket.general.begin(), bucket.general.end());
    if (!bucket.by_topic_level.empty()) append(lookup(bucket.by_topic_level, first_level(event.topic)), out);
  }
  for (const Keyed& keyed : bucket.keyed) {
    if ((part == Part::publication && keyed.field.of_subscriber) ||
        (part == Part::subscriber && !keyed.field.of_subscriber)) {
      continue;
    }
    append(lookup(keyed.by_value, read_field(keyed.field, event).as_string()), out);
  }
  if (out.size() > 1) {
    std::sort(out.begin(), out.end(),
              [](const RuleInstance* a, const RuleInstance* b) { return a->ordinal < b->ordinal; });
  }
}

}  // namespace mqwarden::policy

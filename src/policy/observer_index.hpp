// Which rule instances' temporal patterns observe an event: every event is
// fed, after its decision, to the patterns that watch its (mode, activity).
// Patterns whose filter compares an event field with a template parameter
// (`actual publish where client.id == device`) are found by that
// parameter's value, so that 10,000 instances do not mean 10,000 filter
// evaluations per event.
//
// Thread safety: none of its own; the owner builds it once (static
// instances) or guards it with its lock (lifecycle-bound instances).
#pragma once

#include <array>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "policy/compiled_policy.hpp"
#include "policy/event.hpp"

namespace mqwarden::policy {

class TemporalState;

struct Observer {
  const RuleInstance* instance = nullptr;
  TemporalState* temporal = nullptr;
  bool operator==(const Observer&) const = default;
};

class ObserverIndex {
 public:
  // Registers the instance for each kind of event its patterns observe.
  void add(const RuleInstance& instance, TemporalState& temporal);
  void remove(const RuleInstance& instance);
  // Replaces `out` with the observers of `event` (each once).
  void observers(const Event& event, std::vector<Observer>& out) const;

 private:
  struct Keyed {
    FieldRef field;
    std::unordered_map<std::string, std::vector<Observer>> by_value;
  };
  struct Kind {
    std::vector<Observer> general;
    std::vector<Keyed> keyed;
  };
  static constexpr std::size_t kKinds = 2 * (static_cast<std::size_t>(Activity::context_changes) + 1);

  std::array<Kind, kKinds> kinds_;
};

}  // namespace mqwarden::policy

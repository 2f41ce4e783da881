#include "policy/observer_index.hpp"

#include <algorithm>

#include "policy/compile_internal.hpp"
#include "policy/read_field.hpp"

namespace mqwarden::policy {
namespace {

std::size_t kind_of(Mode mode, Activity activity) {
  return static_cast<std::size_t>(mode) * (static_cast<std::size_t>(Activity::context_changes) + 1) +
         static_cast<std::size_t>(activity);
}

bool same_field(const FieldRef& a, const FieldRef& b) {
  return a.id == b.id && a.of_subscriber == b.of_subscriber && a.path == b.path && a.key == b.key;
}

template <class Visit>
void for_each_pattern(const RuleInstance& instance, Visit visit) {
  std::array<bool, 2 * (static_cast<std::size_t>(Activity::context_changes) + 1)> seen{};
  for (const TemporalSite& site : instance.rule->temporal) {
    for (const TemporalOperand& operand : site.operands) {
      if (!operand.is_pattern) continue;
      const std::size_t kind = kind_of(operand.event.mode, operand.event.activity);
      if (seen[kind]) continue;
      seen[kind] = true;
      visit(kind, operand);
    }
  }
}

// The parameter value a pattern's filter requires of a field, if the
// instance has only patterns of that kind filtered that way.
std::optional<std::pair<FieldRef, std::string>> key_of(const RuleInstance& instance, const TemporalOperand& operand) {
  const IndexHint hint = detail::index_hint(operand.filter ? &*operand.filter : nullptr);
  if (!hint.keyed_field || hint.keyed_parameter >= instance.arguments.size()) return std::nullopt;
  const Value& value = instance.arguments[hint.keyed_parameter];
  if (value.kind() != ValueKind::string) return std::nullopt;
  return std::pair{*hint.keyed_field, std::string(value.as_string())};
}

// Whether every pattern of `kind` in the instance carries the same key (else it is observed generally).
bool uniformly_keyed(const RuleInstance& instance, std::size_t kind, const std::pair<FieldRef, std::string>& key) {
  for (const TemporalSite& site : instance.rule->temporal) {
    for (const TemporalOperand& operand : site.operands) {
      if (!operand.is_pattern || kind_of(operand.event.mode, operand.event.activity) != kind) continue;
      const auto other = key_of(instance, operand);
      if (!other || !same_field(other->first, key.first) || other->second != key.second) return false;
    }
  }
  return true;
}

}  // namespace

void ObserverIndex::add(const RuleInstance& instance, TemporalState& temporal) {
  const Observer observer{&instance, &temporal};
  for_each_pattern(instance, [&](std::size_t kind, const TemporalOperand& operand) {
    Kind& entry = kinds_[kind];
    const auto key = key_of(instance, operand);
    if (!key || !uniformly_keyed(instance, kind, *key)) {
      entry.general.push_back(observer);
      return;
    }
    auto keyed = std::find_if(entry.keyed.begin(), entry.keyed.end(),
                              [&](const Keyed& candidate) { return same_field(candidate.field, key->first); });
    if (keyed == entry.keyed.end()) keyed = entry.keyed.insert(entry.keyed.end(), Keyed{key->first, {}});
    keyed->by_value[key->second].push_back(observer);
  });
}

void ObserverIndex::remove(const RuleInstance& instance) {
  const auto erase = [&](std::vector<Observer>& observers) {
    std::erase_if(observers, [&](const Observer& observer) { return observer.instance == &instance; });
  };
  for_each_pattern(instance, [&](std::size_t kind, const TemporalOperand& operand) {
    Kind& entry = kinds_[kind];
    erase(entry.general);
    const auto key = key_of(instance, operand);
    if (!key) return;
    for (Keyed& keyed : entry.keyed) {
      if (!same_field(keyed.field, key->first)) continue;
      if (auto found = keyed.by_value.find(key->second); found != keyed.by_value.end()) {
        erase(found->second);
        if (found->second.empty()) keyed.by_value.erase(found);
      }
    }
  });
}

void ObserverIndex::observers(const Event& event, std::vector<Observer>& out) const {
  out.clear();
  const Kind& entry = kinds_[kind_of(event.mode, event.activity)];
  out.insert(out.end(), entry.general.begin(), entry.general.end());
  for (const Keyed& keyed : entry.keyed) {
    const Value value = read_field(keyed.field, event);
    if (value.kind() != ValueKind::string) continue;
    if (auto found = keyed.by_value.find(std::string(value.as_string())); found != keyed.by_value.end()) {
      out.insert(out.end(), found->second.begin(), found->second.end());
    }
  }
}

}  // namespace mqwarden::policy

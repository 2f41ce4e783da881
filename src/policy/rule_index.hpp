// Finds the rule instances that can apply to an event without looking at the
// others (docs/policy-engine.md, "Indexing"): instances are bucketed by (mode,
// activity); within a bucket, by the first level of the literal topic their
// `where` requires (`topic matches "gps/+"`, `topic == "gps/a"`), or, for
// template rules whose `where` compares an event field with a parameter
// (`publisher.id == target`), by that parameter's value. The rest are tried
// for every event of the bucket.
//
// Thread safety: none of its own. The compiler builds the static index once
// (afterwards const and safe to read from any number of threads);
// LiveInstances guards its own with its lock.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "policy/ast.hpp"
#include "policy/compiled_expression.hpp"
#include "policy/event.hpp"

namespace mqwarden::policy {

struct CompiledRule;
struct RuleInstance;

// What the compiler learnt from a rule's `where` for indexing.
struct IndexHint {
  std::optional<std::string> topic_level;  // the first level of a literal topic or filter
  std::optional<FieldRef> keyed_field;     // `<field> == <parameter>`: a string field ...
  std::size_t keyed_parameter = 0;         // ... and the parameter's slot
};

class RuleIndex {
 public:
  void add(const RuleInstance& instance);
  void remove(const RuleInstance& instance);
  // Which keyed groups a lookup consults: all; those keyed by fields of the
  // publication (a deliver event without its subscriber); or only those keyed
  // by subscriber fields (the rest was looked up for the publication).
  enum class Part : std::uint8_t { all, publication, subscriber };
  // Replaces `out` with the instances that can apply to `event`, in rule order.
  void candidates(const Event& event, std::vector<const RuleInstance*>& out, Part part = Part::all) const;
  std::size_t size() const { return size_; }

 private:
  struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
  };
  using ByString = std::unordered_map<std::string, std::vector<const RuleInstance*>, StringHash, std::equal_to<>>;
  struct Keyed {
    const CompiledRule* rule = nullptr;  // whose instances these are
    FieldRef field;
    ByString by_value;
  };
  struct Bucket {
    std::vector<const RuleInstance*> general;
    ByString by_topic_level;
    std::vector<Keyed> keyed;
  };
  static constexpr std::size_t kActivities = static_cast<std::size_t>(Activity::context_changes) + 1;
  static std::size_t bucket_of(Mode mode, Activity activity);

  std::array<Bucket, 2 * kActivities> buckets_;
  std::size_t size_ = 0;
};

}  // namespace mqwarden::policy

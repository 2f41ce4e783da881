// ContextStore: the latest value of each named context (`position`,
// `presence`, ...) of each entity (a client or device id), with when it was
// observed and when it goes stale, as the context sources fill it in. A stale
// value reads as missing: policies never act on context older than its
// source's maximum age (docs/context.md, "Quality of context").
//
// ReadLog records, for the thread that creates it, which entities the reads
// touched and when the earliest value read goes stale: the situation monitor
// re-evaluates a situation only when one of those entities changes or that
// time comes.
//
// Thread-safe: updates from every worker thread, reads from every decision.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "policy/value.hpp"

namespace mqwarden::context {

inline constexpr std::int64_t kNever = std::numeric_limits<std::int64_t>::max();

struct ContextReading {
  nlohmann::json value;                         // a position is {"lat": …, "lon": …}
  std::optional<policy::GeoPosition> position;  // set for positions
  std::int64_t observed_ms = 0;
  std::int64_t stale_at_ms = kNever;  // observed_ms + the source's maximum age
};

class ContextStore {
 public:
  // At most `max_entities` entities are tracked; readings of new ones beyond it are refused.
  explicit ContextStore(std::size_t max_entities) : max_entities_(max_entities) {}

  enum class Update { changed, refreshed, refused };
  // Records `reading` as `entity`'s `name`: changed (a new value, or the
  // entity's first), refreshed (the same value, newer), or refused (too many entities).
  Update update(std::string_view entity, std::string_view name, ContextReading reading);

  // The fresh value at `now_ms`, or nullopt when missing or stale.
  std::optional<policy::GeoPosition> position(std::string_view entity, std::int64_t now_ms) const;
  std::optional<nlohmann::json> value(std::string_view entity, std::string_view name, std::int64_t now_ms) const;

  std::size_t entities() const;
  std::uint64_t refused() const;

 private:
  struct NamedReading {
    std::string name;
    ContextReading reading;
  };
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
  };
  using Readings = std::vector<NamedReading>;  // an entity has a few names: a vector beats a map
  // The fresh reading, noted in the thread's ReadLog; null when missing or stale. Caller holds mutex_.
  const ContextReading* fresh(std::string_view entity, std::string_view name, std::int64_t now_ms) const;

  const std::size_t max_entities_;
  mutable std::shared_mutex mutex_;
  std::unordered_map<std::string, Readings, Hash, std::equal_to<>> entities_;  // guarded by mutex_
  std::uint64_t refused_ = 0;                                                 // guarded by mutex_
};

// Records what the ContextStore reads on this thread while it lives (one at a time per thread).
class ReadLog {
 public:
  ReadLog();
  ~ReadLog();
  ReadLog(const ReadLog&) = delete;
  ReadLog& operator=(const ReadLog&) = delete;

  const std::vector<std::string>& entities() const { return entities_; }
  // When the earliest fresh value read goes stale; kNever if none can.
  std::int64_t earliest_stale_ms() const { return earliest_stale_ms_; }

  void note(std::string_view entity, std::int64_t stale_at_ms);  // by ContextStore
  static ReadLog* current();

 private:
  std::vector<std::string> entities_;
  std::int64_t earliest_stale_ms_ = kNever;
  ReadLog* previous_;
};

}  // namespace mqwarden::context

#include "context/context_store.hpp"

#include <algorithm>
#include <mutex>

namespace mqwarden::context {
namespace {

thread_local ReadLog* current_log = nullptr;

}  // namespace

ContextStore::Update ContextStore::update(std::string_view entity, std::string_view name, ContextReading reading) {
  std::unique_lock lock(mutex_);
  auto it = entities_.find(entity);
  if (it == entities_.end()) {
    if (entities_.size() >= max_entities_) {
      ++refused_;
      return Update::refused;
    }
    it = entities_.emplace(std::string(entity), Readings{}).first;
  }
  Readings& readings = it->second;
  auto named = std::ranges::find(readings, name, &NamedReading::name);
  if (named == readings.end()) {
    readings.push_back({std::string(name), std::move(reading)});
    return Update::changed;
  }
  // A value that had gone stale and comes back is a change for whoever read it as missing.
  const bool was_fresh = named->reading.stale_at_ms > reading.observed_ms;
  const bool same = was_fresh && named->reading.value == reading.value;
  named->reading = std::move(reading);
  return same ? Update::refreshed : Update::changed;
}

const ContextReading* ContextStore::fresh(std::string_view entity, std::string_view name, std::int64_t now_ms) const {
  ReadLog* log = ReadLog::current();
  auto it = entities_.find(entity);
  const NamedReading* named = nullptr;
  if (it != entities_.end()) {
    auto found = std::ranges::find(it->second, name, &NamedReading::name);
    if (found != it->second.end()) named = &*found;
  }
  const bool is_fresh = named != nullptr && named->reading.stale_at_ms > now_ms;
  if (log != nullptr) log->note(entity, is_fresh ? named->reading.stale_at_ms : kNever);
  return is_fresh ? &named->reading : nullptr;
}

std::optional<policy::GeoPosition> ContextStore::position(std::string_view entity, std::int64_t now_ms) const {
  std::shared_lock lock(mutex_);
  const ContextReading* reading = fresh(entity, "position", now_ms);
  if (reading == nullptr) return std::nullopt;
  return reading->position;
}

std::optional<nlohmann::json> ContextStore::value(std::string_view entity, std::string_view name,
                                                  std::int64_t now_ms) const {
  std::shared_lock lock(mutex_);
  const ContextReading* reading = fresh(entity, name, now_ms);
  if (reading == nullptr) return std::nullopt;
  return reading->value;
}

std::size_t ContextStore::entities() const {
  std::shared_lock lock(mutex_);
  return entities_.size();
}

std::uint64_t ContextStore::refused() const {
  std::shared_lock lock(mutex_);
  return refused_;
}

ReadLog::ReadLog() : previous_(current_log) {
  current_log = this;
}

ReadLog::~ReadLog() {
  current_log = previous_;
}

ReadLog* ReadLog::current() {
  return current_log;
}

void ReadLog::note(std::string_view entity, std::int64_t stale_at_ms) {
  if (std::ranges::find(entities_, entity) == entities_.end()) entities_.emplace_back(entity);
  earliest_stale_ms_ = std::min(earliest_stale_ms_, stale_at_ms);
}

}  // namespace mqwarden::context

// Parametric monitor state: one TemporalMonitor per binding of the values an
// inner event pattern shares with the triggering event (`client.ip ==
// event.client.ip` keeps one monitor per address).
//
// The number of slices is capped; creating one more evicts the least recently
// used (get_or_create counts as a use, find does not); evictions() counts
// them, and so does the engine-wide counter given at construction, if any.
// An evicted binding that comes back starts empty: the cap trades its history
// for bounded memory.
//
// A template over the key; BindingKey (the bound values, in a fixed order) with
// BindingKeyHash is the key the evaluator uses, and any hashable type works.
//
// Thread safety: none of its own. Const members may run concurrently with each
// other; anything else needs exclusive access. The evaluator keeps each slice
// map behind its own mutex.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <list>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "policy/temporal_monitor.hpp"

namespace mqwarden::policy {

using BindingKey = std::vector<std::string>;

struct BindingKeyHash {
  std::size_t operator()(const BindingKey& key) const {
    std::size_t hash = key.size();
    for (const std::string& value : key) hash = hash * 1'000'003 ^ std::hash<std::string>{}(value);
    return hash;
  }
};

template <class Key, class Hash = std::hash<Key>>
class MonitorSlices {
 public:
  // capacity: the most slices kept (at least 1); total_evictions, if not
  // null, counts evictions too and must outlive this.
  MonitorSlices(const TemporalSpec& spec, std::size_t capacity, std::atomic<std::uint64_t>* total_evictions = nullptr)
      : spec_(spec), capacity_(std::max<std::size_t>(capacity, 1)), total_evictions_(total_evictions) {}

  // The monitor of `key`, created if missing with its history starting at
  // start_step. Pass the rule instance's start: a new slice then answers what a
  // monitor of the whole instance restricted to this binding would (no events
  // of its binding before it was created). Marks it most recently used.
  TemporalMonitor& get_or_create(const Key& key, Step start_step) {
    if (auto found = index_.find(key); found != index_.end()) {
      recency_.splice(recency_.begin(), recency_, found->second);
      return found->second->second;
    }
    if (index_.size() == capacity_) {
      index_.erase(recency_.back().first);
      recency_.pop_back();
      ++evictions_;
      if (total_evictions_ != nullptr) total_evictions_->fetch_add(1, std::memory_order_relaxed);
    }
    recency_.emplace_front(key, TemporalMonitor(spec_, start_step));
    index_.emplace(key, recency_.begin());
    return recency_.front().second;
  }

  // The monitor of `key`, or null; does not change the recency order.
  const TemporalMonitor* find(const Key& key) const {
    const auto found = index_.find(key);
    return found == index_.end() ? nullptr : &found->second->second;
  }

  std::uint64_t evictions() const { return evictions_; }
  std::size_t size() const { return index_.size(); }
  std::size_t capacity() const { return capacity_; }

 private:
  using Entry = std::pair<Key, TemporalMonitor>;

  TemporalSpec spec_;
  std::size_t capacity_;
  std::list<Entry> recency_;  // most recently used first
  std::unordered_map<Key, typename std::list<Entry>::iterator, Hash> index_;
  std::uint64_t evictions_ = 0;
  std::atomic<std::uint64_t>* total_evictions_;
};

}  // namespace mqwarden::policy

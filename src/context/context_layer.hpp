// ContextLayer: the broker's context manager. It observes the messages the
// broker carries through the configured context sources, keeps the latest
// fresh value per entity (ContextStore), monitors the policy's situations
// (SituationMonitor), records the owners' consent decisions
// (ConsentRegistry), raises `context <name> changes` and `situation <name>
// starts/ends` events, and gives policies `position(entity)`,
// `context(entity, name)` and `consent(owner, recipient, purpose)` (docs/context.md).
//
// Thread-safe: observe() from every worker thread; a thread of its own ticks
// the situations that depend on time or on values going stale.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "context/consent_registry.hpp"
#include "context/context_source_spec.hpp"
#include "context/context_store.hpp"
#include "context/situation_monitor.hpp"
#include "policy/event.hpp"
#include "policy/host_functions.hpp"

namespace mqwarden::context {

struct ContextOptions {
  std::vector<ContextSourceSpec> sources;
  std::size_t max_entities = 100'000;
  std::size_t max_situation_instances = 100'000;
  std::chrono::milliseconds tick{1000};  // how often time-dependent situations are re-evaluated
  std::size_t max_consents = 100'000;     // consent decisions kept (and as many pending requests)
  ConsentRegistry::Persist persist_consent;  // null: decisions live in memory only
};

class ContextLayer {
 public:
  using Clock = std::function<std::int64_t()>;  // milliseconds since the Unix epoch
  // `raise` receives the context and situation events (from any thread);
  // `clock` is the time policies see.
  ContextLayer(ContextOptions options, SituationMonitor::Raise raise, Clock clock);
  ~ContextLayer();
  ContextLayer(const ContextLayer&) = delete;
  ContextLayer& operator=(const ContextLayer&) = delete;

  // Adds `position`, `context` and `consent` to `functions`; they read this layer.
  void add_functions(policy::HostFunctions& functions) const;
  // An actual publish event: updates the context its sources read from it, or
  // the consent registry when it is a consent decision.
  void observe(const policy::Event& published);
  // The policy in force changed (after a load).
  void use(std::shared_ptr<const policy::CompiledPolicy> policy);
  // Starts the tick thread; the destructor stops it.
  void start();

  const ContextStore& store() const { return *store_; }
  ConsentRegistry& consents() { return *consents_; }
  const SituationMonitor& situations() const { return monitor_; }
  std::uint64_t observations() const { return observations_.load(std::memory_order_relaxed); }

 private:
  void run_ticks();

  const ContextOptions options_;
  const SituationMonitor::Raise raise_;
  const Clock clock_;
  const std::shared_ptr<ContextStore> store_;        // shared with the host functions
  const std::shared_ptr<ConsentRegistry> consents_;  // likewise
  SituationMonitor monitor_;
  std::atomic<std::uint64_t> observations_{0};

  std::mutex tick_mutex_;
  std::condition_variable tick_wake_;
  bool stopping_ = false;  // guarded by tick_mutex_
  std::thread ticker_;
};

}  // namespace mqwarden::context

// PolicyRuntime: the broker's policy as the configuration's [policy] and
// [context] sections set it up — the engine with the functions and reactions
// mqwarden offers, the context layer that answers `position`, `context` and
// the situations, the policy files (and a Mosquitto acl_file as rules) and
// the identity file loaded into it, and their reload on
// SIGHUP and when a file changes (a failed reload keeps what is in force and
// logs the checker's message).
//
// Thread-safe: reload() may come from the signal thread and the file watcher at once.
#pragma once

#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "app/config.hpp"
#include "broker/enforcement.hpp"
#include "broker/reaction_runner.hpp"
#include "context/context_layer.hpp"
#include "store/store.hpp"
#include "common/result.hpp"

namespace mqwarden::app {

// The functions, reactions and context names a policy may use in the broker:
// the context names are those of the configured sources.
policy::Registry broker_registry(const ContextSection& context);

class PolicyRuntime {
 public:
  // Loads the policy and identity files; the error says why (with
  // file:line:column for the policy). Returns null when the section enforces
  // nothing (no files, no default deny).
  // `store` (null: no persistence) keeps the consent decisions and must outlive the runtime.
  static Result<std::unique_ptr<PolicyRuntime>, std::string> start(const PolicySection& config,
                                                                   const ContextSection& context, store::Store* store);
  ~PolicyRuntime();
  PolicyRuntime(const PolicyRuntime&) = delete;
  PolicyRuntime& operator=(const PolicyRuntime&) = delete;

  const std::shared_ptr<broker::Enforcement>& enforcement() const { return enforcement_; }
  // The reactions the runtime runs itself (request_consent), for the reaction runner.
  std::map<std::string, broker::HostReaction, std::less<>> host_reactions();

  // Reads every file again and puts what loads in force; logs the outcome.
  // Returns whether everything loaded.
  bool reload(std::string_view why);
  // Checks the files for changes every watch_interval (0: never) and reloads when one changed.
  void watch();

 private:
  explicit PolicyRuntime(const PolicySection& config);
  void start_context(const ContextSection& context, store::Store* store);
  Result<void, std::string> load_policy();
  Result<void, std::string> load_identities();
  // What the files look like now (paths, sizes, modification times): a change means reload.
  std::string fingerprint() const;
  std::vector<std::string> watched_files() const;

  const PolicySection config_;
  std::shared_ptr<policy::Engine> engine_;
  std::shared_ptr<broker::Enforcement> enforcement_;
  std::unique_ptr<context::ContextLayer> context_;
  std::mutex reload_mutex_;
  std::string last_fingerprint_;  // guarded by reload_mutex_

  std::mutex watch_mutex_;
  std::condition_variable watch_wake_;
  bool stopping_ = false;  // guarded by watch_mutex_
  std::thread watcher_;
};

}  // namespace mqwarden::app

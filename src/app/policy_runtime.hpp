// PolicyRuntime: the broker's policy as the configuration's [policy] section
// sets it up — the engine with the functions and reactions mqwarden offers,
// the policy files (and a Mosquitto acl_file as rules) and the identity file
// loaded into it, and their reload on
// SIGHUP and when a file changes (a failed reload keeps what is in force and
// logs the checker's message).
//
// Thread-safe: reload() may come from the signal thread and the file watcher at once.
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "app/config.hpp"
#include "broker/enforcement.hpp"
#include "common/result.hpp"

namespace mqwarden::app {

// The functions and reactions a policy may use in the broker.
policy::Registry broker_registry();

class PolicyRuntime {
 public:
  // Loads the policy and identity files; the error says why (with
  // file:line:column for the policy). Returns null when the section enforces
  // nothing (no files, no default deny).
  static Result<std::unique_ptr<PolicyRuntime>, std::string> start(const PolicySection& config);
  ~PolicyRuntime();
  PolicyRuntime(const PolicyRuntime&) = delete;
  PolicyRuntime& operator=(const PolicyRuntime&) = delete;

  const std::shared_ptr<broker::Enforcement>& enforcement() const { return enforcement_; }

  // Reads every file again and puts what loads in force; logs the outcome.
  // Returns whether everything loaded.
  bool reload(std::string_view why);
  // Checks the files for changes every watch_interval (0: never) and reloads when one changed.
  void watch();

 private:
  explicit PolicyRuntime(const PolicySection& config);
  Result<void, std::string> load_policy();
  Result<void, std::string> load_identities();
  // What the files look like now (paths, sizes, modification times): a change means reload.
  std::string fingerprint() const;
  std::vector<std::string> watched_files() const;

  const PolicySection config_;
  std::shared_ptr<policy::Engine> engine_;
  std::shared_ptr<broker::Enforcement> enforcement_;
  std::mutex reload_mutex_;
  std::string last_fingerprint_;  // guarded by reload_mutex_

  std::mutex watch_mutex_;
  std::condition_variable watch_wake_;
  bool stopping_ = false;  // guarded by watch_mutex_
  std::thread watcher_;
};

}  // namespace mqwarden::app

// ReactionRunner: runs the reactions of policy decisions (`execute log(...)`,
// notify, webhook, disconnect, ban, revoke, and those the host adds) off the hot path. Decisions hand
// them over through a bounded queue; one thread takes them out and runs them,
// posting what changes broker state to a worker thread. A full queue drops the
// reaction and counts it, never blocking a delivery (docs/enforcement.md,
// "Reactions").
//
// Thread-safe: submit() from any thread.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "broker/broker.hpp"

namespace mqwarden::broker {

// The client identifier the broker publishes its own notifications under.
inline constexpr std::string_view kBrokerClientId = "$mqwarden";

// What a host reaction asks the broker to publish as `kBrokerClientId`
// (JSON, QoS 1). Unlike `notify`, its topic may be one of the broker's
// reserved `$mqwarden/...` topics.
struct Notification {
  std::string topic;
  nlohmann::json message;
};
// A reaction the host adds (e.g. request_consent): receives the reaction's
// arguments in declared order, returns what to publish, if anything.
using HostReaction = std::function<std::optional<Notification>(const std::vector<nlohmann::json>& arguments)>;

struct ReactionRunnerOptions {
  std::size_t max_queued = 10'000;
  std::map<std::string, HostReaction, std::less<>> host_reactions;
  // Posts `body` to `url` without blocking; false when it could not be queued.
  // Null: webhook reactions are dropped (logged).
  std::function<bool(std::string url, std::string body)> webhook;
};

class ReactionRunner final : public ReactionSink {
 public:
  ReactionRunner(Broker& broker, WorkerExecutor& executor, ReactionRunnerOptions options);
  // Stops the thread; reactions still queued are abandoned.
  ~ReactionRunner() override;
  ReactionRunner(const ReactionRunner&) = delete;
  ReactionRunner& operator=(const ReactionRunner&) = delete;

  // Copies what the reaction needs and queues it. Reactions of events caused
  // by the broker's own notifications are not run, so a rule cannot loop.
  bool submit(const policy::Reaction& reaction, const policy::Event& event) override;

 private:
  struct Job {
    std::string name;
    std::vector<nlohmann::json> arguments;
    std::string rule;
    std::string client_id;  // the event's client
  };
  void run();
  void execute(const Job& job);
  void notify(const Job& job);
  // Publishes `payload` (JSON) on `topic` through the broker, decided like any publish.
  void publish_notification(std::string topic, std::string payload);

  Broker& broker_;
  WorkerExecutor& executor_;
  const ReactionRunnerOptions options_;
  const IdentityPtr broker_identity_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Job> queue_;  // guarded by mutex_
  bool stopping_ = false;  // guarded by mutex_
  std::thread thread_;
};

}  // namespace mqwarden::broker

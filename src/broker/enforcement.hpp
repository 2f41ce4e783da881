// Enforcement: the broker's policy enforcement point. It turns broker
// activity into policy events for the engine (docs/enforcement.md), hands the
// reactions of every decision to the reaction sink, and keeps what applying
// decisions needs beyond one connection: the identity directory (roles and
// attributes), the ban list, the bounds of the delay queue, and the counters.
//
// Without an engine it is inactive and the broker asks it nothing: a broker
// without a policy pays one branch per enforcement point.
//
// Thread-safe: called from every worker thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "broker/ban_list.hpp"
#include "broker/client_identity.hpp"
#include "broker/message.hpp"
#include "policy/engine.hpp"

namespace mqwarden::broker {

// Where reactions go to run off the hot path. submit() must not block; it
// returns false when the reaction was dropped (its queue is full).
class ReactionSink {
 public:
  virtual ~ReactionSink() = default;
  virtual bool submit(const policy::Reaction& reaction, const policy::Event& event) = 0;
};

struct EnforcementOptions {
  std::size_t max_delayed_messages = 100'000;    // deliveries held by `delay` at once, all clients together
  std::size_t max_delayed_bytes = 256ull << 20;  // their topics and payloads
  std::vector<std::byte> pseudonym_key;          // `pseudonymise`'s HMAC key; empty: pseudonyms become null
};

// Counters of what the policy changed, for $SYS and the logs.
struct EnforcementCounters {
  std::atomic<std::uint64_t> denied_connects{0};
  std::atomic<std::uint64_t> denied_subscribes{0};
  std::atomic<std::uint64_t> denied_unsubscribes{0};
  std::atomic<std::uint64_t> denied_publishes{0};
  std::atomic<std::uint64_t> denied_deliveries{0};
  std::atomic<std::uint64_t> modified_deliveries{0};
  std::atomic<std::uint64_t> delayed_deliveries{0};
  std::atomic<std::uint64_t> dropped_delays{0};  // over the delay queue's bounds: not delivered
  std::atomic<std::uint64_t> dropped_reactions{0};
};

// The event fields of one application message: its topic, QoS, RETAIN flag,
// payload, content type and user properties. Lives on the caller's stack
// while the decisions that read it are made.
class MessageFacts {
 public:
  explicit MessageFacts(const Message& message);
  MessageFacts(const MessageFacts&) = delete;
  MessageFacts& operator=(const MessageFacts&) = delete;
  void fill(policy::Event& event) const;

 private:
  const Message& message_;
  policy::Payload payload_;
  std::vector<policy::UserProperty> user_properties_;
};

class Enforcement {
 public:
  // `engine` null: inactive.
  explicit Enforcement(std::shared_ptr<policy::Engine> engine, EnforcementOptions options = {});

  bool active() const { return engine_ != nullptr; }
  // The engine's live lifecycle instances and what its caps refused or evicted.
  policy::EngineMetrics engine_metrics() const { return engine_ ? engine_->metrics() : policy::EngineMetrics{}; }
  // The longest delay a policy may impose (longer ones are cut to it).
  std::chrono::milliseconds max_delay() const {
    return engine_ ? std::chrono::milliseconds(engine_->config().max_delay_ms) : std::chrono::milliseconds::zero();
  }
  // Whether an event of this kind can matter to the policy in force.
  bool wants(policy::Mode mode, policy::Activity activity) const {
    if (!engine_) return false;
    return engine_->wants(mode, activity) ||
           (publish_observer_ && mode == policy::Mode::actual && activity == policy::Activity::publish);
  }

  // Set before the broker starts; null: reactions are dropped and counted.
  void set_reaction_sink(ReactionSink* sink) { reactions_ = sink; }
  // Set before the broker starts: sees every actual publish event before it
  // is routed (what the context sources read); called on the publishing
  // worker, must not block.
  void set_publish_observer(std::function<void(const policy::Event&)> observer) {
    publish_observer_ = std::move(observer);
  }
  void set_identity_directory(std::shared_ptr<const IdentityDirectory> directory);
  // Adds the roles and attributes of the identity directory in force.
  void complete(ClientIdentity& identity) const;

  // A tentative event: its decision, after its reactions were handed on.
  policy::Decision decide(const policy::Event& event);
  // An actual publish, before it is routed: shown to the publish observer.
  void observe(const policy::Event& published) {
    if (publish_observer_) publish_observer_(published);
  }
  // An actual event, when the policy observes its kind: recorded in the
  // temporal history, its reactions handed on.
  void record(const policy::Event& event);
  // The deliver decisions of one publication (policy/engine.hpp).
  policy::PublicationContext prepare_delivery(const policy::Event& delivery) const;
  policy::Decision decide_delivery(const policy::PublicationContext& publication, const policy::Identity& subscriber);

  // A publish or deliver event of `message` (a deliver event's subscriber is
  // left for the caller); `facts` are the message's. Its client is the publisher.
  static policy::Event message_event(policy::Mode mode, policy::Activity activity, const Message& message,
                                     const MessageFacts& facts);
  static policy::Event client_event(policy::Mode mode, policy::Activity activity, const ClientIdentity& client);
  static std::int64_t now_ms();
  // Views of the User Properties among `properties`.
  static std::vector<policy::UserProperty> user_properties(const mqtt::Properties& properties);

  // The delay queue's bounds: reserve() before holding a delivery (false:
  // over the bounds, dropped and counted), release() when it is let go.
  bool reserve_delay(std::size_t bytes);
  void release_delay(std::size_t bytes);

  std::span<const std::byte> pseudonym_key() const { return options_.pseudonym_key; }
  BanList& bans() { return bans_; }
  EnforcementCounters& counters() { return counters_; }
  const EnforcementCounters& counters() const { return counters_; }

 private:
  void dispatch(const policy::Decision& decision, const policy::Event& event);

  const std::shared_ptr<policy::Engine> engine_;
  const EnforcementOptions options_;
  ReactionSink* reactions_ = nullptr;
  std::function<void(const policy::Event&)> publish_observer_;
  mutable std::mutex directory_mutex_;
  std::shared_ptr<const IdentityDirectory> directory_;  // guarded by directory_mutex_
  std::atomic<std::size_t> delayed_messages_{0};
  std::atomic<std::size_t> delayed_bytes_{0};
  BanList bans_;
  EnforcementCounters counters_;
};

}  // namespace mqwarden::broker

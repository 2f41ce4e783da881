// Broker: the state all connections share — the sessions by client
// identifier, the subscriptions, the retained messages — and the routing of
// each published message to the sessions whose subscriptions match.
//
// Thread-safe. Routing takes no broker-wide lock: every worker thread keeps a
// replica of the subscription tree that only it reads and writes, and
// subscription changes are posted to all replicas. The session registry and
// the retained store have their own mutexes; they are used on connect,
// disconnect, subscribe and retained publishes, not on ordinary routing.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "broker/authenticator.hpp"
#include "broker/broker_stats.hpp"
#include "broker/client_link.hpp"
#include "broker/enforcement.hpp"
#include "broker/message.hpp"
#include "broker/retained_store.hpp"
#include "broker/session.hpp"
#include "broker/subscription_tree.hpp"
#include "broker/worker_executor.hpp"
#include "store/store.hpp"

namespace mqwarden::broker {

struct BrokerOptions {
  SessionLimits session_limits;
  // QoS 1/2 PUBLISHes a client may leave unacknowledged towards the broker (v5 Receive Maximum).
  std::uint16_t receive_maximum = 100;
  std::uint32_t max_packet_size = 4 * 1024 * 1024;
  // The longest keep-alive a client may ask for; longer requests are lowered (v5 Server Keep Alive).
  std::uint16_t max_keep_alive = 65535;
  std::uint16_t topic_alias_maximum = 10;
  bool allow_anonymous = false;
};

class Broker {
 public:
  // `authenticator` may be null: then only anonymous access can succeed.
  // `store` (null: persistence off) keeps persistent sessions and retained
  // messages; it outlives the broker. `enforcement` (null: no policy) decides
  // every activity.
  Broker(BrokerOptions options, WorkerExecutor& executor, std::shared_ptr<const Authenticator> authenticator,
         store::Store* store = nullptr, std::shared_ptr<Enforcement> enforcement = nullptr);
  ~Broker();
  Broker(const Broker&) = delete;
  Broker& operator=(const Broker&) = delete;

  const BrokerOptions& options() const { return options_; }
  const Authenticator* authenticator() const { return authenticator_.get(); }
  store::Store* store() const { return store_; }
  Enforcement& enforcement() const { return *enforcement_; }

  // Resumes what the store held when it was opened: persistent sessions
  // (offline, their expiry counted from when their client disconnected),
  // their subscriptions and messages, the retained messages, and the bans. Call once,
  // before the workers run.
  void restore(store::StoredState state, Clock::time_point now);

  // A Session Expiry Interval meaning "never" (v5 0xFFFFFFFF; 3.1.1 Clean Session 0).
  static constexpr std::uint32_t kNeverExpires = 0xFFFFFFFF;

  struct ConnectRequest {
    std::string client_id;
    bool clean_start = true;
    std::uint32_t expiry_interval = 0;      // how long the session may outlive this connection
    std::uint16_t receive_maximum = 65535;  // QoS 1/2 messages the client takes in flight
    IdentityPtr identity;                   // who the client is, for the deliver decisions
  };
  struct Connected {
    std::shared_ptr<Session> session;
    bool session_present = false;
  };
  // Binds the client identifier to the connection `link`, atomically with
  // respect to other connections using it. A connection already using the
  // identifier is closed with 0x8E Session taken over [MQTT-3.1.4-3]. The
  // session is resumed, or discarded when `clean_start` is set or the old
  // connection's session was to end with it [MQTT-3.1.2-4]; a discarded
  // session's deferred will is published. `acknowledge` (which sends the
  // CONNACK) runs before the session resends what is in flight [MQTT-4.4.0-1].
  Connected connect(const ConnectRequest& request, const std::shared_ptr<ClientLink>& link,
                    const std::function<void(bool session_present)>& acknowledge, Clock::time_point now);

  enum class SessionFate {
    ended,       // the session is gone (now, or earlier by a clean start elsewhere)
    kept,        // the session waits offline for its client
    taken_over,  // another connection already resumed the session
  };
  // The connection `link` of `session` ended. The session ends with it when
  // `expiry_interval` is 0, and otherwise after that many seconds offline
  // unless the client connects again [MQTT-3.1.2-23]; when it ends, its
  // subscriptions are removed and a deferred will is published.
  SessionFate disconnect(const std::shared_ptr<Session>& session, const ClientLink* link,
                         std::uint32_t expiry_interval);

  // Publishes `will` after `delay`, unless the client connects again first,
  // or earlier if the session ends first [MQTT-3.1.3-9]. For a session kept
  // offline by disconnect(); called on a worker thread.
  void publish_will_later(const std::shared_ptr<Session>& session, mqtt::Publish will, std::chrono::seconds delay);
  // Publishes the will of `session`'s client now, as a publish by that client
  // that the policy decides at this moment. Called on a worker thread.
  void publish_will(const std::shared_ptr<Session>& session, mqtt::Publish will);

  // The policy's verdict on publishing `message` (a tentative publish event
  // by its publisher); a modification is applied to `message` itself, which
  // nobody else holds yet.
  struct PublishVerdict {
    bool allowed = true;
    std::optional<std::uint8_t> reason_code;  // the deny's code, if it names one
    std::chrono::milliseconds delay{0};
  };
  PublishVerdict decide_publish(Message& message);
  // Publishes an allowed message now or after `delay`, then offers the actual
  // publish event. Called on a worker thread.
  void publish_admitted(const MessagePtr& message, std::chrono::milliseconds delay, Clock::time_point now);

  // Routes `message` to every matching subscription (and retains it when its
  // RETAIN flag is set), each delivery decided by the policy. Called on a
  // worker thread.
  void publish(const MessagePtr& message, Clock::time_point now);
  // Delivers `delivery` to `session` as the policy decides for that
  // subscriber (denied, modified, delayed), e.g. a retained message on subscribe.
  void deliver_one(const std::shared_ptr<Session>& session, Delivery delivery, Clock::time_point now);

  // Closes the connection of `client_id`, if connected (v5: DISCONNECT with
  // `reason`). Returns whether a connection was closed. Any thread.
  bool disconnect_client(std::string_view client_id, mqtt::ReasonCode reason);
  // Closes every connection from `ip` (v5: DISCONNECT with `reason`); returns how many. Any thread.
  std::size_t disconnect_address(std::string_view ip, mqtt::ReasonCode reason);
  // Removes the subscription `filter` of `client_id`'s session; a connected
  // v5 client is told with DISCONNECT 0x87. Called on a worker thread.
  bool revoke_subscription(std::string_view client_id, const std::string& filter);

  // Returns whether the subscription is new (false when it replaced one, or
  // the session has ended).
  bool subscribe(const std::shared_ptr<Session>& session, const std::string& filter, const Subscription& subscription);
  bool unsubscribe(const std::shared_ptr<Session>& session, const std::string& filter);
  std::vector<MessagePtr> retained_messages(std::string_view filter, Clock::time_point now) const;

  // Runs `done` once every worker has applied the subscription changes made
  // so far (at once with a single worker; otherwise on the last worker to
  // get there), so an acknowledgement sent from it is true on every thread.
  void after_replica_updates(std::function<void()> done);

  // A client identifier for a client that sent none: random, and not in use.
  std::string assign_client_id();

  struct ClientCounts {
    std::size_t sessions = 0;
    std::size_t connected = 0;
  };
  ClientCounts client_counts() const;

  // Counters of the calling worker (from any thread: counted on its own worker's block).
  WorkerCounters& counters() { return stats_.worker(executor_.current_worker()); }
  void count_received_publish() { counters().add(counters().messages_received, 1); }
  StatsTotals totals() const { return stats_.totals(); }

  // Publishes the $SYS/broker/... topics now and then every `interval`
  // (retained, QoS 0, as Mosquitto does). `version` is what
  // $SYS/broker/version says.
  void start_sys_topics(std::chrono::seconds interval, std::string version);

 private:
  struct WorkerState;
  struct Registration {
    std::shared_ptr<Session> session;
    std::shared_ptr<ClientLink> link;   // null while the client is offline
    std::uint32_t expiry_interval = 0;  // of the current connection
    // Ends the session while it is offline; cancelled when its client connects again.
    std::shared_ptr<ScheduledTask> expiry_timer;
  };

  // Ends `session`: its subscriptions leave every replica, and its deferred will, if any, is published.
  void end_session(const std::shared_ptr<Session>& session);
  // Hands each delivery of `message` to its session, as the policy decides for that subscriber.
  void deliver(std::span<std::pair<Session*, Delivery>> targets, const Message& message, Clock::time_point now);
  // Hands `delivery` to `session` as one subscriber's decision says: not at
  // all, modified (a copy of its own), later, or as is (sharing `shared_record`).
  void deliver_as_decided(const policy::Decision& decision, const policy::Payload& payload,
                          const std::shared_ptr<Session>& session, Delivery delivery, Clock::time_point now,
                          store::MessageRecordPtr* shared_record);
  // The actual deliver event of `delivery` to `subscriber`, if the policy observes it.
  void record_delivery(const policy::Event& tentative, const ClientIdentity& subscriber);
  // Runs `task` after `delay` if the delay queue's bounds can hold `held`
  // (a delayed delivery or publish); otherwise drops it (counted) and returns false.
  bool after_delay(std::chrono::milliseconds delay, const Message& held, std::function<void()> task);
  // Hands `delivery` to `session` after `delay`, within the delay queue's
  // bounds (beyond them it is dropped). A QoS 1/2 delivery to a persistent
  // session waits in the store too (Session::hold_delayed), so that a restart keeps it.
  void deliver_later(const std::shared_ptr<Session>& session, Delivery delivery, std::chrono::milliseconds delay,
                     Clock::time_point now, store::MessageRecordPtr* shared_record);
  // Its timer: false when over the bounds (dropped and counted).
  bool deliver_after(const std::shared_ptr<Session>& session, const Delivery& delivery,
                     std::chrono::milliseconds delay);
  // Subscriptions in the calling worker's replica (all replicas agree once changes have arrived).
  std::size_t subscription_count() const;
  void sys_topics_tick(std::chrono::seconds interval, std::string version);
  void publish_sys_topics(const std::string& version);
  // Ends `session` if it is still offline since its `attach_count`-th connection.
  void expire(const std::shared_ptr<Session>& session, std::uint64_t attach_count);
  // Schedules the end of `session` after `delay`, unless its client connects again first.
  std::shared_ptr<ScheduledTask> expire_later(const std::shared_ptr<Session>& session, std::chrono::milliseconds delay);
  void restore_session(store::SessionRecord record, Clock::time_point now);
  // Waits out what is left of a stored delayed delivery of `session`, or drops it (expired, unreadable, over bounds).
  void restore_delayed(const std::shared_ptr<Session>& session, store::DelayedRecord& stored, Clock::time_point now);
  void add_to_replicas(const std::shared_ptr<Session>& session, const std::string& filter,
                       const Subscription& subscription);
  // Runs `change` on every worker's state: at once on the calling worker, posted to the others.
  void for_each_worker(const std::function<void(WorkerState&)>& change);

  const BrokerOptions options_;
  WorkerExecutor& executor_;
  const std::shared_ptr<const Authenticator> authenticator_;
  store::Store* const store_;
  const std::shared_ptr<Enforcement> enforcement_;
  std::vector<std::unique_ptr<WorkerState>> workers_;
  RetainedStore retained_;
  BrokerStats stats_;
  const Clock::time_point started_at_ = Clock::now();
  std::atomic<SubscriberId> next_session_id_{1};

  mutable std::mutex registry_mutex_;
  // Keyed by a view of the registered session's own client identifier, which
  // lives as long as the entry: one copy of each identifier, not two.
  std::unordered_map<std::string_view, Registration> registry_;
};

}  // namespace mqwarden::broker

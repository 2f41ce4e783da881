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
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "broker/authenticator.hpp"
#include "broker/broker_stats.hpp"
#include "broker/client_link.hpp"
#include "broker/message.hpp"
#include "broker/retained_store.hpp"
#include "broker/session.hpp"
#include "broker/subscription_tree.hpp"
#include "broker/worker_executor.hpp"

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
  Broker(BrokerOptions options, WorkerExecutor& executor, std::shared_ptr<const Authenticator> authenticator);
  ~Broker();
  Broker(const Broker&) = delete;
  Broker& operator=(const Broker&) = delete;

  const BrokerOptions& options() const { return options_; }
  const Authenticator* authenticator() const { return authenticator_.get(); }

  struct Connected {
    std::shared_ptr<Session> session;
    bool session_present = false;
  };
  // Binds `client_id` to the connection `link`. A connection already using
  // the identifier is closed with 0x8E Session taken over [MQTT-3.1.4-3]; its
  // session is resumed, or discarded when `clean_start` is set [MQTT-3.1.2-4].
  Connected connect(const std::string& client_id, bool clean_start, const std::shared_ptr<ClientLink>& link);

  // A Session Expiry Interval meaning "never" (v5 0xFFFFFFFF; 3.1.1 Clean Session 0).
  static constexpr std::uint32_t kNeverExpires = 0xFFFFFFFF;

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
  void publish_will_later(const std::shared_ptr<Session>& session, MessagePtr will, std::chrono::seconds delay);

  // Routes `message` to every matching subscription (and retains it when its
  // RETAIN flag is set). Called on a worker thread.
  void publish(const MessagePtr& message, Clock::time_point now);

  void subscribe(const std::shared_ptr<Session>& session, const std::string& filter, const Subscription& subscription);
  bool unsubscribe(const std::shared_ptr<Session>& session, const std::string& filter);
  std::vector<MessagePtr> retained_messages(std::string_view filter, Clock::time_point now) const;

  // A client identifier for a client that sent none: unique in this process.
  std::string assign_client_id();

  std::size_t session_count() const;
  std::size_t connected_count() const;

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
    std::shared_ptr<ClientLink> link;  // null while the client is offline
  };

  void drop_subscriptions(const std::shared_ptr<Session>& session);
  // Subscriptions in the calling worker's replica (all replicas agree once changes have arrived).
  std::size_t subscription_count() const;
  void sys_topics_tick(std::chrono::seconds interval, std::string version);
  void publish_sys_topics(const std::string& version);
  // Ends `session` if it is still offline since its `attach_count`-th connection.
  void expire(const std::shared_ptr<Session>& session, std::uint64_t attach_count);
  // Runs `change` on every worker's state: at once on the calling worker, posted to the others.
  void for_each_worker(const std::function<void(WorkerState&)>& change);

  const BrokerOptions options_;
  WorkerExecutor& executor_;
  const std::shared_ptr<const Authenticator> authenticator_;
  std::vector<std::unique_ptr<WorkerState>> workers_;
  RetainedStore retained_;
  BrokerStats stats_;
  const Clock::time_point started_at_ = Clock::now();
  std::atomic<SubscriberId> next_session_id_{1};
  std::string assigned_id_prefix_;
  std::atomic<std::uint64_t> next_assigned_id_{1};

  mutable std::mutex registry_mutex_;
  std::unordered_map<std::string, Registration> registry_;
};

}  // namespace mqwarden::broker

// Session: the state MQTT keeps for one client identifier (spec 4.1): its
// subscriptions, the QoS 1 and 2 messages in flight to it, the messages
// queued for it while it is offline or its in-flight window is full, and the
// QoS 2 packet identifiers it sent that await PUBREL.
//
// With a store, a persistent session writes every change to its durable
// state there (its subscriptions, each QoS 1/2 delivery from the moment a
// policy delays it or it is queued or sent until it is acknowledged, the
// QoS 2 identifiers awaiting PUBREL), in the order the changes happen, under its lock.
//
// Thread-safe: every member function locks the session. Messages reach a
// session from the thread of whichever publisher matched it; its client's
// acknowledgements come from the client's connection thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "broker/client_identity.hpp"
#include "broker/client_link.hpp"
#include "broker/message.hpp"
#include "broker/subscription_tree.hpp"
#include "broker/worker_executor.hpp"
#include "common/compact_mutex.hpp"
#include "store/store.hpp"

namespace mqwarden::broker {

// 32 bits each, as every session holds them: the configuration bounds them to
// 10,000,000 messages and 1 GiB.
struct SessionLimits {
  std::uint32_t max_queued_messages = 1000;
  std::uint32_t max_queued_bytes = 16 * 1024 * 1024;
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(std::string client_id, SubscriberId id, SessionLimits limits);

  const std::string& client_id() const { return client_id_; }
  SubscriberId id() const { return id_; }

  // Who the client is, for the deliver decisions: as it last connected (or
  // only its identifier, for a session restored from the store).
  void set_identity(IdentityPtr identity);
  IdentityPtr identity() const;

  // Makes the session persistent: from now on its changes are written to
  // `store` (which outlives it). Call on a session that holds nothing yet, or
  // right after restore().
  void set_store(store::Store* store);
  bool persistent() const;

  // Sends `delivery` to the client, or queues it: while the client is offline
  // (QoS 1 and 2 only; QoS 0 messages to an offline client are dropped), or
  // while `receive_maximum` QoS 1/2 messages await acknowledgement. When the
  // queue is full the new message is dropped and counted (dropped()).
  // A persistent session stores a QoS 1/2 delivery it keeps; `shared_record`,
  // when given, is the stored form of the message shared by the sessions of
  // one publish (filled in by the first that needs it).
  // A delivery held by hold_delayed() comes here when its delay is over: its
  // delayed row becomes a delivery row, or goes if the delivery is dropped.
  void deliver(Delivery delivery, Clock::time_point now, store::MessageRecordPtr* shared_record = nullptr);

  // A delivery a policy delays until `due_at_ms` (Unix ms): a persistent
  // session stores a QoS 1/2 one (sets `delivery.delayed_sequence`), so that
  // it survives a restart; others are only held by the caller's timer.
  // `shared_record` as for deliver().
  void hold_delayed(Delivery& delivery, std::int64_t due_at_ms, Clock::time_point now,
                    store::MessageRecordPtr* shared_record = nullptr);
  // A held delivery that is dropped instead of delivered (over the delay queue's bounds).
  void drop_delayed(Delivery& delivery);

  // Restores state read from the store, before the session is used: a
  // delivery in flight under `packet_id` (released: awaiting PUBCOMP), or
  // queued (packet_id 0); a QoS 2 identifier awaiting PUBREL; a subscription.
  void restore_delivery(Delivery delivery, std::uint16_t packet_id, bool released);
  void restore_incoming_qos2(std::uint16_t packet_id);
  void restore_subscription(const std::string& filter, const Subscription& subscription);
  // A delivery the store holds for a delay under `sequence`: later deliveries number after it.
  void restore_delayed(std::uint64_t sequence);

  // Connects the session to a client that accepts `receive_maximum` QoS 1/2
  // messages in flight. Unacknowledged PUBLISHes are sent again with DUP set,
  // and PUBRELs again, in their original order [MQTT-4.4.0-1]; then the queue.
  void attach(std::shared_ptr<ClientLink> link, std::uint16_t receive_maximum, Clock::time_point now);
  // Disconnects the session from `link`, if it is still the session's link.
  void detach(const ClientLink* link);
  bool attached() const;
  // How many times a client has attached: a task scheduled for one offline
  // period (a will delay, the session expiry) checks that it is still that period.
  std::uint64_t attach_count() const;

  // A will message waiting for its delay while the client is offline; a new
  // connection discards it [MQTT-3.1.3-9]. defer_will refuses (returns
  // false) when the client is already connected again. The will is kept as
  // its PUBLISH: its Message Expiry Interval starts when it is published.
  bool defer_will(mqtt::Publish will);
  // The timer that publishes the deferred will of the offline period that
  // began after the `attach_count`-th connection; a new connection cancels it
  // (at once, if one came already).
  void set_will_timer(std::shared_ptr<ScheduledTask> timer, std::uint64_t attach_count);
  std::optional<mqtt::Publish> take_deferred_will();

  // Acknowledgements from the client; each returns false for an unknown
  // packet identifier. PUBREC answers with PUBREL (or, with a failure reason,
  // ends the exchange); PUBACK and PUBCOMP free a slot of the window.
  bool on_puback(std::uint16_t packet_id, Clock::time_point now);
  bool on_pubrec(std::uint16_t packet_id, mqtt::ReasonCode reason, Clock::time_point now);
  bool on_pubcomp(std::uint16_t packet_id, Clock::time_point now);

  // Exactly-once receipt (spec 4.3.3): a QoS 2 PUBLISH from the client is
  // routed only when its packet identifier is new; the identifier stays
  // recorded until PUBREL. At most `limit` identifiers are held.
  enum class Qos2Receipt { new_message, duplicate, over_limit };
  Qos2Receipt receive_qos2(std::uint16_t packet_id, std::size_t limit);
  // Returns whether the identifier was held.
  bool release_qos2(std::uint16_t packet_id);

  // The session's own record of its subscriptions; the subscription trees
  // hold the copies used for matching. Each change runs `update_replicas`
  // under the session's lock, so the replicas get one session's changes in
  // the order the session made them. A session that has ended takes no more
  // subscriptions: record_subscription returns nullopt. Otherwise it
  // returns whether the subscription is new (not replacing one).
  std::optional<bool> record_subscription(const std::string& filter, const Subscription& subscription,
                                          const std::function<void()>& update_replicas);
  bool forget_subscription(const std::string& filter, const std::function<void()>& update_replicas);
  // Ends the session: its queue and messages in flight are dropped, and
  // `remove_from_replicas` gets its subscriptions, under the session's lock.
  void end(const std::function<void(const std::map<std::string, Subscription>&)>& remove_from_replicas);
  std::size_t subscription_count() const;

  std::uint64_t dropped() const;
  std::size_t queued() const;
  std::size_t in_flight() const;

 private:
  enum class Stage : std::uint8_t { awaiting_puback, awaiting_pubrec, awaiting_pubcomp };
  struct InFlight {
    std::uint16_t packet_id;
    Stage stage;
    Delivery delivery;
    // Sent on an earlier connection and not yet again on this one: a client
    // that came back with a smaller Receive Maximum gets these as its window allows.
    bool awaiting_resend = false;
  };

  // The places a delivery can go: the queue, or the client (in flight for
  // QoS 1/2). `new_record` is set for a delivery the store has not seen yet
  // (it is added), null for one it already holds (it is updated) or does not keep.
  void send_or_queue(Delivery delivery, Clock::time_point now, const store::MessageRecordPtr& new_record);
  void queue(Delivery delivery, const store::MessageRecordPtr& new_record);
  void send_new(Delivery delivery, Clock::time_point now, const store::MessageRecordPtr& new_record);
  // The stored form of `delivery`'s message, shared through `shared_record`
  // when given; sets `delivery.stored_message_id`. A delivery out of the
  // delayed table keeps the stored message its row refers to.
  store::MessageRecordPtr stored_message(Delivery& delivery, Clock::time_point now,
                                         store::MessageRecordPtr* shared_record);
  // Writes where a stored delivery now is: queued (packet_id 0) or in flight;
  // a new one leaves the delayed table with that write.
  void record_placement(Delivery& delivery, const store::MessageRecordPtr& new_record, std::uint16_t packet_id);
  // Removes the delayed row of a delivery that will not be kept.
  void forget_delayed(Delivery& delivery);
  // Sends what waits while the client's window has room: first the messages
  // awaiting a resend, then the queue.
  void fill_window(Clock::time_point now);
  // Sends an in-flight entry: its PUBLISH (with DUP when `again`), or its
  // PUBREL once released; false when the client's Maximum Packet Size does
  // not allow it. A stored QoS 2 exchange waits for the store (see the .cpp).
  bool transmit(InFlight& entry, Clock::time_point now, bool again);
  // A transmission that waited for the store turned out too large for `link`.
  void discard_unsendable(std::uint16_t packet_id, const ClientLink* link);
  std::size_t sent_in_flight() const { return backlog_->in_flight.size() - backlog_->awaiting_resend; }
  std::uint16_t next_packet_id();
  // The entry in flight under `packet_id`, if there is one.
  std::optional<std::list<InFlight>::iterator> find_in_flight(std::uint16_t packet_id);
  // Removes a delivery that is done with from the store.
  void forget(const Delivery& delivery);
  // Erases an in-flight entry that is done with and refills the window.
  void complete(std::list<InFlight>::iterator entry, Clock::time_point now);

  const std::string client_id_;
  const SubscriberId id_;
  const SessionLimits limits_;

  mutable CompactMutex mutex_;
  std::shared_ptr<ClientLink> link_;
  mutable IdentityPtr identity_;  // made from client_id_ on first request when not set
  // The small fields share one word.
  std::uint16_t receive_maximum_ = 0;
  std::uint16_t last_packet_id_ = 0;
  bool ended_ = false;
  std::uint64_t attach_count_ = 0;
  std::uint64_t dropped_ = 0;
  store::Store* store_ = nullptr;  // set while persistent
  std::uint64_t next_sequence_ = 1;

  // What a session holds only once messages or a will pass through it: an
  // idle session, what brokers mostly hold, has none of it.
  struct Backlog {
    // Lists, not deques: an empty std::deque allocates.
    std::list<InFlight> in_flight;    // in the order sent
    std::size_t awaiting_resend = 0;  // entries of in_flight with awaiting_resend set
    std::list<Delivery> queue;
    std::size_t queued_bytes = 0;
    // Transmissions waiting for the store (see transmit()); shared with its callbacks.
    std::shared_ptr<std::atomic<std::size_t>> waiting_sends;
    std::set<std::uint16_t> incoming_qos2;        // received QoS 2 identifiers awaiting PUBREL
    std::unique_ptr<mqtt::Publish> deferred_will;  // while a will waits for its delay
    // Weak: the task holds the session until it runs, and must not be kept alive by it in turn.
    std::weak_ptr<ScheduledTask> will_timer;
  };
  Backlog& backlog();  // made on first use
  // Gives the backlog back once it holds nothing.
  void release_backlog_if_idle();
  std::unique_ptr<Backlog> backlog_;
  std::map<std::string, Subscription> subscriptions_;
};

}  // namespace mqwarden::broker

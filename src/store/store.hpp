// Store: the broker's durable state in one SQLite database (WAL mode) —
// persistent sessions, their subscriptions, the QoS 1/2 messages queued and
// in flight to them or held for them by a policy's `delay`, the QoS 2 packet
// identifiers they await PUBREL for, and the retained messages.
//
// Writes are recorded, not performed, by the calling thread: each call
// appends an operation to a queue, and one writer thread commits the queue in
// batches (group commit: a batch gathers for `batch_interval`, then commits
// in one transaction). when_durable() runs a callback once everything recorded
// before it is committed, which is how the broker holds a PUBACK or PUBREC
// until the message it acknowledges is safe. Operations are applied in the
// order they were recorded.
//
// Thread-safe: the recording functions may be called from any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "store/records.hpp"

namespace mqwarden::store {

// How long a stopping store keeps retrying a batch that fails to commit.
inline constexpr std::chrono::seconds kShutdownGrace{10};
// With sync off, callbacks stop running at once when this many writes wait:
// the acknowledgements they send then hold the clients back until the disk catches up.
inline constexpr std::size_t kMaxUnsyncedOperations = 100'000;

struct StoreOptions {
  std::string path;  // the database file
  // true: when_durable waits for the commit and every commit is synced to
  // disk (SQLite synchronous=FULL). false: when_durable runs at once and
  // commits are not synced (synchronous=OFF).
  bool sync = true;
  std::chrono::microseconds batch_interval{5000};
  // Told about each failed commit (the batch is retried until it commits).
  std::function<void(const std::string&)> on_error;
};

struct StoreStats {
  std::uint64_t commits = 0;
  std::uint64_t operations = 0;
  std::uint64_t failed_commits = 0;
};

class Store {
 public:
  // Opens (creating if needed) the database and reads what it holds. Only
  // one process may use a database: a second one is refused.
  static Result<std::unique_ptr<Store>, std::string> open(const StoreOptions& options);
  // Commits what is recorded, then stops the writer. A batch that still
  // fails to commit kShutdownGrace after the stop is given up (and reported).
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // What the database held when it was opened (taken once; empty afterwards).
  StoredState take_loaded_state();
  // The consent decisions the database held (taken once, before take_loaded_state; empty afterwards).
  std::vector<ConsentRecord> take_loaded_consents();
  // A message identifier unused in the database.
  std::uint64_t next_message_id();

  void save_session(std::uint64_t session, const std::string& client_id, std::uint32_t expiry_interval,
                    std::optional<std::int64_t> disconnected_at_ms);
  // Removes the session with its subscriptions, deliveries, delayed deliveries and QoS 2 state.
  void remove_session(std::uint64_t session);
  void save_subscription(std::uint64_t session, const SubscriptionRecord& subscription);
  void remove_subscription(std::uint64_t session, const std::string& filter);
  // `from_delayed`: the delayed row (add_delayed) this delivery was held in,
  // removed by the same write, so that a crash keeps exactly one of the two.
  void add_delivery(std::uint64_t session, const DeliveryRecord& delivery, std::uint64_t from_delayed = 0);
  void update_delivery(std::uint64_t session, std::uint64_t sequence, std::uint16_t packet_id, bool released);
  void remove_delivery(std::uint64_t session, std::uint64_t sequence, std::uint64_t message_id);
  // A delivery held by a policy's `delay`, and its removal when it is dropped
  // instead of delivered. A message is kept while a delayed row refers to it.
  void add_delayed(std::uint64_t session, const DelayedRecord& delayed);
  void remove_delayed(std::uint64_t session, std::uint64_t sequence, std::uint64_t message_id);
  void add_incoming_qos2(std::uint64_t session, std::uint16_t packet_id);
  void remove_incoming_qos2(std::uint64_t session, std::uint16_t packet_id);
  // Sets the topic's retained message; null clears it.
  void set_retained(const std::string& topic, MessageRecordPtr message);
  // Bans `subject` (a client id or an address) until `until_ms` (Unix ms),
  // unless it is banned for longer already; bans over by `now_ms` are forgotten.
  void save_ban(const std::string& subject, std::int64_t until_ms, std::int64_t now_ms);
  // Records an owner's consent decision, replacing the previous one for its owner, recipient and purpose.
  void save_consent(const ConsentRecord& consent);

  // Runs `callback` (on the writer thread, or at once on the caller's) when
  // everything recorded so far is committed.
  void when_durable(std::function<void()> callback);
  // Blocks until everything recorded so far is committed and the callbacks
  // it made due have run, or until `limit` passes; returns whether it got there.
  bool flush(std::chrono::milliseconds limit = std::chrono::minutes(1));

  StoreStats stats() const;

 private:
  struct Impl;
  explicit Store(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace mqwarden::store

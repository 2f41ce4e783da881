#include "store/store.hpp"

#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <utility>

#include "store/file_lock.hpp"
#include "store/loader.hpp"
#include "store/operations.hpp"
#include "store/schema.hpp"
#include "store/writer.hpp"

namespace mqwarden::store {
namespace {

// How long the writer waits before retrying a batch that failed to commit.
constexpr std::chrono::milliseconds kRetryDelay{100};

}  // namespace

struct Store::Impl {
  explicit Impl(StoreOptions options_) : options(std::move(options_)) {}

  void record(Operation operation) {
    {
      std::lock_guard lock(mutex);
      pending.push_back(std::move(operation));
      ++recorded;
    }
    wake.notify_one();
  }

  void run_writer() {
    std::vector<Operation> batch;
    std::unique_lock lock(mutex);
    while (true) {
      wake.wait(lock, [&] { return stopping || !pending.empty(); });
      if (pending.empty()) return;  // stopping, and everything is committed
      if (options.batch_interval.count() > 0 && !stopping) {
        lock.unlock();
        std::this_thread::sleep_for(options.batch_interval);
        lock.lock();
      }
      batch.assign(std::make_move_iterator(pending.begin()), std::make_move_iterator(pending.end()));
      pending.clear();
      const std::uint64_t batch_end = recorded;
      lock.unlock();
      commit_until_done(batch);
      lock.lock();
      committed = batch_end;
      stats.commits++;
      stats.operations += batch.size();
      run_due_callbacks(lock);
      done.notify_all();
    }
  }

  // Runs, in order, the callbacks whose writes are committed, including any
  // added meanwhile. Called and returns with `lock` held.
  void run_due_callbacks(std::unique_lock<std::mutex>& lock) {
    delivering = true;
    std::vector<std::function<void()>> due;
    while (!waiting.empty() && waiting.front().first <= committed) {
      while (!waiting.empty() && waiting.front().first <= committed) {
        due.push_back(std::move(waiting.front().second));
        waiting.pop_front();
      }
      lock.unlock();
      for (auto& callback : due) callback();
      due.clear();
      lock.lock();
    }
    delivering = false;
  }

  void commit_until_done(const std::vector<Operation>& batch) {
    while (true) {
      auto result = writer->commit(batch);
      if (result) return;
      {
        std::lock_guard lock(mutex);
        stats.failed_commits++;
      }
      if (options.on_error)
        options.on_error("commit of " + std::to_string(batch.size()) + " writes failed, retrying: " + result.error());
      std::this_thread::sleep_for(kRetryDelay);
    }
  }

  const StoreOptions options;
  FileLock database_lock;  // held while the store is open
  SqliteDb db;
  std::optional<Writer> writer;
  StoredState loaded;
  std::atomic<std::uint64_t> next_message_id{1};

  std::mutex mutex;
  std::condition_variable wake;  // the writer: work, or stop
  std::condition_variable done;  // flush(): a batch committed
  std::vector<Operation> pending;
  std::uint64_t recorded = 0;   // operations recorded so far
  std::uint64_t committed = 0;  // ... of which committed
  // Callbacks with the count of operations that must be committed first.
  std::deque<std::pair<std::uint64_t, std::function<void()>>> waiting;
  bool delivering = false;  // the writer is running callbacks
  bool stopping = false;
  StoreStats stats;
  std::thread thread;
};

Result<std::unique_ptr<Store>, std::string> Store::open(const StoreOptions& options) {
  auto impl = std::make_unique<Impl>(options);
  auto lock = FileLock::acquire(options.path + ".lock");
  if (!lock) return fail(lock.error());
  impl->database_lock = std::move(lock).value();
  auto db = SqliteDb::open(options.path);
  if (!db) return fail(db.error());
  impl->db = std::move(db).value();
  if (auto schema = prepare_schema(impl->db, options.sync); !schema) return fail(options.path + ": " + schema.error());
  auto loaded = load_database(impl->db);
  if (!loaded) return fail(options.path + ": " + loaded.error());
  impl->loaded = std::move(loaded->state);
  impl->next_message_id = loaded->next_message_id;
  auto writer = Writer::create(impl->db);
  if (!writer) return fail(options.path + ": " + writer.error());
  impl->writer.emplace(std::move(writer).value());
  Impl* raw = impl.get();
  impl->thread = std::thread([raw] { raw->run_writer(); });
  return std::unique_ptr<Store>(new Store(std::move(impl)));
}

Store::Store(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Store::~Store() {
  {
    std::lock_guard lock(impl_->mutex);
    impl_->stopping = true;
  }
  impl_->wake.notify_one();
  impl_->thread.join();
}

StoredState Store::take_loaded_state() {
  return std::exchange(impl_->loaded, StoredState{});
}

std::vector<ConsentRecord> Store::take_loaded_consents() {
  return std::exchange(impl_->loaded.consents, {});
}

std::uint64_t Store::next_message_id() {
  return impl_->next_message_id++;
}

void Store::save_session(std::uint64_t session, const std::string& client_id, std::uint32_t expiry_interval,
                         std::optional<std::int64_t> disconnected_at_ms) {
  impl_->record(SaveSession{session, client_id, expiry_interval, disconnected_at_ms});
}

void Store::remove_session(std::uint64_t session) {
  impl_->record(RemoveSession{session});
}

void Store::save_subscription(std::uint64_t session, const SubscriptionRecord& subscription) {
  impl_->record(SaveSubscription{session, subscription});
}

void Store::remove_subscription(std::uint64_t session, const std::string& filter) {
  impl_->record(RemoveSubscription{session, filter});
}

void Store::add_delivery(std::uint64_t session, const DeliveryRecord& delivery, std::uint64_t from_delayed) {
  impl_->record(AddDelivery{session, delivery, from_delayed});
}

void Store::update_delivery(std::uint64_t session, std::uint64_t sequence, std::uint16_t packet_id, bool released) {
  impl_->record(UpdateDelivery{session, sequence, packet_id, released});
}

void Store::remove_delivery(std::uint64_t session, std::uint64_t sequence, std::uint64_t message_id) {
  impl_->record(RemoveDelivery{session, sequence, message_id});
}

void Store::add_delayed(std::uint64_t session, const DelayedRecord& delayed) {
  impl_->record(AddDelayed{session, delayed});
}

void Store::remove_delayed(std::uint64_t session, std::uint64_t sequence, std::uint64_t message_id) {
  impl_->record(RemoveDelayed{session, sequence, message_id});
}

void Store::add_incoming_qos2(std::uint64_t session, std::uint16_t packet_id) {
  impl_->record(AddIncomingQos2{session, packet_id});
}

void Store::remove_incoming_qos2(std::uint64_t session, std::uint16_t packet_id) {
  impl_->record(RemoveIncomingQos2{session, packet_id});
}

void Store::save_consent(const ConsentRecord& consent) {
  impl_->record(SaveConsent{consent});
}

void Store::save_ban(const std::string& subject, std::int64_t until_ms, std::int64_t now_ms) {
  impl_->record(SaveBan{subject, until_ms, now_ms});
}

void Store::set_retained(const std::string& topic, MessageRecordPtr message) {
  impl_->record(SetRetained{topic, std::move(message)});
}

void Store::when_durable(std::function<void()> callback) {
  {
    // Callbacks run in the order they were given: one that could run at once
    // still waits behind those that are waiting or running.
    std::unique_lock lock(impl_->mutex);
    const bool behind_others = impl_->delivering || !impl_->waiting.empty();
    const bool must_wait =
        impl_->options.sync ? impl_->committed < impl_->recorded : impl_->pending.size() >= kMaxUnsyncedOperations;
    if (must_wait || behind_others) {
      impl_->waiting.emplace_back(impl_->recorded, std::move(callback));
      return;
    }
  }
  callback();
}

bool Store::flush(std::chrono::milliseconds limit) {
  std::unique_lock lock(impl_->mutex);
  const std::uint64_t target = impl_->recorded;
  return impl_->done.wait_for(lock, limit, [&] { return impl_->committed >= target && !impl_->delivering; });
}

StoreStats Store::stats() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->stats;
}

}  // namespace mqwarden::store

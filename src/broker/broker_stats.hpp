// BrokerStats: the counters behind the $SYS topics (and, later, metrics):
// messages and bytes in and out.
//
// One block of counters per worker thread, each on its own cache line, so
// threads counting on the hot path do not contend; relaxed atomics, because
// the sums are only read for reporting. Thread-safe.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>

namespace mqwarden::broker {

struct alignas(64) WorkerCounters {
  std::atomic<std::uint64_t> messages_received{0};  // PUBLISH packets from clients
  std::atomic<std::uint64_t> messages_sent{0};      // PUBLISH packets to clients
  // QoS 0 PUBLISHes not sent to a client that reads too slowly (its outgoing bytes at the bound)
  std::atomic<std::uint64_t> messages_dropped{0};
  std::atomic<std::uint64_t> bytes_received{0};
  std::atomic<std::uint64_t> bytes_sent{0};

  void add(std::atomic<std::uint64_t>& counter, std::uint64_t amount) {
    counter.fetch_add(amount, std::memory_order_relaxed);
  }
};

struct StatsTotals {
  std::uint64_t messages_received = 0;
  std::uint64_t messages_sent = 0;
  std::uint64_t messages_dropped = 0;
  std::uint64_t bytes_received = 0;
  std::uint64_t bytes_sent = 0;
};

class BrokerStats {
 public:
  explicit BrokerStats(std::size_t workers) : count_(workers), workers_(std::make_unique<WorkerCounters[]>(workers)) {}

  WorkerCounters& worker(std::size_t index) { return workers_[index]; }
  StatsTotals totals() const {
    StatsTotals sum;
    for (std::size_t i = 0; i < count_; ++i) {
      const WorkerCounters& w = workers_[i];
      sum.messages_received += w.messages_received.load(std::memory_order_relaxed);
      sum.messages_sent += w.messages_sent.load(std::memory_order_relaxed);
      sum.messages_dropped += w.messages_dropped.load(std::memory_order_relaxed);
      sum.bytes_received += w.bytes_received.load(std::memory_order_relaxed);
      sum.bytes_sent += w.bytes_sent.load(std::memory_order_relaxed);
    }
    return sum;
  }

 private:
  std::size_t count_;
  std::unique_ptr<WorkerCounters[]> workers_;
};

}  // namespace mqwarden::broker

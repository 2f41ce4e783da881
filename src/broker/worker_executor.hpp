// WorkerExecutor: the broker core's view of the threads that run it.
//
// Each connection belongs to one worker thread. The broker keeps per-worker
// state (a replica of the subscription tree) that only its worker touches, and
// changes it by posting tasks. Implemented by the transport's thread pool;
// tests use an executor that runs tasks at once.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>

namespace mqwarden::broker {

// A task scheduled to run later. Cancelling it drops the task, and whatever
// it holds, without waiting for its time.
class ScheduledTask {
 public:
  virtual ~ScheduledTask() = default;
  // Thread-safe; nothing happens once the task has run or been cancelled.
  virtual void cancel() = 0;
};

class WorkerExecutor {
 public:
  virtual ~WorkerExecutor() = default;
  virtual std::size_t worker_count() const = 0;
  // The worker the calling thread runs; only called from worker threads.
  virtual std::size_t current_worker() const = 0;
  // Runs `task` on `worker`, after the tasks already posted to it.
  virtual void post(std::size_t worker, std::function<void()> task) = 0;
  // Runs `task` on `worker` once `delay` has passed (will delays, session
  // expiry). Tasks still waiting when the broker stops are dropped.
  virtual std::shared_ptr<ScheduledTask> post_after(std::size_t worker, std::chrono::milliseconds delay,
                                                    std::function<void()> task) = 0;
};

}  // namespace mqwarden::broker

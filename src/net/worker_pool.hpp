// WorkerPool: the threads that run the broker, one io_context each.
//
// A connection is accepted onto one worker and stays there; work for another
// worker crosses as a task posted to its io_context (FlashMQ's model). It
// implements the broker core's WorkerExecutor. post() is thread-safe.
#pragma once

#include <cstddef>
#include <memory>
#include <thread>
#include <vector>

#include "broker/worker_executor.hpp"
#include "net/asio.hpp"

namespace mqwarden::net {

class WorkerPool final : public broker::WorkerExecutor {
 public:
  explicit WorkerPool(std::size_t threads);
  ~WorkerPool() override;

  std::size_t worker_count() const override { return workers_.size(); }
  std::size_t current_worker() const override;
  void post(std::size_t worker, std::function<void()> task) override;
  std::shared_ptr<broker::ScheduledTask> post_after(std::size_t worker, std::chrono::milliseconds delay,
                                                    std::function<void()> task) override;

  asio::io_context& context(std::size_t worker) { return *workers_[worker].context; }
  // The worker for the next new connection, round robin.
  std::size_t next_worker();

  // Starts the threads; returns at once.
  void start();
  // Stops the io_contexts and joins the threads.
  void stop();

 private:
  struct Worker {
    std::unique_ptr<asio::io_context> context;
    std::unique_ptr<asio::executor_work_guard<asio::io_context::executor_type>> keep_running;
    std::thread thread;
  };
  std::vector<Worker> workers_;
  std::size_t next_ = 0;
};

}  // namespace mqwarden::net

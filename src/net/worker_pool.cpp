#include "net/worker_pool.hpp"

#include <algorithm>

namespace mqwarden::net {
namespace {
// The index of the worker the current thread runs; none outside workers.
thread_local std::size_t current_worker_index = static_cast<std::size_t>(-1);

// A timer on one worker; cancelled on that worker's thread, as asio timers must be.
class WorkerTimer final : public broker::ScheduledTask, public std::enable_shared_from_this<WorkerTimer> {
 public:
  WorkerTimer(asio::io_context& context, std::chrono::milliseconds delay) : timer_(context, delay) {}

  void start(std::function<void()> task) {
    // The handler keeps the timer alive until it runs or is cancelled, then lets it go.
    timer_.async_wait([self = shared_from_this(), task = std::move(task)](const boost::system::error_code& error) {
      if (!error) task();
    });
  }
  void cancel() override {
    asio::post(timer_.get_executor(), [self = shared_from_this()] { self->timer_.cancel(); });
  }

 private:
  asio::steady_timer timer_;
};

}  // namespace

WorkerPool::WorkerPool(std::size_t threads) {
  workers_.resize(std::max<std::size_t>(threads, 1));
  for (Worker& worker : workers_) {
    worker.context = std::make_unique<asio::io_context>(1);
    worker.keep_running =
        std::make_unique<asio::executor_work_guard<asio::io_context::executor_type>>(worker.context->get_executor());
  }
}

WorkerPool::~WorkerPool() {
  stop();
}

std::size_t WorkerPool::current_worker() const {
  // Tasks started outside the workers (start-up) act for worker 0.
  return current_worker_index < workers_.size() ? current_worker_index : 0;
}

void WorkerPool::post(std::size_t worker, std::function<void()> task) {
  asio::post(*workers_[worker].context, std::move(task));
}

std::shared_ptr<broker::ScheduledTask> WorkerPool::post_after(std::size_t worker, std::chrono::milliseconds delay,
                                                              std::function<void()> task) {
  auto timer = std::make_shared<WorkerTimer>(*workers_[worker].context, delay);
  timer->start(std::move(task));
  return timer;
}

std::size_t WorkerPool::next_worker() {
  const std::size_t chosen = next_;
  next_ = (next_ + 1) % workers_.size();
  return chosen;
}

void WorkerPool::start() {
  for (std::size_t i = 0; i < workers_.size(); ++i) {
    Worker& worker = workers_[i];
    worker.thread = std::thread([i, context = worker.context.get()] {
      current_worker_index = i;
      context->run();
    });
  }
}

void WorkerPool::stop() {
  for (Worker& worker : workers_) {
    worker.keep_running.reset();
    worker.context->stop();
  }
  for (Worker& worker : workers_) {
    if (worker.thread.joinable()) worker.thread.join();
  }
}

}  // namespace mqwarden::net

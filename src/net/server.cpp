#include "net/server.hpp"

#include <spdlog/spdlog.h>

#include <condition_variable>
#include <mutex>
#include <unordered_map>

#include "net/asio.hpp"
#include "net/connection.hpp"
#include "net/worker_pool.hpp"

namespace mqwarden::net {

struct Server::Impl {
  Impl(ServerOptions server_options, std::shared_ptr<const broker::Authenticator> authenticator,
       store::Store* server_store)
      : options(std::move(server_options)),
        store(server_store),
        pool(options.threads),
        broker(options.broker, pool, std::move(authenticator), server_store) {}

  void accept(std::size_t listener_index) {
    tcp::acceptor& acceptor = *acceptors[listener_index];
    const std::size_t worker = pool.next_worker();
    // The new socket belongs to the worker that will run the connection.
    acceptor.async_accept(pool.context(worker), [this, listener_index, worker](const boost::system::error_code& error,
                                                                               tcp::socket socket) {
      if (error == asio::error::operation_aborted) return;
      if (!error) {
        admit(std::move(socket), worker);
        accept(listener_index);
        return;
      }
      // Out of file descriptors or the like: retry shortly instead of spinning.
      spdlog::warn("accept failed: {}", error.message());
      auto retry = std::make_shared<asio::steady_timer>(accept_context, std::chrono::milliseconds(100));
      retry->async_wait([this, retry, listener_index](const boost::system::error_code& wait_error) {
        if (!wait_error) accept(listener_index);
      });
    });
  }

  void admit(tcp::socket socket, std::size_t worker) {
    std::lock_guard lock(live_mutex);
    if (live.size() >= options.max_connections) {
      spdlog::warn("connection refused: the maximum of {} connections is reached", options.max_connections);
      return;  // the socket closes as it goes out of scope
    }
    auto connection = std::make_shared<Connection>(std::move(socket), broker, [this, id = next_id] {
      std::lock_guard finished_lock(live_mutex);
      live.erase(id);
      if (live.empty()) all_finished.notify_all();
    });
    live.emplace(next_id++, connection);
    asio::post(pool.context(worker), [connection] { connection->start(); });
  }

  // Ends every connection (each on its own worker) and waits, up to `limit`, for them to finish.
  void shut_down_connections(std::chrono::milliseconds limit) {
    std::unique_lock lock(live_mutex);
    for (auto& [id, weak] : live) {
      if (auto connection = weak.lock()) connection->shut_down();
    }
    all_finished.wait_for(lock, limit, [this] { return live.empty(); });
  }

  ServerOptions options;
  store::Store* store;
  WorkerPool pool;
  broker::Broker broker;
  asio::io_context accept_context{1};
  std::vector<std::unique_ptr<tcp::acceptor>> acceptors;
  std::thread accept_thread;
  asio::io_context signal_context{1};
  std::unique_ptr<asio::signal_set> signals;  // made by start(), before the listeners

  std::mutex live_mutex;
  std::condition_variable all_finished;
  std::unordered_map<std::uint64_t, std::weak_ptr<Connection>> live;  // guarded by live_mutex
  std::uint64_t next_id = 0;                                          // guarded by live_mutex
  bool stopped = false;
};

Server::Server(ServerOptions options, std::shared_ptr<const broker::Authenticator> authenticator, store::Store* store)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(authenticator), store)) {}

Server::~Server() {
  stop();
}

Result<void, std::string> Server::start() {
  // Catch SIGINT and SIGTERM before the first listener is up: a stop request
  // that comes as soon as the port answers must still stop the broker cleanly.
  impl_->signals = std::make_unique<asio::signal_set>(impl_->signal_context, SIGINT, SIGTERM);
  for (const ListenerOptions& listener : impl_->options.listeners) {
    boost::system::error_code error;
    const auto address = asio::ip::make_address(listener.address, error);
    if (error) return fail("listener address '" + listener.address + "': " + error.message());
    auto acceptor = std::make_unique<tcp::acceptor>(impl_->accept_context);
    const tcp::endpoint endpoint(address, listener.port);
    acceptor->open(endpoint.protocol(), error);
    if (!error) acceptor->set_option(tcp::acceptor::reuse_address(true), error);
    if (!error) acceptor->bind(endpoint, error);
    if (!error) acceptor->listen(asio::socket_base::max_listen_connections, error);
    if (error) {
      return fail("cannot listen on " + listener.address + ":" + std::to_string(listener.port) + ": " +
                  error.message());
    }
    spdlog::info("listening on {}:{}", listener.address, acceptor->local_endpoint().port());
    impl_->acceptors.push_back(std::move(acceptor));
  }
  if (impl_->store) impl_->broker.restore(impl_->store->take_loaded_state(), broker::Clock::now());
  impl_->pool.start();
  impl_->broker.start_sys_topics(impl_->options.sys_interval, impl_->options.version);
  for (std::size_t i = 0; i < impl_->acceptors.size(); ++i) impl_->accept(i);
  impl_->accept_thread = std::thread([this] { impl_->accept_context.run(); });
  spdlog::info("mqwarden started with {} worker thread(s)", impl_->pool.worker_count());
  return {};
}

void Server::run_until_signalled() {
  impl_->signals->async_wait(
      [](const boost::system::error_code&, int signal) { spdlog::info("signal {} received: stopping", signal); });
  impl_->signal_context.run();
  stop();
}

void Server::stop() {
  if (!impl_ || impl_->stopped) return;
  impl_->stopped = true;
  impl_->accept_context.stop();
  if (impl_->accept_thread.joinable()) impl_->accept_thread.join();
  impl_->shut_down_connections(std::chrono::seconds(5));
  impl_->pool.stop();
  if (impl_->store) impl_->store->flush();
}

std::uint16_t Server::bound_port(std::size_t listener) const {
  return impl_->acceptors.at(listener)->local_endpoint().port();
}

}  // namespace mqwarden::net

#include "net/server.hpp"

#include <spdlog/spdlog.h>

#include <condition_variable>
#include <csignal>
#include <mutex>

#include "net/asio.hpp"
#include "net/connection.hpp"
#include "net/worker_pool.hpp"

namespace mqwarden::net {

namespace {

// The client's address and port; none when the client is already gone.
std::optional<tcp::endpoint> peer_of(const Connection::Socket& socket) {
  boost::system::error_code error;
  const auto endpoint = socket.remote_endpoint(error);
  if (error) return std::nullopt;
  return endpoint;
}

std::string listener_label(const ListenerOptions& listener) {
  return (listener.name.empty() ? "" : listener.name + " ") + listener.address + ":" + std::to_string(listener.port);
}

}  // namespace

struct Server::Impl final : ConnectionRoster {
  Impl(ServerOptions server_options, std::shared_ptr<const broker::Authenticator> authenticator,
       store::Store* server_store, std::shared_ptr<broker::Enforcement> enforcement)
      : options(std::move(server_options)),
        store(server_store),
        gate(options.per_address),
        pool(options.threads),
        broker(options.broker, pool, std::move(authenticator), server_store, std::move(enforcement)) {}

  // One listening socket, and the TLS context its new connections get.
  struct Listener {
    explicit Listener(const ListenerOptions& listener_options) : options(listener_options) {}
    const ListenerOptions& options;
    std::unique_ptr<tcp::acceptor> acceptor;
    std::mutex tls_mutex;  // the accept thread reads `tls`, a reload replaces it
    std::shared_ptr<const TlsContext> tls;
  };

  void accept(std::size_t listener_index) {
    tcp::acceptor& acceptor = *listeners[listener_index]->acceptor;
    const std::size_t worker = pool.next_worker();
    // The new socket belongs to the worker that will run the connection.
    acceptor.async_accept(pool.context(worker), [this, listener_index, worker](const boost::system::error_code& error,
                                                                               Connection::Socket socket) {
      if (error == asio::error::operation_aborted) return;
      if (!error) {
        admit(std::move(socket), *listeners[listener_index], worker);
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

  ConnectionSettings settings_for(Listener& listener) {
    std::lock_guard lock(listener.tls_mutex);
    return {.tls = listener.tls,
            .websocket_path = listener.options.websocket_path,
            .connect_timeout = options.connect_timeout,
            .max_outgoing_buffer = options.max_outgoing_buffer};
  }

  void admit(Connection::Socket socket, Listener& listener, std::size_t worker) {
    const auto peer = peer_of(socket);
    if (!peer) return;  // already gone
    const std::string address = peer->address().to_string();
    std::lock_guard lock(live_mutex);
    if (live_count >= options.max_connections) {
      spdlog::warn("connection from {} refused: the maximum of {} connections is reached", address,
                   options.max_connections);
      return;  // the socket closes as it goes out of scope
    }
    switch (gate.admit(address, AddressGate::Clock::now())) {
      case AddressGate::Verdict::admitted: break;
      case AddressGate::Verdict::too_many_connections:
        spdlog::warn("connection from {} refused: the maximum of {} connections per address is reached", address,
                     options.per_address.max_connections);
        return;
      case AddressGate::Verdict::too_fast:
        spdlog::warn("connection from {} refused: more than {} new connections per second from this address", address,
                     options.per_address.rate_per_second);
        return;
    }
    auto connection = std::make_shared<Connection>(std::move(socket), address + ":" + std::to_string(peer->port()),
                                                   settings_for(listener), broker, *this);
    join(*connection);
    asio::post(pool.context(worker), [connection] { connection->start(); });
  }

  // Puts `connection` at the front of the list. Under live_mutex.
  void join(Connection& connection) {
    Connection::RosterLinks& links = connection.roster_links();
    links.next = live_first;
    if (live_first) live_first->roster_links().previous = &connection;
    live_first = &connection;
    ++live_count;
  }

  void leave(Connection& connection) override {
    std::lock_guard lock(live_mutex);
    Connection::RosterLinks& links = connection.roster_links();
    (links.previous ? links.previous->roster_links().next : live_first) = links.next;
    if (links.next) links.next->roster_links().previous = links.previous;
    links = {};
    gate.release(std::string(connection.remote_ip()));
    if (--live_count == 0) all_finished.notify_all();
  }

  // Ends every connection (each on its own worker) and waits, up to `limit`, for them to finish.
  void shut_down_connections(std::chrono::milliseconds limit) {
    std::unique_lock lock(live_mutex);
    for (Connection* connection = live_first; connection; connection = connection->roster_links().next) {
      // Null for one being destroyed (it waits on live_mutex to leave the list).
      if (auto open = connection->weak_from_this().lock()) open->shut_down();
    }
    all_finished.wait_for(lock, limit, [this] { return live_count == 0; });
  }

  Result<void, std::string> open_listener(const ListenerOptions& listener) {
    auto state = std::make_unique<Listener>(listener);
    if (listener.tls) {
      auto context = TlsContext::create(*listener.tls);
      if (!context) return fail("listener " + listener_label(listener) + ": " + context.error());
      state->tls = std::move(context).value();
    }
    boost::system::error_code error;
    const auto address = asio::ip::make_address(listener.address, error);
    if (error) return fail("listener address '" + listener.address + "': " + error.message());
    auto acceptor = std::make_unique<tcp::acceptor>(accept_context);
    const tcp::endpoint endpoint(address, listener.port);
    acceptor->open(endpoint.protocol(), error);
    if (!error) acceptor->set_option(tcp::acceptor::reuse_address(true), error);
    if (!error) acceptor->bind(endpoint, error);
    if (!error) acceptor->listen(asio::socket_base::max_listen_connections, error);
    if (error) {
      return fail("cannot listen on " + listener.address + ":" + std::to_string(listener.port) + ": " +
                  error.message());
    }
    spdlog::info("listening on {}:{}{}{}", listener.address, acceptor->local_endpoint().port(),
                 listener.websocket_path.empty() ? "" : " (WebSocket " + listener.websocket_path + ")",
                 listener.tls ? " (TLS)" : "");
    state->acceptor = std::move(acceptor);
    listeners.push_back(std::move(state));
    return {};
  }

  bool reload_tls() {
    bool all_loaded = true;
    for (auto& listener : listeners) {
      if (!listener->options.tls) continue;
      auto context = TlsContext::create(*listener->options.tls);
      if (!context) {
        spdlog::error("listener {}: TLS reload failed, keeping the previous files: {}",
                      listener_label(listener->options), context.error());
        all_loaded = false;
        continue;
      }
      std::lock_guard lock(listener->tls_mutex);
      listener->tls = std::move(context).value();
      spdlog::info("listener {}: TLS certificate, key, CAs and CRL reloaded", listener_label(listener->options));
    }
    return all_loaded;
  }

  void wait_for_signal() {
    signals->async_wait([this](const boost::system::error_code& error, int signal) {
      if (error) return;
      if (signal == SIGHUP) {
        spdlog::info("SIGHUP received: reloading the TLS files");
        reload_tls();
        if (on_hangup) on_hangup();
        wait_for_signal();
        return;
      }
      spdlog::info("signal {} received: stopping", signal);
    });
  }

  ServerOptions options;
  store::Store* store;
  // The open connections. Declared before the workers and the broker: a
  // connection they still hold when they go leaves this list as it is destroyed.
  std::mutex live_mutex;
  std::condition_variable all_finished;
  Connection* live_first = nullptr;  // linked through the connections' RosterLinks; guarded by live_mutex
  std::size_t live_count = 0;        // guarded by live_mutex
  AddressGate gate;                  // guarded by live_mutex
  WorkerPool pool;
  broker::Broker broker;
  asio::io_context accept_context{1};
  std::vector<std::unique_ptr<Listener>> listeners;
  std::thread accept_thread;
  asio::io_context signal_context{1};
  std::unique_ptr<asio::signal_set> signals;  // made by start(), before the listeners
  std::function<void()> on_hangup;
  bool stopped = false;
};

Server::Server(ServerOptions options, std::shared_ptr<const broker::Authenticator> authenticator, store::Store* store,
               std::shared_ptr<broker::Enforcement> enforcement)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(authenticator), store, std::move(enforcement))) {}

broker::Broker& Server::broker() {
  return impl_->broker;
}

broker::WorkerExecutor& Server::executor() {
  return impl_->pool;
}

void Server::on_hangup(std::function<void()> reload) {
  impl_->on_hangup = std::move(reload);
}

Server::~Server() {
  stop();
}

Result<void, std::string> Server::start() {
  // Catch the signals before the first listener is up: a stop request that
  // comes as soon as the port answers must still stop the broker cleanly.
  impl_->signals = std::make_unique<asio::signal_set>(impl_->signal_context, SIGINT, SIGTERM, SIGHUP);
  // OpenSSL writes to its sockets without MSG_NOSIGNAL: a client gone mid-write
  // must be an EPIPE for that connection, not a SIGPIPE for the process.
  std::signal(SIGPIPE, SIG_IGN);
  for (const ListenerOptions& listener : impl_->options.listeners) {
    if (auto opened = impl_->open_listener(listener); !opened) return opened;
  }
  if (impl_->store) impl_->broker.restore(impl_->store->take_loaded_state(), broker::Clock::now());
  impl_->pool.start();
  impl_->broker.start_sys_topics(impl_->options.sys_interval, impl_->options.version);
  for (std::size_t i = 0; i < impl_->listeners.size(); ++i) impl_->accept(i);
  impl_->accept_thread = std::thread([this] { impl_->accept_context.run(); });
  spdlog::info("mqwarden started with {} worker thread(s)", impl_->pool.worker_count());
  return {};
}

void Server::run_until_signalled() {
  impl_->wait_for_signal();
  impl_->signal_context.run();
  stop();
}

bool Server::reload_tls() {
  return impl_->reload_tls();
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
  return impl_->listeners.at(listener)->acceptor->local_endpoint().port();
}

}  // namespace mqwarden::net

// Server: the running broker — worker threads, TCP listeners, the broker
// core — from start until a stop request.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "broker/broker.hpp"
#include "common/result.hpp"

namespace mqwarden::net {

struct ListenerOptions {
  std::string address = "127.0.0.1";
  std::uint16_t port = 1883;
};

struct ServerOptions {
  std::vector<ListenerOptions> listeners{ListenerOptions{}};
  std::size_t threads = 1;  // worker threads (the configuration resolves 0 to the CPUs available)
  std::size_t max_connections = 10'000;
  std::chrono::seconds sys_interval{10};  // how often the $SYS topics are published
  std::string version;                    // what $SYS/broker/version says
  broker::BrokerOptions broker;
};

class Server {
 public:
  // `store` (null: persistence off) outlives the server; what it holds is
  // restored at start(), and everything recorded is committed at stop().
  Server(ServerOptions options, std::shared_ptr<const broker::Authenticator> authenticator,
         store::Store* store = nullptr);
  ~Server();

  // Starts catching SIGINT and SIGTERM, binds the listeners and starts the
  // workers. Fails with a message when a listener cannot be bound.
  Result<void, std::string> start();
  // Blocks until SIGINT or SIGTERM (also one that came since start()), then stops.
  void run_until_signalled();
  void stop();

  // The port a listener is bound to (useful with port 0).
  std::uint16_t bound_port(std::size_t listener) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mqwarden::net

// Server: the running broker — worker threads, listeners (MQTT or WebSocket,
// each over TCP or TLS), the
// per-address admission limits, the broker core — from start until a stop
// request. SIGHUP reloads the TLS listeners' certificates, keys, CAs and CRLs
// for new connections; open connections keep theirs (and runs the reload
// hook, which reloads the policy).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "broker/broker.hpp"
#include "common/result.hpp"
#include "net/address_gate.hpp"
#include "net/tls_context.hpp"

namespace mqwarden::net {

struct ListenerOptions {
  std::string name;  // for logs; may be empty
  std::string address = "127.0.0.1";
  std::uint16_t port = 1883;
  std::optional<TlsOptions> tls;  // none: plain TCP
  std::string websocket_path;     // empty: MQTT directly; else MQTT over WebSocket at this HTTP path
};

struct ServerOptions {
  std::vector<ListenerOptions> listeners{ListenerOptions{}};
  std::size_t threads = 1;  // worker threads (the configuration resolves 0 to the CPUs available)
  std::size_t max_connections = 10'000;
  AddressLimits per_address;
  std::chrono::seconds connect_timeout{10};            // from accept to the CONNECT
  std::size_t max_outgoing_buffer = 16 * 1024 * 1024;  // unsent bytes to one client
  std::chrono::seconds sys_interval{10};               // how often the $SYS topics are published
  std::string version;                                 // what $SYS/broker/version says
  broker::BrokerOptions broker;
};

class Server {
 public:
  // `store` (null: persistence off) outlives the server; what it holds is
  // restored at start(), and everything recorded is committed at stop().
  // `enforcement` (null: no policy) is the broker's enforcement point.
  Server(ServerOptions options, std::shared_ptr<const broker::Authenticator> authenticator,
         store::Store* store = nullptr, std::shared_ptr<broker::Enforcement> enforcement = nullptr);
  ~Server();

  // Starts catching SIGINT, SIGTERM and SIGHUP, loads the TLS listeners'
  // files, binds the listeners and starts the workers. Fails with a message
  // when a listener cannot be set up.
  Result<void, std::string> start();
  // Blocks until SIGINT or SIGTERM (also one that came since start()), then
  // stops; each SIGHUP meanwhile reloads the TLS files.
  void run_until_signalled();
  // Reloads every TLS listener's files; a listener whose files fail keeps
  // its previous ones. Returns whether all loaded.
  bool reload_tls();
  void stop();

  broker::Broker& broker();
  broker::WorkerExecutor& executor();
  // Runs `reload` on every SIGHUP, after the TLS files are reloaded. Set before start().
  void on_hangup(std::function<void()> reload);

  // The port a listener is bound to (useful with port 0).
  std::uint16_t bound_port(std::size_t listener) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mqwarden::net

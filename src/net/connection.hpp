// Connection: one client's connection — MQTT over TCP, TLS, WebSocket or
// WebSocket over TLS — reading and decoding packets for its ClientHandler,
// and writing what the broker sends it.
//
// Lives on one worker thread. Reading waits for readability and then reads
// (through the TLS session on a TLS listener) into the worker's shared
// buffer, so an idle connection holds no read buffer; only a packet split
// across reads is kept (by the decoder). On a WebSocket listener the bytes
// pass through the WebSocket framing both ways; what is sent during one turn
// of the event loop goes out as one binary frame. The first packet must come within
// the CONNECT timeout, counted from the accept (TLS handshake included); a
// client that does not read what it is sent is cut off once the unsent bytes
// exceed the outgoing buffer bound. The CONNECT timeout and the keep-alive
// are deadlines in the worker's DeadlineQueue (one timer for all its connections).
// Writes are coalesced: whatever is sent during one turn of the event loop,
// from any thread, goes out in one write, with TCP_NODELAY on.
// send() and close() are thread-safe; the rest runs on the worker thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "broker/client_handler.hpp"
#include "broker/client_link.hpp"
#include "broker/connection_control.hpp"
#include "common/compact_mutex.hpp"
#include "mqtt/decoder.hpp"
#include "mqtt/outgoing_topic_aliases.hpp"
#include "net/asio.hpp"
#include "net/tls_context.hpp"

namespace mqwarden::net {

class TlsSession;
class WebSocketFraming;
class DeadlineQueue;
class Connection;

// The server's list of open connections. A connection leaves it once, when it
// finishes (or when it is destroyed without having started). The list is
// intrusive, its links held by each Connection: an open connection costs it no
// node of its own.
class ConnectionRoster {
 public:
  // Takes `connection` off the list and gives back what its admission took.
  // Thread-safe.
  virtual void leave(Connection& connection) = 0;

 protected:
  ~ConnectionRoster() = default;
};

// What a connection takes from its listener and the limits.
struct ConnectionSettings {
  std::shared_ptr<const TlsContext> tls;  // null: plain TCP
  std::string websocket_path;             // empty: MQTT directly; else WebSocket upgrades to this path
  std::chrono::seconds connect_timeout{10};
  std::size_t max_outgoing_buffer = 16 * 1024 * 1024;
};

class Connection final : public broker::ClientLink,
                         public broker::ConnectionControl,
                         public std::enable_shared_from_this<Connection> {
 public:
  // The socket's executor is its worker's io_context itself, not a polymorphic
  // executor: the socket and every pending wait are smaller for it.
  using Socket = tcp::socket::rebind_executor<asio::io_context::executor_type>::other;

  // The links of the roster's list, which only the roster reads and writes (under its lock).
  struct RosterLinks {
    Connection* previous = nullptr;
    Connection* next = nullptr;
  };

  // `remote_address` is "address:port" of the client, the address as the
  // server admitted it. The connection leaves `roster` when it finishes.
  Connection(Socket socket, std::string remote_address, ConnectionSettings settings, broker::Broker& broker,
             ConnectionRoster& roster);
  ~Connection() override;

  void start();
  RosterLinks& roster_links() { return roster_links_; }
  // The client's address without the port, as the server admitted it.
  std::string_view remote_ip() const;
  // Ends the connection for a broker shutdown: thread-safe; the connection
  // finishes on its own thread without waiting for pending writes.
  void shut_down();

  // broker::ClientLink
  bool send(mqtt::Packet packet) override;
  void close(std::optional<mqtt::ReasonCode> reason) override;

  // broker::ConnectionControl
  broker::ClientLink& link() override { return *this; }
  std::shared_ptr<broker::ClientLink> shared_link() override { return shared_from_this(); }
  void set_protocol_version(mqtt::ProtocolVersion version) override;
  void set_peer_max_packet_size(std::uint32_t bytes) override;
  void set_peer_topic_alias_maximum(std::uint16_t maximum) override;
  void set_keep_alive(std::chrono::seconds interval) override;
  void client_connected(std::string_view client_id) override;
  std::string_view remote_address() const override { return remote_address_; }
  std::optional<std::string_view> certificate_common_name() const override;
  std::optional<std::string_view> certificate_username() const override;

 private:
  using Step = void (Connection::*)();
  // Runs `next` once the socket is ready for `wait`. A template argument, so
  // that the pending wait (which every idle connection has) holds no more than
  // the reference to the connection.
  template <Step next>
  void wait_then(tcp::socket::wait_type wait);
  void wait_readable();
  void arm_connect_timeout();
  void continue_handshake();
  // Takes the client's identity from its certificate; false when the listener
  // wants a username from a certificate that has no such field.
  bool take_certificate_identity();
  // Fills the worker's read buffer; finishes or waits when nothing came.
  std::optional<std::span<const std::uint8_t>> read_bytes();
  void read_available();
  // Passes what was read through the WebSocket framing; none when the connection ends.
  std::optional<std::span<const std::uint8_t>> unframe(std::span<const std::uint8_t> bytes);
  // Closes after what is queued is sent, for a reason of the transport.
  void close_for(std::string reason);
  // Encodes `packet` into the pending bytes unless it exceeds the client's
  // Maximum Packet Size; returns whether it did.
  bool append_locked(const mqtt::Packet& packet);
  void schedule_flush_locked();
  // Drops what is unsent and ends the connection: the client reads too slowly.
  void cut_off_locked();
  // Why the connection closes after a close request, for the log.
  std::string closed_reason();
  void flush();
  void continue_tls_write();
  void on_written(const boost::system::error_code& error);
  void arm_keep_alive();
  // 1.5 times the interval without a packet ends the connection [MQTT-3.1.2-24]; in
  // milliseconds, as whole seconds would truncate 1.5 s to 1 s.
  std::chrono::milliseconds keep_alive_limit() const {
    return std::chrono::milliseconds(std::chrono::seconds(keep_alive_seconds_)) * 3 / 2;
  }
  // The deadline set last has passed: the CONNECT timeout, or the keep-alive check.
  void on_deadline();
  DeadlineQueue& deadlines();
  // Ends the connection now: no more reads or writes, the handler is told.
  void finish(std::string_view why);
  void leave_roster();

  // Laid out for a small idle connection (what MQTT brokers mostly hold):
  // what only TLS, WebSocket or topic aliases need is out of line, the flags
  // share one word, and the write buffers hold memory only while bytes wait.
  Socket socket_;
  ConnectionRoster& roster_;
  RosterLinks roster_links_;
  // Both within 32 bits (the configuration bounds them to 1 h and 1 GiB).
  const std::uint32_t connect_timeout_seconds_;
  const std::uint32_t max_outgoing_buffer_;
  // Only on a TLS listener.
  struct TlsState {
    std::shared_ptr<const TlsContext> context;
    std::unique_ptr<TlsSession> session;     // made by start()
    std::optional<std::string> common_name;  // of the client certificate
    std::optional<std::string> username;     // from the certificate, when the listener takes it as the username
    std::size_t written = 0;                 // of writing_, through the TLS session
  };
  struct WebSocketState;
  std::unique_ptr<TlsState> tls_;              // null on a plain TCP listener
  std::unique_ptr<WebSocketState> websocket_;  // null unless on a WebSocket listener
  broker::Broker& broker_;
  std::string remote_address_;  // "address:port"
  mqtt::Decoder decoder_;
  std::optional<broker::ClientHandler> handler_;  // in place: one allocation fewer per connection
  broker::Clock::time_point last_packet_;
  std::vector<std::uint8_t> writing_;  // bytes of the write in progress
  friend class DeadlineQueue;
  static constexpr std::uint32_t kNoDeadline = static_cast<std::uint32_t>(-1);
  std::uint32_t deadline_index_ = kNoDeadline;  // in the DeadlineQueue: the CONNECT timeout, then the keep-alive
  std::uint16_t keep_alive_seconds_ = 0;        // 0: none (MQTT's keep-alive is at most 65,535 s)
  bool connected_ = false;                      // a CONNECT was accepted
  bool finished_ = false;
  bool write_in_progress_ = false;
  bool left_roster_ = false;

  // Shared with sending threads.
  bool flush_scheduled_ = false;
  // Set by close() from any thread (e.g. a take-over): nothing more is sent,
  // and no further packet of this connection is handled. Written under
  // out_mutex_, read without it on the connection's thread.
  std::atomic<bool> closing_{false};
  mqtt::ProtocolVersion version_ = mqtt::ProtocolVersion::v311;
  std::uint32_t peer_max_packet_size_ = mqtt::kMaxRemainingLength + 5;
  CompactMutex out_mutex_;
  std::vector<std::uint8_t> pending_;
  std::unique_ptr<std::string> close_reason_;  // set when the transport ends the connection
  std::unique_ptr<mqtt::OutgoingTopicAliases> topic_aliases_;  // null unless the client accepts aliases
};

}  // namespace mqwarden::net

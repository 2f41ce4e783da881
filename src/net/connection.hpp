// Connection: one client's TCP connection — reading and decoding packets for
// its ClientHandler, and writing what the broker sends it.
//
// Lives on one worker thread. Reading waits for readability and then reads
// into the worker's shared buffer, so an idle connection holds no read
// buffer; only a packet split across reads is kept (by the decoder).
// Writes are coalesced: whatever is sent during one turn of the event loop,
// from any thread, goes out in one write, with TCP_NODELAY on.
// send() and close() are thread-safe; the rest runs on the worker thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "broker/client_handler.hpp"
#include "broker/client_link.hpp"
#include "broker/connection_control.hpp"
#include "mqtt/decoder.hpp"
#include "mqtt/outgoing_topic_aliases.hpp"
#include "net/asio.hpp"

namespace mqwarden::net {

class Connection final : public broker::ClientLink,
                         public broker::ConnectionControl,
                         public std::enable_shared_from_this<Connection> {
 public:
  // `on_finished` runs on the worker thread once the connection is closed.
  Connection(tcp::socket socket, broker::Broker& broker, std::function<void()> on_finished);
  ~Connection() override;

  void start();
  // Ends the connection for a broker shutdown: thread-safe; the connection
  // finishes on its own thread without waiting for pending writes.
  void shut_down();

  // broker::ClientLink
  bool send(mqtt::Packet packet) override;
  void close(std::optional<mqtt::ReasonCode> reason) override;

  // broker::ConnectionControl
  void set_protocol_version(mqtt::ProtocolVersion version) override;
  void set_peer_max_packet_size(std::uint32_t bytes) override;
  void set_peer_topic_alias_maximum(std::uint16_t maximum) override;
  void set_keep_alive(std::chrono::seconds interval) override;
  void client_connected(std::string_view client_id) override;
  std::string_view remote_address() const override { return remote_address_; }

 private:
  void wait_readable();
  void read_available();
  // Encodes `packet` into the pending bytes unless it exceeds the client's
  // Maximum Packet Size; returns whether it did.
  bool append_locked(const mqtt::Packet& packet);
  void schedule_flush_locked();
  void flush();
  void arm_keep_alive();
  // Ends the connection now: no more reads or writes, the handler is told.
  void finish(std::string_view why);

  tcp::socket socket_;
  broker::Broker& broker_;
  std::function<void()> on_finished_;
  std::string remote_address_;
  mqtt::Decoder decoder_;
  std::unique_ptr<broker::ClientHandler> handler_;
  asio::steady_timer keep_alive_timer_;
  std::chrono::seconds keep_alive_{0};
  broker::Clock::time_point last_packet_;
  bool finished_ = false;
  bool write_in_progress_ = false;
  std::vector<std::uint8_t> writing_;  // bytes of the write in progress

  // Shared with sending threads.
  std::mutex out_mutex_;
  std::vector<std::uint8_t> pending_;
  bool flush_scheduled_ = false;
  // Set by close() from any thread (e.g. a take-over): nothing more is sent,
  // and no further packet of this connection is handled. Written under
  // out_mutex_, read without it on the connection's thread.
  std::atomic<bool> closing_{false};
  mqtt::ProtocolVersion version_ = mqtt::ProtocolVersion::v311;
  std::uint32_t peer_max_packet_size_ = mqtt::kMaxRemainingLength + 5;
  mqtt::OutgoingTopicAliases topic_aliases_;
};

}  // namespace mqwarden::net

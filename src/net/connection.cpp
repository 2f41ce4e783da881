#include "net/connection.hpp"

#include <spdlog/spdlog.h>

#include "mqtt/encoder.hpp"

namespace mqwarden::net {
namespace {

constexpr std::size_t kReadChunk = 64 * 1024;
// A write buffer larger than this is given back once written.
constexpr std::size_t kKeptWriteBuffer = 64 * 1024;

// One read buffer per worker thread, shared by all its connections.
std::vector<std::uint8_t>& read_buffer() {
  thread_local std::vector<std::uint8_t> buffer(kReadChunk);
  return buffer;
}

std::string endpoint_text(const tcp::socket& socket) {
  boost::system::error_code error;
  const auto endpoint = socket.remote_endpoint(error);
  if (error) return "unknown";
  return endpoint.address().to_string() + ":" + std::to_string(endpoint.port());
}

}  // namespace

Connection::Connection(tcp::socket socket, broker::Broker& broker, std::function<void()> on_finished)
    : socket_(std::move(socket)),
      broker_(broker),
      on_finished_(std::move(on_finished)),
      remote_address_(endpoint_text(socket_)),
      decoder_({.max_packet_size = broker.options().max_packet_size, .version = mqtt::ProtocolVersion::v311}),
      keep_alive_timer_(socket_.get_executor()) {}

Connection::~Connection() = default;

void Connection::start() {
  boost::system::error_code ignored;
  socket_.set_option(tcp::no_delay(true), ignored);
  socket_.non_blocking(true, ignored);
  handler_ = std::make_unique<broker::ClientHandler>(broker_, *this, shared_from_this());
  spdlog::debug("connection from {}", remote_address_);
  wait_readable();
}

void Connection::wait_readable() {
  socket_.async_wait(tcp::socket::wait_read, [self = shared_from_this()](const boost::system::error_code& error) {
    if (self->finished_) return;
    if (error) {
      self->finish(error.message());
      return;
    }
    self->read_available();
  });
}

void Connection::read_available() {
  std::vector<std::uint8_t>& buffer = read_buffer();
  boost::system::error_code error;
  const std::size_t count = socket_.read_some(asio::buffer(buffer), error);
  if (error == asio::error::would_block) {
    wait_readable();
    return;
  }
  if (error) {
    finish(error == asio::error::eof ? "connection closed by client" : error.message());
    return;
  }
  last_packet_ = broker::Clock::now();
  broker::WorkerCounters& counters = broker_.counters();
  counters.add(counters.bytes_received, count);
  std::span<const std::uint8_t> input(buffer.data(), count);
  while (!input.empty() && !finished_ && !closing_.load(std::memory_order_acquire)) {
    mqtt::DecodeResult result = decoder_.decode(input);
    if (auto* packet = std::get_if<mqtt::Packet>(&result)) {
      handler_->on_packet(std::move(*packet), last_packet_);
    } else if (auto* decode_error = std::get_if<mqtt::DecodeError>(&result)) {
      handler_->on_decode_error(*decode_error);
      break;
    }
  }
  if (finished_) return;
  if (!closing_.load(std::memory_order_acquire)) wait_readable();  // after a close request nothing more is read
}

void Connection::shut_down() {
  asio::post(socket_.get_executor(), [self = shared_from_this()] { self->finish("broker shutting down"); });
}

bool Connection::send(mqtt::Packet packet) {
  std::lock_guard lock(out_mutex_);
  if (closing_.load(std::memory_order_relaxed)) return true;  // the connection is going: nothing more is sent
  auto* publish = std::get_if<mqtt::Publish>(&packet);
  const auto aliased = publish ? topic_aliases_.apply(*publish) : mqtt::OutgoingTopicAliases::Applied{};
  if (!append_locked(packet)) {
    // A new alias adds three bytes: without it the PUBLISH may still fit.
    if (!aliased.assigned) return false;
    topic_aliases_.undo(*publish);
    if (!append_locked(packet)) return false;
  }
  if (publish) {
    broker::WorkerCounters& counters = broker_.counters();
    counters.add(counters.messages_sent, 1);
  }
  schedule_flush_locked();
  return true;
}

bool Connection::append_locked(const mqtt::Packet& packet) {
  const std::size_t before = pending_.size();
  if (!mqtt::encode(packet, version_, pending_).ok() || pending_.size() - before > peer_max_packet_size_) {
    pending_.resize(before);
    return false;
  }
  return true;
}

void Connection::close(std::optional<mqtt::ReasonCode> reason) {
  std::lock_guard lock(out_mutex_);
  if (closing_.load(std::memory_order_relaxed)) return;
  if (reason && version_ == mqtt::ProtocolVersion::v5) {
    (void)mqtt::encode(mqtt::Disconnect{*reason, {}}, version_, pending_);
  }
  closing_.store(true, std::memory_order_release);
  schedule_flush_locked();
}

void Connection::schedule_flush_locked() {
  if (flush_scheduled_) return;
  flush_scheduled_ = true;
  // Posted, so everything sent during this turn of the event loop is written together.
  asio::post(socket_.get_executor(), [self = shared_from_this()] { self->flush(); });
}

void Connection::flush() {
  if (finished_ || write_in_progress_) return;
  bool close_now;
  {
    std::lock_guard lock(out_mutex_);
    flush_scheduled_ = false;
    writing_.clear();
    writing_.swap(pending_);
    close_now = closing_.load(std::memory_order_relaxed) && writing_.empty();
  }
  if (close_now) {
    finish(handler_ && !handler_->close_reason().empty() ? handler_->close_reason() : "closed");
    return;
  }
  if (writing_.empty()) return;
  broker::WorkerCounters& counters = broker_.counters();
  counters.add(counters.bytes_sent, writing_.size());
  write_in_progress_ = true;
  asio::async_write(socket_, asio::buffer(writing_),
                    [self = shared_from_this()](const boost::system::error_code& error, std::size_t) {
                      self->write_in_progress_ = false;
                      if (self->finished_) return;
                      if (error) {
                        self->finish(error.message());
                        return;
                      }
                      if (self->writing_.capacity() > kKeptWriteBuffer)
                        std::vector<std::uint8_t>().swap(self->writing_);
                      self->flush();  // what was sent meanwhile, or the close
                    });
}

void Connection::set_protocol_version(mqtt::ProtocolVersion version) {
  decoder_.set_version(version);
  std::lock_guard lock(out_mutex_);
  version_ = version;
}

void Connection::set_peer_max_packet_size(std::uint32_t bytes) {
  std::lock_guard lock(out_mutex_);
  peer_max_packet_size_ = bytes;
}

void Connection::set_peer_topic_alias_maximum(std::uint16_t maximum) {
  std::lock_guard lock(out_mutex_);
  topic_aliases_ = mqtt::OutgoingTopicAliases(maximum);
}

void Connection::client_connected(std::string_view client_id) {
  spdlog::info("client {} connected from {} ({})", client_id, remote_address_, mqtt::to_string(decoder_.version()));
}

void Connection::set_keep_alive(std::chrono::seconds interval) {
  keep_alive_ = interval;
  arm_keep_alive();
}

void Connection::arm_keep_alive() {
  if (keep_alive_.count() == 0 || finished_) {
    keep_alive_timer_.cancel();
    return;
  }
  // 1.5 times the interval without a packet ends the connection [MQTT-3.1.2-24]; in
  // milliseconds, as whole seconds would truncate 1.5 s to 1 s.
  const auto limit = std::chrono::milliseconds(keep_alive_) * 3 / 2;
  keep_alive_timer_.expires_at(last_packet_ + limit);
  keep_alive_timer_.async_wait([self = shared_from_this(), limit](const boost::system::error_code& error) {
    if (error || self->finished_) return;
    if (broker::Clock::now() - self->last_packet_ >= limit) {
      self->handler_->on_keep_alive_expired();
      return;
    }
    self->arm_keep_alive();
  });
}

void Connection::finish(std::string_view why) {
  if (finished_) return;
  finished_ = true;
  keep_alive_timer_.cancel();
  boost::system::error_code ignored;
  socket_.shutdown(tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
  const std::string& client = handler_->client_id();
  spdlog::info("client {} ({}) disconnected: {}", client.empty() ? "<none>" : client, remote_address_, why);
  handler_->on_closed(broker::Clock::now());
  handler_.reset();  // drops the handler's reference to this connection
  {
    std::lock_guard lock(out_mutex_);
    closing_.store(true, std::memory_order_release);
    pending_.clear();
  }
  if (on_finished_) on_finished_();
}

}  // namespace mqwarden::net

#include "net/connection.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <utility>

#include "mqtt/encoder.hpp"
#include "net/tls_session.hpp"
#include "net/websocket_framing.hpp"

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

// The MQTT bytes of one read from a WebSocket connection, per worker thread too.
std::vector<std::uint8_t>& websocket_payload_buffer() {
  thread_local std::vector<std::uint8_t> buffer;
  return buffer;
}

// Gives back a write buffer's memory: an idle connection holds none.
void release(std::vector<std::uint8_t>& buffer) {
  std::vector<std::uint8_t>().swap(buffer);
}

}  // namespace

struct Connection::WebSocketState {
  explicit WebSocketState(const std::string& path) : framing(path) {}
  WebSocketFraming framing;
  std::vector<std::uint8_t> pending_unframed;  // answers (upgrade, pong, close), sent before pending_; under out_mutex_
};

// The deadlines of one worker's connections, on one timer: a timer and a
// pending wait per connection would cost about 160 bytes each, and idle
// connections are what a broker mostly holds. A binary heap ordered by due
// time; each connection knows its index, so moving or removing its deadline
// is O(log n). A service of the worker's io_context: used on its thread only.
class DeadlineQueue final : public asio::execution_context::service {
 public:
  static inline asio::execution_context::id id;

  explicit DeadlineQueue(asio::io_context& context) : service(context), timer_(context) {}

  // Sets (or moves) `connection`'s deadline: its on_deadline() runs once `due` has passed.
  void schedule(Connection& connection, broker::Clock::time_point due) {
    if (connection.deadline_index_ == Connection::kNoDeadline) {
      heap_.push_back({due, &connection});
      place(heap_.size() - 1);
    } else {
      heap_[connection.deadline_index_].due = due;
    }
    sift_up(connection.deadline_index_);
    sift_down(connection.deadline_index_);
    if (heap_.front().due < armed_for_) arm();
  }

  // Removes `connection`'s deadline, if it has one. The timer may then wake
  // with nothing due: it waits on for the next deadline.
  void cancel(Connection& connection) {
    const std::size_t index = connection.deadline_index_;
    if (index == Connection::kNoDeadline) return;
    connection.deadline_index_ = Connection::kNoDeadline;
    const std::size_t last = heap_.size() - 1;
    Connection* const moved = heap_[last].connection;
    heap_[index] = heap_[last];
    heap_.pop_back();
    if (index == last) return;
    place(index);
    sift_up(index);
    sift_down(moved->deadline_index_);
  }

 private:
  struct Entry {
    broker::Clock::time_point due;
    Connection* connection;
  };

  void shutdown() override {
    // The io_context is going, with the connections its handlers hold: they must not reach back.
    for (Entry& entry : heap_) entry.connection->deadline_index_ = Connection::kNoDeadline;
    heap_.clear();
  }

  void place(std::size_t index) { heap_[index].connection->deadline_index_ = static_cast<std::uint32_t>(index); }

  void swap_entries(std::size_t a, std::size_t b) {
    std::swap(heap_[a], heap_[b]);
    place(a);
    place(b);
  }

  void sift_up(std::size_t index) {
    while (index > 0) {
      const std::size_t parent = (index - 1) / 2;
      if (!(heap_[index].due < heap_[parent].due)) return;
      swap_entries(index, parent);
      index = parent;
    }
  }

  void sift_down(std::size_t index) {
    for (;;) {
      std::size_t earliest = index;
      for (const std::size_t child : {2 * index + 1, 2 * index + 2}) {
        if (child < heap_.size() && heap_[child].due < heap_[earliest].due) earliest = child;
      }
      if (earliest == index) return;
      swap_entries(index, earliest);
      index = earliest;
    }
  }

  // Waits for the earliest deadline (replacing the wait for a later one).
  void arm() {
    armed_for_ = heap_.front().due;
    timer_.expires_at(armed_for_);
    timer_.async_wait([this](const boost::system::error_code& error) {
      if (error) return;  // replaced by an earlier deadline
      armed_for_ = broker::Clock::time_point::max();
      const auto now = broker::Clock::now();
      while (!heap_.empty() && heap_.front().due <= now) {
        Connection& connection = *heap_.front().connection;
        cancel(connection);
        connection.on_deadline();
      }
      if (!heap_.empty()) arm();
    });
  }

  asio::steady_timer::rebind_executor<asio::io_context::executor_type>::other timer_;
  broker::Clock::time_point armed_for_ = broker::Clock::time_point::max();  // max: no wait pending
  std::vector<Entry> heap_;
};

Connection::Connection(Socket socket, std::string remote_address, ConnectionSettings settings, broker::Broker& broker,
                       ConnectionRoster& roster)
    : socket_(std::move(socket)),
      roster_(roster),
      connect_timeout_seconds_(static_cast<std::uint32_t>(settings.connect_timeout.count())),
      max_outgoing_buffer_(static_cast<std::uint32_t>(settings.max_outgoing_buffer)),
      tls_(settings.tls ? std::make_unique<TlsState>(TlsState{.context = std::move(settings.tls)}) : nullptr),
      websocket_(settings.websocket_path.empty() ? nullptr : std::make_unique<WebSocketState>(settings.websocket_path)),
      broker_(broker),
      remote_address_(std::move(remote_address)),
      decoder_({.max_packet_size = broker.options().max_packet_size, .version = mqtt::ProtocolVersion::v311}) {}

Connection::~Connection() {
  leave_roster();  // a connection that never started
}

void Connection::leave_roster() {
  if (!std::exchange(left_roster_, true)) roster_.leave(*this);
}

std::string_view Connection::remote_ip() const {
  return std::string_view(remote_address_).substr(0, remote_address_.rfind(':'));
}

void Connection::start() {
  boost::system::error_code ignored;
  socket_.set_option(tcp::no_delay(true), ignored);
  socket_.non_blocking(true, ignored);
  handler_.emplace(broker_, *this);
  spdlog::debug("connection from {}{}", remote_address_, tls_ ? " (TLS)" : "");
  arm_connect_timeout();
  if (tls_) {
    tls_->session = std::make_unique<TlsSession>(tls_->context, socket_.native_handle());
    continue_handshake();
    return;
  }
  wait_readable();
}

template <Connection::Step next>
void Connection::wait_then(tcp::socket::wait_type wait) {
  socket_.async_wait(wait, [self = shared_from_this()](const boost::system::error_code& error) {
    if (self->finished_) return;
    if (error) {
      self->finish(error.message());
      return;
    }
    ((*self).*next)();
  });
}

void Connection::wait_readable() {
  wait_then<&Connection::read_available>(tcp::socket::wait_read);
}

DeadlineQueue& Connection::deadlines() {
  return asio::use_service<DeadlineQueue>(socket_.get_executor().context());
}

void Connection::arm_connect_timeout() {
  deadlines().schedule(*this, broker::Clock::now() + std::chrono::seconds(connect_timeout_seconds_));
}

void Connection::on_deadline() {
  const auto self = shared_from_this();  // what follows may end the connection
  if (keep_alive_seconds_ == 0) {  // the CONNECT timeout
    if (!connected_) finish("no CONNECT within " + std::to_string(connect_timeout_seconds_) + " s");
    return;
  }
  if (broker::Clock::now() - last_packet_ >= keep_alive_limit()) {
    handler_->on_keep_alive_expired();
    return;
  }
  arm_keep_alive();
}

void Connection::continue_handshake() {
  switch (tls_->session->handshake()) {
    case TlsSession::Status::done:
      if (!take_certificate_identity()) return;
      spdlog::debug("{}: {}{}", remote_address_, tls_->session->description(),
                    tls_->common_name ? ", certificate CN " + *tls_->common_name : "");
      read_available();  // the client may have sent its CONNECT with the end of the handshake
      return;
    case TlsSession::Status::want_read: return wait_then<&Connection::continue_handshake>(tcp::socket::wait_read);
    case TlsSession::Status::want_write: return wait_then<&Connection::continue_handshake>(tcp::socket::wait_write);
    case TlsSession::Status::closed: return finish("connection closed by client during the TLS handshake");
    case TlsSession::Status::failed: return finish("TLS handshake failed: " + tls_->session->error());
  }
}

bool Connection::take_certificate_identity() {
  tls_->common_name = tls_->session->peer_subject_field("CN");
  const TlsOptions& options = tls_->context->options();
  if (!options.use_identity_as_username) return true;
  tls_->username = tls_->session->peer_subject_field(options.identity_field);
  if (!tls_->username) {
    finish("the client certificate has no " + options.identity_field + " to use as the username");
    return false;
  }
  return true;
}

std::optional<std::span<const std::uint8_t>> Connection::read_bytes() {
  std::vector<std::uint8_t>& buffer = read_buffer();
  if (!tls_) {
    boost::system::error_code error;
    const std::size_t count = socket_.read_some(asio::buffer(buffer), error);
    if (error == asio::error::would_block) {
      wait_readable();
    } else if (error) {
      finish(error == asio::error::eof ? "connection closed by client" : error.message());
    } else {
      return std::span<const std::uint8_t>(buffer.data(), count);
    }
    return std::nullopt;
  }
  const TlsSession::Transfer transfer = tls_->session->read(buffer);
  if (transfer.bytes > 0) return std::span<const std::uint8_t>(buffer.data(), transfer.bytes);
  switch (transfer.status) {
    case TlsSession::Status::want_read: wait_readable(); break;
    case TlsSession::Status::want_write: wait_then<&Connection::read_available>(tcp::socket::wait_write); break;
    case TlsSession::Status::done:
    case TlsSession::Status::closed: finish("connection closed by client"); break;
    case TlsSession::Status::failed: finish("TLS: " + tls_->session->error()); break;
  }
  return std::nullopt;
}

std::optional<std::span<const std::uint8_t>> Connection::unframe(std::span<const std::uint8_t> bytes) {
  std::vector<std::uint8_t>& payload = websocket_payload_buffer();
  payload.clear();
  std::vector<std::uint8_t> reply;
  const WebSocketFraming::Received received = websocket_->framing.receive(bytes, payload, reply);
  if (!reply.empty()) {
    std::lock_guard lock(out_mutex_);
    std::vector<std::uint8_t>& unframed = websocket_->pending_unframed;
    unframed.insert(unframed.end(), reply.begin(), reply.end());
    if (unframed.size() > max_outgoing_buffer_) {
      cut_off_locked();  // pings from a client that reads no pongs
      return std::nullopt;
    }
    schedule_flush_locked();
  }
  if (!received.close_reason.empty()) {
    close_for(received.close_reason);
    return std::nullopt;
  }
  return std::span<const std::uint8_t>(payload);
}

void Connection::close_for(std::string reason) {
  std::lock_guard lock(out_mutex_);
  if (closing_.load(std::memory_order_relaxed)) return;
  close_reason_ = std::make_unique<std::string>(std::move(reason));
  closing_.store(true, std::memory_order_release);
  schedule_flush_locked();
}

void Connection::read_available() {
  const auto bytes = read_bytes();
  if (!bytes) return;
  last_packet_ = broker::Clock::now();
  broker::WorkerCounters& counters = broker_.counters();
  counters.add(counters.bytes_received, bytes->size());
  const auto unframed = websocket_ ? unframe(*bytes) : bytes;
  if (!unframed) return;
  std::span<const std::uint8_t> input = *unframed;
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
  if (closing_.load(std::memory_order_acquire)) return;  // after a close request nothing more is read
  if (tls_ && bytes->size() == read_buffer().size()) {
    // The TLS session may hold decrypted bytes the socket no longer signals: read on, after other work.
    asio::post(socket_.get_executor(), [self = shared_from_this()] {
      if (!self->finished_) self->read_available();
    });
    return;
  }
  wait_readable();
}

void Connection::shut_down() {
  asio::post(socket_.get_executor(), [self = shared_from_this()] { self->finish("broker shutting down"); });
}

bool Connection::send(mqtt::Packet packet) {
  std::lock_guard lock(out_mutex_);
  if (closing_.load(std::memory_order_relaxed)) return true;  // the connection is going: nothing more is sent
  auto* publish = std::get_if<mqtt::Publish>(&packet);
  const std::size_t before = pending_.size();
  bool new_alias = publish && topic_aliases_ && topic_aliases_->apply(*publish).assigned;
  if (!append_locked(packet)) {
    // A new alias adds three bytes: without it the PUBLISH may still fit.
    if (!new_alias) return false;
    topic_aliases_->undo(*publish);
    new_alias = false;
    if (!append_locked(packet)) return false;
  }
  broker::WorkerCounters& counters = broker_.counters();
  if (publish && publish->qos == mqtt::QoS::at_most_once && pending_.size() > max_outgoing_buffer_) {
    // A client that reads more slowly than its QoS 0 messages come loses the
    // ones beyond the bound ("at most once"), rather than its connection.
    pending_.resize(before);
    if (new_alias) topic_aliases_->undo(*publish);
    counters.add(counters.messages_dropped, 1);
    return true;
  }
  if (publish) counters.add(counters.messages_sent, 1);
  // Anything else beyond the bound (QoS 1/2 deliveries are bounded by the
  // client's Receive Maximum) means a client that does not read at all.
  if (pending_.size() > max_outgoing_buffer_) {
    cut_off_locked();
    return true;
  }
  schedule_flush_locked();
  return true;
}

void Connection::cut_off_locked() {
  const std::size_t unframed = websocket_ ? websocket_->pending_unframed.size() : 0;
  close_reason_ = std::make_unique<std::string>("slow reader: " + std::to_string(pending_.size() + unframed) +
                                               " bytes unsent, more than the bound of " +
                                               std::to_string(max_outgoing_buffer_));
  release(pending_);
  if (websocket_) release(websocket_->pending_unframed);
  closing_.store(true, std::memory_order_release);
  // Not after the write in progress: that may never end.
  asio::post(socket_.get_executor(), [self = shared_from_this()] { self->finish(self->closed_reason()); });
}

std::string Connection::closed_reason() {
  {
    std::lock_guard lock(out_mutex_);
    if (close_reason_) return *close_reason_;
  }
  return handler_ && !handler_->close_reason().empty() ? std::string(handler_->close_reason()) : "closed";
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
    if (websocket_) {
      writing_.swap(websocket_->pending_unframed);
      if (!pending_.empty()) WebSocketFraming::append_frame(pending_, writing_);
      pending_.clear();
    } else {
      writing_.swap(pending_);
    }
    close_now = closing_.load(std::memory_order_relaxed) && writing_.empty();
    if (writing_.empty()) {  // nothing waits: an idle connection keeps no buffer
      release(writing_);
      release(pending_);
      if (websocket_) release(websocket_->pending_unframed);
    }
  }
  if (close_now) {
    finish(closed_reason());
    return;
  }
  if (writing_.empty()) return;
  broker::WorkerCounters& counters = broker_.counters();
  counters.add(counters.bytes_sent, writing_.size());
  write_in_progress_ = true;
  if (tls_) {
    tls_->written = 0;
    continue_tls_write();
    return;
  }
  asio::async_write(
      socket_, asio::buffer(writing_),
      [self = shared_from_this()](const boost::system::error_code& error, std::size_t) { self->on_written(error); });
}

void Connection::continue_tls_write() {
  const TlsSession::Transfer transfer = tls_->session->write(std::span(writing_).subspan(tls_->written));
  tls_->written += transfer.bytes;
  switch (transfer.status) {
    case TlsSession::Status::done: return on_written({});
    case TlsSession::Status::want_write: return wait_then<&Connection::continue_tls_write>(tcp::socket::wait_write);
    case TlsSession::Status::want_read: return wait_then<&Connection::continue_tls_write>(tcp::socket::wait_read);
    case TlsSession::Status::closed: return on_written(asio::error::connection_reset);
    case TlsSession::Status::failed: write_in_progress_ = false; return finish("TLS: " + tls_->session->error());
  }
}

void Connection::on_written(const boost::system::error_code& error) {
  write_in_progress_ = false;
  if (finished_) return;
  if (error) {
    finish(error.message());
    return;
  }
  if (writing_.capacity() > kKeptWriteBuffer) release(writing_);
  flush();  // what was sent meanwhile, or the close; releases the buffers when there is nothing
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
  topic_aliases_ = maximum == 0 ? nullptr : std::make_unique<mqtt::OutgoingTopicAliases>(maximum);
}

void Connection::client_connected(std::string_view client_id) {
  connected_ = true;
  spdlog::info("client {} connected from {} ({}{}{})", client_id, remote_address_, mqtt::to_string(decoder_.version()),
               tls_ && tls_->common_name ? ", certificate CN " + *tls_->common_name : "",
               tls_ && tls_->username ? ", username " + *tls_->username + " from the certificate" : "");
}

std::optional<std::string_view> Connection::certificate_common_name() const {
  if (!tls_ || !tls_->common_name) return std::nullopt;
  return *tls_->common_name;
}

std::optional<std::string_view> Connection::certificate_username() const {
  if (!tls_ || !tls_->username) return std::nullopt;
  return *tls_->username;
}

void Connection::set_keep_alive(std::chrono::seconds interval) {
  keep_alive_seconds_ = static_cast<std::uint16_t>(std::clamp<std::chrono::seconds::rep>(interval.count(), 0, 65535));
  arm_keep_alive();
}

void Connection::arm_keep_alive() {
  if (keep_alive_seconds_ == 0 || finished_) {
    deadlines().cancel(*this);
    return;
  }
  deadlines().schedule(*this, last_packet_ + keep_alive_limit());
}

void Connection::finish(std::string_view why) {
  if (finished_) return;
  finished_ = true;
  deadlines().cancel(*this);
  const std::string& client = handler_->client_id();
  spdlog::info("client {} ({}) disconnected: {}", client.empty() ? "<none>" : client, remote_address_, why);
  // The session is offline before the client can see the end: what is published
  // once it has seen the connection close is queued for its next connection.
  handler_->on_closed(broker::Clock::now());
  handler_.reset();
  if (tls_) tls_->session->shut_down();
  boost::system::error_code ignored;
  socket_.shutdown(tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
  {
    std::lock_guard lock(out_mutex_);
    closing_.store(true, std::memory_order_release);
    release(pending_);
  }
  if (!write_in_progress_) release(writing_);  // else the write's buffer lives until its handler has run
  leave_roster();
}

}  // namespace mqwarden::net

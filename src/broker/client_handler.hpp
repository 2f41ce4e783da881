// ClientHandler: the MQTT protocol as one client connection speaks it to the
// broker — CONNECT and authentication, PUBLISH and the QoS 1/2 exchanges in
// both directions, SUBSCRIBE and UNSUBSCRIBE, PINGREQ, DISCONNECT, the will
// message — turning decoded packets into broker actions and replies.
//
// Sans-I/O: it receives decoded packets and sends through its ClientLink;
// the transport owns the socket and timers. Not thread-safe: used by its
// connection's thread only.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>

#include "broker/broker.hpp"
#include "broker/connection_control.hpp"
#include "mqtt/decode_error.hpp"

namespace mqwarden::broker {

class ClientHandler {
 public:
  ClientHandler(Broker& broker, ConnectionControl& control);
  ~ClientHandler();

  void on_packet(mqtt::Packet&& packet, Clock::time_point now);
  // A packet could not be decoded: answers as the version allows and closes.
  void on_decode_error(const mqtt::DecodeError& error);
  // No packet arrived for 1.5 times the keep-alive: closes (v5: DISCONNECT 0x8D).
  void on_keep_alive_expired();
  // The connection has closed, whatever the cause. Publishes the will unless
  // the client disconnected normally, and releases the session.
  void on_closed(Clock::time_point now);

  bool connected() const { return session_ != nullptr; }
  const std::string& client_id() const { return client_id_; }
  // Why the handler closed the connection, for the transport's log; empty
  // while it has not.
  std::string_view close_reason() const { return close_reason_ ? std::string_view(*close_reason_) : std::string_view(); }

 private:
  void handle(mqtt::Connect&& connect, Clock::time_point now);
  void handle(mqtt::Publish&& publish, Clock::time_point now);
  void handle(mqtt::Puback&& puback, Clock::time_point now);
  void handle(mqtt::Pubrec&& pubrec, Clock::time_point now);
  void handle(mqtt::Pubrel&& pubrel, Clock::time_point now);
  void handle(mqtt::Pubcomp&& pubcomp, Clock::time_point now);
  void handle(mqtt::Subscribe&& subscribe, Clock::time_point now);
  void handle(mqtt::Unsubscribe&& unsubscribe, Clock::time_point now);
  void handle(mqtt::Pingreq&& pingreq, Clock::time_point now);
  void handle(mqtt::Disconnect&& disconnect, Clock::time_point now);
  // Packets a client never sends to a server.
  template <class Packet>
  void handle(Packet&&, Clock::time_point) {
    protocol_error("packet type not sent by clients");
  }

  void refuse_connect(mqtt::ReasonCode reason);
  // Who the client is, from its CONNECT and its transport, with its roles.
  IdentityPtr make_identity(const mqtt::Connect& connect) const;
  // The policy's verdict on the CONNECT and on its will: a refusal code, or nullopt to accept.
  std::optional<mqtt::ReasonCode> connect_refusal(const mqtt::Connect& connect);
  // The tentative subscribe or unsubscribe event of one topic filter.
  policy::Event filter_event(policy::Activity activity, const std::string& filter,
                             std::span<const policy::UserProperty> user_properties) const;
  // The reason code a refusal sends in a packet of `type`: the deny's own
  // code where the protocol allows it there, else 0x87 Not authorized.
  static mqtt::ReasonCode refusal_code(std::optional<std::uint8_t> code, mqtt::PacketType type);
  // Sends a PUBACK, PUBREC or PUBCOMP once what it acknowledges is durable.
  void acknowledge(mqtt::Packet acknowledgement);
  // Runs `acknowledge` (which sends SUBACK or UNSUBACK) once the subscription
  // change holds on every worker and, for a stored session, on disk.
  void acknowledge_subscription_change(std::function<void()> acknowledge);
  // Ends the connection for a protocol violation: DISCONNECT with `reason` for
  // v5 [MQTT-4.13.1-1], a plain close for 3.1.1 [MQTT-4.8.0-1].
  void protocol_error(std::string_view why, mqtt::ReasonCode reason = mqtt::ReasonCode::protocol_error);
  // Closes the connection once, recording `why`; a connected v5 client is
  // first sent DISCONNECT with `reason`.
  void close_connection(std::string why, mqtt::ReasonCode reason);
  bool resolve_topic_alias(mqtt::Publish& publish);
  bool v5() const { return version_ == mqtt::ProtocolVersion::v5; }
  // The handler has closed the connection: what is still in the pipe is ignored.
  bool closing() const { return close_reason_ != nullptr; }
  // $SYS and below: the broker's own topics, which clients read but do not write.
  static bool is_reserved_topic(std::string_view topic) { return topic == "$SYS" || topic.starts_with("$SYS/"); }

  Broker& broker_;
  ConnectionControl& control_;
  std::string client_id_;
  IdentityPtr identity_;  // set once the CONNECT is accepted
  std::shared_ptr<Session> session_;
  // The will and the topic aliases are held out of line: most connections have
  // neither, and an idle connection should stay small.
  std::unique_ptr<mqtt::Will> will_;
  std::uint32_t session_expiry_interval_ = 0;  // seconds; 3.1.1: 0 or "never" for clean session 0
  mqtt::ProtocolVersion version_ = mqtt::ProtocolVersion::v311;  // beside the other small fields
  bool disconnected_normally_ = false;
  std::unique_ptr<std::unordered_map<std::uint16_t, std::string>> topic_aliases_;  // client to broker; made with the first
  // PUBACKs waiting for the store; shared with the store's callbacks. Made
  // with the first such PUBACK, so clients of a broker without a store pay nothing.
  std::shared_ptr<std::atomic<std::size_t>> pubacks_due_;
  std::unique_ptr<std::string> close_reason_;  // set once the handler closes the connection
};

}  // namespace mqwarden::broker

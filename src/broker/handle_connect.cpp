// CONNECT: version, client identifier, authentication, keep-alive, session
// take-over and resumption, and the CONNACK (spec 3.1 and 3.2).

#include <algorithm>

#include "broker/client_handler.hpp"

namespace mqwarden::broker {

using mqtt::PropertyId;
using mqtt::ReasonCode;
using policy::Activity;
using policy::Mode;

ReasonCode ClientHandler::refusal_code(std::optional<std::uint8_t> code, mqtt::PacketType type) {
  if (code && *code >= 0x80 && mqtt::reason_code_allowed(type, static_cast<ReasonCode>(*code))) {
    return static_cast<ReasonCode>(*code);
  }
  return ReasonCode::not_authorized;
}

IdentityPtr ClientHandler::make_identity(const mqtt::Connect& connect) const {
  auto identity = std::make_shared<ClientIdentity>();
  identity->id = client_id_;
  if (auto certificate_username = control_.certificate_username()) {
    identity->username = std::string(*certificate_username);
  } else {
    identity->username = connect.username.value_or("");
  }
  if (auto cn = control_.certificate_common_name()) identity->cn = std::string(*cn);
  set_remote_address(*identity, control_.remote_address());
  identity->protocol = v5() ? 5 : 4;
  broker_.enforcement().complete(*identity);
  return identity;
}

std::optional<ReasonCode> ClientHandler::connect_refusal(const mqtt::Connect& connect) {
  Enforcement& enforcement = broker_.enforcement();
  if (enforcement.bans().banned(identity_->id, identity_->ip, std::chrono::system_clock::now())) {
    return ReasonCode::banned;  // 3.1.1: "not authorized"
  }
  if (enforcement.wants(Mode::tentative, Activity::connect)) {
    const auto user_properties = Enforcement::user_properties(connect.properties);
    policy::Event event = Enforcement::client_event(Mode::tentative, Activity::connect, *identity_);
    event.clean_start = connect.clean_start;
    event.keep_alive_ms = std::int64_t{connect.keep_alive} * 1000;
    if (connect.will) event.will = {connect.will->topic, static_cast<std::uint8_t>(connect.will->qos), connect.will->retain};
    event.user_properties = user_properties;
    const policy::Decision decision = enforcement.decide(event);
    if (decision.denied()) {
      enforcement.counters().denied_connects.fetch_add(1, std::memory_order_relaxed);
      return refusal_code(decision.reason_code, mqtt::PacketType::connack);
    }
  }
  // The will is checked as a publish by this client now, and again when it is published.
  if (connect.will && enforcement.wants(Mode::tentative, Activity::publish)) {
    Message will;
    will.topic = connect.will->topic;
    will.payload = connect.will->payload;
    will.qos = connect.will->qos;
    will.retain = connect.will->retain;
    will.properties = connect.will->properties;
    will.publisher = client_id_;
    will.publisher_identity = identity_;
    if (!broker_.decide_publish(will).allowed) return ReasonCode::not_authorized;
  }
  return std::nullopt;
}

void ClientHandler::refuse_connect(ReasonCode reason) {
  // 3.1.1 clients get the nearest CONNACK return code (the encoder maps it).
  close_reason_ = std::make_unique<std::string>("connection refused: " + std::string(mqtt::to_string(reason)));
  control_.link().send(mqtt::Connack{false, reason, {}});
  control_.link().close(std::nullopt);  // [MQTT-3.2.2-7]: after a refusing CONNACK the server closes
}

void ClientHandler::handle(mqtt::Connect&& connect, Clock::time_point now) {
  if (session_) {
    protocol_error("second CONNECT");  // [MQTT-3.1.0-2]
    return;
  }
  version_ = connect.version;
  control_.set_protocol_version(version_);
  const BrokerOptions& options = broker_.options();
  mqtt::Properties ack_properties;

  if (connect.properties.find(PropertyId::authentication_method)) {
    refuse_connect(ReasonCode::bad_authentication_method);  // enhanced authentication is not offered
    return;
  }

  // Authentication before anything that depends on the client's identity.
  // Without a password file, a user name proves nothing: the client is
  // anonymous, accepted only when anonymous access is (as with Mosquitto).
  const Authenticator* authenticator = broker_.authenticator();
  if (control_.certificate_username()) {
    // Authenticated by the TLS listener, from the client's certificate.
  } else if (connect.username && authenticator != nullptr) {
    if (!authenticator->authenticate(*connect.username, connect.password.value_or(""))) {
      refuse_connect(ReasonCode::bad_user_name_or_password);
      return;
    }
  } else if (!options.allow_anonymous) {
    refuse_connect(connect.username ? ReasonCode::bad_user_name_or_password : ReasonCode::not_authorized);
    return;
  }
  if (connect.will && is_reserved_topic(connect.will->topic)) {
    refuse_connect(ReasonCode::not_authorized);  // no will may write to $SYS
    return;
  }

  client_id_ = std::move(connect.client_id);
  if (client_id_.empty()) {
    if (!v5() && !connect.clean_start) {
      refuse_connect(ReasonCode::client_identifier_not_valid);  // [MQTT-3.1.3-8]
      return;
    }
    client_id_ = broker_.assign_client_id();                                                // [MQTT-3.1.3-6]
    if (v5()) ack_properties.add_text(PropertyId::assigned_client_identifier, client_id_);  // [MQTT-3.1.3-7]
  }

  std::uint16_t keep_alive = connect.keep_alive;
  // With a configured maximum, no keep-alive (0) is too long as well.
  if (keep_alive > options.max_keep_alive || (keep_alive == 0 && options.max_keep_alive < 65535)) {
    if (!v5()) {
      // 3.1.1 has no way to lower the client's keep-alive: refuse (as Mosquitto
      // does, with "identifier rejected") rather than cut the client off later.
      refuse_connect(ReasonCode::client_identifier_not_valid);
      return;
    }
    keep_alive = options.max_keep_alive;
    ack_properties.add_number(PropertyId::server_keep_alive, keep_alive);  // [MQTT-3.2.2-21]
  }

  std::uint16_t client_receive_maximum = options.receive_maximum;
  if (v5()) {
    session_expiry_interval_ = connect.properties.number(PropertyId::session_expiry_interval).value_or(0);
    // The window toward the client: its Receive Maximum, within the broker's own limit.
    client_receive_maximum = static_cast<std::uint16_t>(std::min<std::uint32_t>(
        connect.properties.number(PropertyId::receive_maximum).value_or(65535), options.receive_maximum));
    if (auto size = connect.properties.number(PropertyId::maximum_packet_size))
      control_.set_peer_max_packet_size(*size);
    // Topic Aliases toward the client: as many as it accepts, within the broker's own limit.
    if (auto aliases = connect.properties.number(PropertyId::topic_alias_maximum)) {
      control_.set_peer_topic_alias_maximum(
          static_cast<std::uint16_t>(std::min<std::uint32_t>(*aliases, options.topic_alias_maximum)));
    }
    ack_properties.add_number(PropertyId::receive_maximum, options.receive_maximum);
    ack_properties.add_number(PropertyId::maximum_packet_size, options.max_packet_size);
    if (options.topic_alias_maximum > 0) {
      ack_properties.add_number(PropertyId::topic_alias_maximum, options.topic_alias_maximum);
    }
  } else {
    // 3.1.1: a session with Clean Session 0 lasts until the client cleans it.
    session_expiry_interval_ = connect.clean_start ? 0 : Broker::kNeverExpires;
  }

  // Without a policy nobody asks who the client is: nothing is built.
  if (broker_.enforcement().active()) {
    identity_ = make_identity(connect);
    if (auto refusal = connect_refusal(connect)) {
      refuse_connect(*refusal);
      return;
    }
  }

  will_ = connect.will ? std::make_unique<mqtt::Will>(std::move(*connect.will)) : nullptr;
  const Broker::ConnectRequest request{client_id_, connect.clean_start, session_expiry_interval_,
                                       client_receive_maximum, identity_};
  session_ = broker_
                 .connect(
                     request, control_.shared_link(),
                     [&](bool session_present) {
                       control_.link().send(mqtt::Connack{session_present, ReasonCode::success, std::move(ack_properties)});
                     },
                     now)
                 .session;
  control_.client_connected(client_id_);
  control_.set_keep_alive(std::chrono::seconds(keep_alive));
  if (broker_.enforcement().wants(Mode::actual, Activity::connect)) {
    broker_.enforcement().record(Enforcement::client_event(Mode::actual, Activity::connect, *identity_));
  }
}

}  // namespace mqwarden::broker

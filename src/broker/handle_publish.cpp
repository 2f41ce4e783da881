// PUBLISH from the client and the QoS 1/2 exchanges in both directions
// (spec 3.3-3.7, 4.3).
#include "broker/client_handler.hpp"

namespace mqwarden::broker {

using mqtt::PropertyId;
using mqtt::QoS;
using mqtt::ReasonCode;

bool ClientHandler::resolve_topic_alias(mqtt::Publish& publish) {
  const auto alias = publish.properties.number(PropertyId::topic_alias);
  if (!alias) return true;
  if (*alias > broker_.options().topic_alias_maximum) {  // 0 is refused by the decoder
    protocol_error("Topic Alias above the maximum", ReasonCode::topic_alias_invalid);
    return false;
  }
  const auto key = static_cast<std::uint16_t>(*alias);
  if (!publish.topic.empty()) {
    if (!topic_aliases_) topic_aliases_ = std::make_unique<std::unordered_map<std::uint16_t, std::string>>();
    (*topic_aliases_)[key] = publish.topic;
    return true;
  }
  if (!topic_aliases_ || !topic_aliases_->contains(key)) {
    protocol_error("Topic Alias not set on this connection");
    return false;
  }
  publish.topic = topic_aliases_->at(key);
  return true;
}

void ClientHandler::handle(mqtt::Publish&& publish, Clock::time_point now) {
  if (v5()) {
    if (!resolve_topic_alias(publish)) return;
    if (publish.properties.find(PropertyId::subscription_identifier)) {
      protocol_error("PUBLISH from a client carries a Subscription Identifier");  // [MQTT-3.3.4-6]
      return;
    }
  }
  broker_.count_received_publish();
  const std::uint16_t packet_id = publish.packet_id;
  const QoS qos = publish.qos;
  // The broker's Receive Maximum counts QoS 1 messages until their PUBACK goes
  // out (which waits for the store) and QoS 2 ones until PUBREL. 3.1.1
  // announces none: its clients are held to the packet identifier space only.
  const std::size_t window = v5() ? broker_.options().receive_maximum : 65535;
  const std::size_t pubacks_due = pubacks_due_ ? pubacks_due_->load() : 0;
  if (qos != QoS::at_most_once && pubacks_due >= window) {
    protocol_error("more unacknowledged QoS 1 messages than Receive Maximum", ReasonCode::receive_maximum_exceeded);
    return;
  }
  // $SYS topics are the broker's own: clients read them but do not publish
  // there. Elsewhere the policy decides (and may modify or delay the message).
  ReasonCode outcome = is_reserved_topic(publish.topic) ? ReasonCode::not_authorized : ReasonCode::success;
  std::shared_ptr<Message> message;
  Broker::PublishVerdict verdict;
  if (outcome == ReasonCode::success) {
    message = make_message(std::move(publish), client_id_, now, identity_);
    verdict = broker_.decide_publish(*message);
    if (!verdict.allowed) outcome = refusal_code(verdict.reason_code, mqtt::PacketType::puback);
  }
  const bool refused = mqtt::is_error(outcome);
  // A refused QoS 1/2 message is acknowledged with its reason code in 5.0 and
  // plainly in 3.1.1, which has no way to say no; it is not routed (nor retained).
  if (!v5()) outcome = ReasonCode::success;
  auto route = [&] {
    if (!refused) broker_.publish_admitted(message, verdict.delay, now);
  };
  switch (qos) {
    case QoS::at_most_once: route(); break;
    case QoS::at_least_once:
      route();
      acknowledge(mqtt::Puback{packet_id, outcome, {}});
      break;
    case QoS::exactly_once:
      if (mqtt::is_error(outcome)) {  // a failing PUBREC ends the exchange: nothing to hold
        acknowledge(mqtt::Pubrec{packet_id, outcome, {}});
        break;
      }
      switch (session_->receive_qos2(packet_id, window - pubacks_due)) {
        case Session::Qos2Receipt::new_message: route(); break;
        case Session::Qos2Receipt::duplicate: break;  // routed once already: only acknowledged again [MQTT-4.3.3-9]
        case Session::Qos2Receipt::over_limit:
          protocol_error("more unreleased QoS 2 messages than Receive Maximum", ReasonCode::receive_maximum_exceeded);
          return;
      }
      acknowledge(mqtt::Pubrec{packet_id, ReasonCode::success, {}});
      break;
  }
}

void ClientHandler::acknowledge(mqtt::Packet acknowledgement) {
  // With persistence, a PUBACK, PUBREC or PUBCOMP waits until what its
  // PUBLISH or PUBREL changed is committed; the store runs these in order, so
  // they keep the order of the packets they answer [MQTT-4.6.0-2, -3, -4].
  store::Store* store = broker_.store();
  if (!store) {
    control_.link().send(std::move(acknowledgement));
    return;
  }
  const bool puback = std::holds_alternative<mqtt::Puback>(acknowledgement);
  if (puback) {
    if (!pubacks_due_) pubacks_due_ = std::make_shared<std::atomic<std::size_t>>(0);
    ++*pubacks_due_;
  }
  store->when_durable(
      [link = control_.shared_link(), acknowledgement = std::move(acknowledgement), due = puback ? pubacks_due_ : nullptr]() mutable {
        if (due) --*due;  // before the client can see the PUBACK and send the next PUBLISH
        link->send(std::move(acknowledgement));
      });
}

void ClientHandler::handle(mqtt::Pubrel&& pubrel, Clock::time_point) {
  const bool known = session_->release_qos2(pubrel.packet_id);
  // Sent once the identifier's release is durable: a client may reuse it after PUBCOMP.
  acknowledge(
      mqtt::Pubcomp{pubrel.packet_id, known ? ReasonCode::success : ReasonCode::packet_identifier_not_found, {}});
}

void ClientHandler::handle(mqtt::Puback&& puback, Clock::time_point now) {
  session_->on_puback(puback.packet_id, now);
}

void ClientHandler::handle(mqtt::Pubrec&& pubrec, Clock::time_point now) {
  session_->on_pubrec(pubrec.packet_id, pubrec.reason_code, now);
}

void ClientHandler::handle(mqtt::Pubcomp&& pubcomp, Clock::time_point now) {
  session_->on_pubcomp(pubcomp.packet_id, now);
}

}  // namespace mqwarden::broker

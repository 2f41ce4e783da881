#include "broker/client_handler.hpp"

#include <string>

namespace mqwarden::broker {

ClientHandler::ClientHandler(Broker& broker, ConnectionControl& control)
    : broker_(broker), control_(control) {}

ClientHandler::~ClientHandler() = default;

void ClientHandler::on_packet(mqtt::Packet&& packet, Clock::time_point now) {
  if (closing()) return;  // closing: what is still in the pipe is ignored
  if (!session_ && !std::holds_alternative<mqtt::Connect>(packet)) {
    // [MQTT-3.1.0-1]: the first packet must be CONNECT; close without a reply.
    close_reason_ = std::make_unique<std::string>("first packet was not CONNECT");
    control_.link().close(std::nullopt);
    return;
  }
  std::visit([&](auto&& p) { handle(std::move(p), now); }, std::move(packet));
}

void ClientHandler::on_decode_error(const mqtt::DecodeError& error) {
  if (closing()) return;
  if (!session_) {
    close_reason_ = std::make_unique<std::string>(error.to_string());
    // A CONNECT that could not be accepted. The only refusal a client of
    // either version understands before the version is known is 3.1.1's
    // "unacceptable protocol version" [MQTT-3.1.2-2].
    if (error.reason == mqtt::ReasonCode::unsupported_protocol_version) {
      control_.link().send(mqtt::Connack{false, mqtt::ReasonCode::unsupported_protocol_version, {}});
    }
    control_.link().close(std::nullopt);
    return;
  }
  close_connection(error.to_string(), error.reason);
}

void ClientHandler::protocol_error(std::string_view why, mqtt::ReasonCode reason) {
  close_connection(std::string(mqtt::to_string(reason, mqtt::PacketType::disconnect)) + ": " + std::string(why),
                   reason);
}

void ClientHandler::close_connection(std::string why, mqtt::ReasonCode reason) {
  if (closing()) return;
  close_reason_ = std::make_unique<std::string>(std::move(why));
  control_.link().close(v5() && session_ ? std::optional(reason) : std::nullopt);
}

void ClientHandler::on_keep_alive_expired() {
  close_connection("keep-alive timeout", mqtt::ReasonCode::keep_alive_timeout);
}

void ClientHandler::handle(mqtt::Pingreq&&, Clock::time_point) {
  Enforcement& enforcement = broker_.enforcement();
  if (enforcement.wants(policy::Mode::tentative, policy::Activity::ping)) {
    const auto event = Enforcement::client_event(policy::Mode::tentative, policy::Activity::ping, *identity_);
    const policy::Decision decision = enforcement.decide(event);
    if (decision.denied()) {
      close_connection("ping refused by the policy", refusal_code(decision.reason_code, mqtt::PacketType::disconnect));
      return;
    }
  }
  control_.link().send(mqtt::Pingresp{});
  if (enforcement.wants(policy::Mode::actual, policy::Activity::ping)) {
    enforcement.record(Enforcement::client_event(policy::Mode::actual, policy::Activity::ping, *identity_));
  }
}

void ClientHandler::handle(mqtt::Disconnect&& disconnect, Clock::time_point) {
  if (v5()) {
    if (auto expiry = disconnect.properties.number(mqtt::PropertyId::session_expiry_interval)) {
      if (session_expiry_interval_ == 0 && *expiry != 0) {
        // A session that was to end with the connection may not be prolonged (spec 3.14.2.2.2).
        protocol_error("DISCONNECT sets a Session Expiry Interval after CONNECT set 0");
        return;
      }
      session_expiry_interval_ = *expiry;
    }
  }
  // Only "Normal disconnection" (0x00) discards the will [MQTT-3.1.2-10];
  // 0x04 asks for it, and an error reason leaves it due too.
  disconnected_normally_ = disconnect.reason_code == mqtt::ReasonCode::success;
  close_reason_ = std::make_unique<std::string>("client disconnected");
  control_.link().close(std::nullopt);
}

void ClientHandler::on_closed(Clock::time_point) {
  if (!session_) return;
  Enforcement& enforcement = broker_.enforcement();
  if (enforcement.wants(policy::Mode::actual, policy::Activity::disconnect)) {
    auto event = Enforcement::client_event(policy::Mode::actual, policy::Activity::disconnect, *identity_);
    // "normal" for a DISCONNECT 0x00; else why the connection ended.
    event.reason = disconnected_normally_   ? std::string_view("normal")
                   : closing()             ? close_reason()
                                           : std::string_view("connection lost");
    enforcement.record(event);
  }
  const Broker::SessionFate fate = broker_.disconnect(session_, &control_.link(), session_expiry_interval_);
  if (will_ && !disconnected_normally_) {
    const auto delay =
        std::chrono::seconds(will_->properties.number(mqtt::PropertyId::will_delay_interval).value_or(0));
    mqtt::Publish will{
        will_->topic, 0, will_->qos, will_->retain, false, std::move(will_->properties), std::move(will_->payload)};
    will.properties.remove(mqtt::PropertyId::will_delay_interval);
    // The will goes out when its delay has passed or the session ends, whichever
    // is first; not at all if a new connection resumed the session before [MQTT-3.1.3-9].
    if (delay.count() == 0 || fate == Broker::SessionFate::ended) {
      broker_.publish_will(session_, std::move(will));
    } else if (fate == Broker::SessionFate::kept) {
      broker_.publish_will_later(session_, std::move(will), delay);
    }
  }
  will_.reset();
  session_.reset();
}

}  // namespace mqwarden::broker

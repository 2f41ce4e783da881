// SUBSCRIBE and UNSUBSCRIBE: per-filter validation and reason codes, and the
// retained messages a new subscription receives (spec 3.8-3.11).
#include "broker/client_handler.hpp"
#include "mqtt/topic.hpp"

namespace mqwarden::broker {

using mqtt::PropertyId;
using mqtt::ReasonCode;

namespace {

// Sends `session` the retained messages matching a new subscription.
void send_retained(Broker& broker, Session& session, const std::string& filter, const Subscription& subscription) {
  if (mqtt::parse_shared_subscription(filter)) return;  // not sent to shared subscriptions (spec 4.8.2)
  const Clock::time_point now = Clock::now();
  for (const MessagePtr& message : broker.retained_messages(filter, now)) {
    Delivery delivery{message, std::min(message->qos, subscription.options.max_qos), true, {}};
    if (subscription.identifier != 0) delivery.subscription_identifiers.push_back(subscription.identifier);
    session.deliver(std::move(delivery), now);  // RETAIN set on messages sent for a new subscription [MQTT-3.3.1-9]
  }
}

}  // namespace

void ClientHandler::handle(mqtt::Subscribe&& subscribe, Clock::time_point) {
  const std::uint32_t identifier =
      v5() ? subscribe.properties.number(PropertyId::subscription_identifier).value_or(0) : 0;
  mqtt::Suback suback{subscribe.packet_id, {}, {}};
  std::vector<std::pair<std::string, Subscription>> granted;
  for (mqtt::TopicSubscription& request : subscribe.subscriptions) {
    if (mqtt::validate_topic_filter(request.filter).has_value()) {
      suback.reason_codes.push_back(ReasonCode::topic_filter_invalid);  // 0x80 for 3.1.1
      continue;
    }
    const Subscription subscription{session_->id(), request.options, identifier};
    const bool is_new = broker_.subscribe(session_, request.filter, subscription);
    suback.reason_codes.push_back(static_cast<ReasonCode>(request.options.max_qos));  // granted as requested
    const auto handling = request.options.retain_handling;
    if (handling == mqtt::RetainHandling::send_on_subscribe ||
        (handling == mqtt::RetainHandling::send_if_new_subscription && is_new)) {
      granted.emplace_back(std::move(request.filter), subscription);
    }
  }
  // SUBACK before the retained messages.
  acknowledge_subscription_change([&broker = broker_, link = link_, session = session_, suback = std::move(suback),
                                   granted = std::move(granted)]() mutable {
    link->send(std::move(suback));
    for (const auto& [filter, subscription] : granted) send_retained(broker, *session, filter, subscription);
  });
}

void ClientHandler::acknowledge_subscription_change(std::function<void()> acknowledge) {
  // Once every worker routes by the change, a message published anywhere after
  // the acknowledgement is routed accordingly [MQTT-3.10.4-2]; and a stored
  // session's change must survive a restart once acknowledged, or a client
  // that resumes it would not know to subscribe again.
  store::Store* store = session_->persistent() ? broker_.store() : nullptr;
  broker_.after_replica_updates([store, acknowledge = std::move(acknowledge)]() mutable {
    if (store) {
      store->when_durable(std::move(acknowledge));
    } else {
      acknowledge();
    }
  });
}

void ClientHandler::handle(mqtt::Unsubscribe&& unsubscribe, Clock::time_point) {
  mqtt::Unsuback unsuback{unsubscribe.packet_id, {}, {}};
  for (const std::string& filter : unsubscribe.filters) {
    const bool existed = broker_.unsubscribe(session_, filter);
    unsuback.reason_codes.push_back(existed ? ReasonCode::success : ReasonCode::no_subscription_existed);
  }
  // Reason codes are left out for 3.1.1 by the encoder.
  acknowledge_subscription_change(
      [link = link_, unsuback = std::move(unsuback)]() mutable { link->send(std::move(unsuback)); });
}

}  // namespace mqwarden::broker

// SUBSCRIBE and UNSUBSCRIBE: per-filter validation and reason codes, and the
// retained messages a new subscription receives (spec 3.8-3.11).
#include "broker/client_handler.hpp"
#include "mqtt/topic.hpp"

namespace mqwarden::broker {

using mqtt::PropertyId;
using mqtt::ReasonCode;

using policy::Activity;
using policy::Mode;

namespace {

// Sends `session` the retained messages matching a new subscription, each as the policy decides for it.
void send_retained(Broker& broker, const std::shared_ptr<Session>& session, const std::string& filter,
                   const Subscription& subscription) {
  if (mqtt::parse_shared_subscription(filter)) return;  // not sent to shared subscriptions (spec 4.8.2)
  const Clock::time_point now = Clock::now();
  for (const MessagePtr& message : broker.retained_messages(filter, now)) {
    Delivery delivery{message, std::min(message->qos, subscription.options.max_qos), true, {}};
    if (subscription.identifier != 0) delivery.subscription_identifiers.push_back(subscription.identifier);
    broker.deliver_one(session, std::move(delivery), now);  // RETAIN set on messages sent for a new subscription [MQTT-3.3.1-9]
  }
}

}  // namespace

policy::Event ClientHandler::filter_event(Activity activity, const std::string& filter,
                                          std::span<const policy::UserProperty> user_properties) const {
  policy::Event event = Enforcement::client_event(Mode::tentative, activity, *identity_);
  if (auto shared = mqtt::parse_shared_subscription(filter)) {
    event.topic = shared->filter;
    event.share_group = shared->group;
  } else {
    event.topic = filter;
  }
  event.user_properties = user_properties;
  return event;
}

void ClientHandler::handle(mqtt::Subscribe&& subscribe, Clock::time_point) {
  const std::uint32_t identifier =
      v5() ? subscribe.properties.number(PropertyId::subscription_identifier).value_or(0) : 0;
  mqtt::Suback suback{subscribe.packet_id, {}, {}};
  std::vector<std::pair<std::string, Subscription>> granted;
  Enforcement& enforcement = broker_.enforcement();
  const bool decide = enforcement.wants(Mode::tentative, Activity::subscribe);
  const bool record = enforcement.wants(Mode::actual, Activity::subscribe);
  const auto user_properties =
      decide || record ? Enforcement::user_properties(subscribe.properties) : std::vector<policy::UserProperty>{};
  for (mqtt::TopicSubscription& request : subscribe.subscriptions) {
    if (mqtt::validate_topic_filter(request.filter).has_value()) {
      suback.reason_codes.push_back(ReasonCode::topic_filter_invalid);  // 0x80 for 3.1.1
      continue;
    }
    policy::Event event;
    if (decide || record) {
      event = filter_event(Activity::subscribe, request.filter, user_properties);
      event.qos = static_cast<std::uint8_t>(request.options.max_qos);
    }
    if (decide) {
      const policy::Decision decision = enforcement.decide(event);
      if (decision.denied()) {
        enforcement.counters().denied_subscribes.fetch_add(1, std::memory_order_relaxed);
        suback.reason_codes.push_back(refusal_code(decision.reason_code, mqtt::PacketType::suback));  // 0x80 for 3.1.1
        continue;
      }
    }
    const Subscription subscription{session_->id(), request.options, identifier};
    const bool is_new = broker_.subscribe(session_, request.filter, subscription);
    suback.reason_codes.push_back(static_cast<ReasonCode>(request.options.max_qos));  // granted as requested
    if (record) {
      event.mode = Mode::actual;
      enforcement.record(event);
    }
    const auto handling = request.options.retain_handling;
    if (handling == mqtt::RetainHandling::send_on_subscribe ||
        (handling == mqtt::RetainHandling::send_if_new_subscription && is_new)) {
      granted.emplace_back(std::move(request.filter), subscription);
    }
  }
  // SUBACK before the retained messages.
  acknowledge_subscription_change([&broker = broker_, link = control_.shared_link(), session = session_, suback = std::move(suback),
                                   granted = std::move(granted)]() mutable {
    link->send(std::move(suback));
    for (const auto& [filter, subscription] : granted) send_retained(broker, session, filter, subscription);
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
  Enforcement& enforcement = broker_.enforcement();
  const bool decide = enforcement.wants(Mode::tentative, Activity::unsubscribe);
  const bool record = enforcement.wants(Mode::actual, Activity::unsubscribe);
  const auto user_properties =
      decide || record ? Enforcement::user_properties(unsubscribe.properties) : std::vector<policy::UserProperty>{};
  for (const std::string& filter : unsubscribe.filters) {
    policy::Event event;
    if (decide || record) event = filter_event(Activity::unsubscribe, filter, user_properties);
    if (decide) {
      const policy::Decision decision = enforcement.decide(event);
      if (decision.denied()) {
        // The subscription stays; 3.1.1 has no way to say so.
        enforcement.counters().denied_unsubscribes.fetch_add(1, std::memory_order_relaxed);
        unsuback.reason_codes.push_back(refusal_code(decision.reason_code, mqtt::PacketType::unsuback));
        continue;
      }
    }
    const bool existed = broker_.unsubscribe(session_, filter);
    unsuback.reason_codes.push_back(existed ? ReasonCode::success : ReasonCode::no_subscription_existed);
    if (record) {
      event.mode = Mode::actual;
      enforcement.record(event);
    }
  }
  // Reason codes are left out for 3.1.1 by the encoder.
  acknowledge_subscription_change(
      [link = control_.shared_link(), unsuback = std::move(unsuback)]() mutable { link->send(std::move(unsuback)); });
}

}  // namespace mqwarden::broker

// Broker::restore: the broker's state as the store kept it, put back at startup.
#include <algorithm>

#include "broker/broker.hpp"
#include "broker/stored_form.hpp"

namespace mqwarden::broker {

void Broker::restore(store::StoredState state, Clock::time_point now) {
  next_session_id_ = std::max<SubscriberId>(next_session_id_, state.next_session_id);
  for (auto& [topic, record] : state.retained) {
    auto message = from_record(*record, now);
    if (!message || (*message)->expired(now)) {
      store_->set_retained(topic, nullptr);
      continue;
    }
    retained_.restore(*message);
  }
  for (const auto& [subject, until_ms] : state.bans) {
    enforcement_->bans().restore(subject, std::chrono::system_clock::time_point(std::chrono::milliseconds(until_ms)));
  }
  // Newest first: should a client identifier appear twice, its latest session wins.
  for (auto it = state.sessions.rbegin(); it != state.sessions.rend(); ++it) restore_session(std::move(*it), now);
}

void Broker::restore_session(store::SessionRecord record, Clock::time_point now) {
  // The offline period of a session whose client was connected when the
  // broker stopped starts now.
  const std::int64_t disconnected_at = record.disconnected_at_ms.value_or(unix_now_ms());
  std::chrono::milliseconds left = std::chrono::milliseconds::max();
  if (record.expiry_interval != kNeverExpires) {
    const auto offline = std::chrono::milliseconds(unix_now_ms() - disconnected_at);
    left = std::chrono::seconds(record.expiry_interval) - offline;
  }
  if (record.expiry_interval == 0 || left <= std::chrono::milliseconds::zero() ||
      registry_.contains(record.client_id)) {
    store_->remove_session(record.id);
    return;
  }

  auto session = std::make_shared<Session>(record.client_id, record.id, options_.session_limits);
  for (const store::SubscriptionRecord& stored : record.subscriptions) {
    const Subscription subscription{session->id(), options_from_byte(stored.options), stored.identifier};
    session->restore_subscription(stored.filter, subscription);
    add_to_replicas(session, stored.filter, subscription);
  }
  for (store::DeliveryRecord& stored : record.deliveries) {
    auto message = from_record(*stored.message, now);
    if (!message) {
      store_->remove_delivery(record.id, stored.sequence, stored.message->id);
      continue;
    }
    Delivery delivery{std::move(*message), static_cast<mqtt::QoS>(stored.qos),
                      stored.retain,       std::move(stored.subscription_identifiers),
                      stored.sequence,     stored.message->id};
    session->restore_delivery(std::move(delivery), stored.packet_id, stored.released);
  }
  for (std::uint16_t packet_id : record.incoming_qos2) session->restore_incoming_qos2(packet_id);
  session->set_store(store_);
  store_->save_session(record.id, record.client_id, record.expiry_interval, disconnected_at);
  Registration& registration = registry_[record.client_id];
  registration = Registration{session, nullptr, record.expiry_interval, nullptr};
  if (left != std::chrono::milliseconds::max()) registration.expiry_timer = expire_later(session, left);
}

}  // namespace mqwarden::broker

// Broker::restore: the broker's state as the store kept it, put back at startup.
#include <spdlog/spdlog.h>

#include <algorithm>

#include "broker/broker.hpp"
#include "broker/stored_form.hpp"

namespace mqwarden::broker {
namespace {

// The delivery a stored row describes (queued, in flight or delayed);
// nullopt for a damaged row: its message unreadable, or its QoS not 1 or 2.
std::optional<Delivery> restored_delivery(store::DeliveryRecord& stored, Clock::time_point now) {
  if (stored.qos != 1 && stored.qos != 2) return std::nullopt;
  auto message = from_record(*stored.message, now);
  if (!message) return std::nullopt;
  return Delivery{std::move(*message), static_cast<mqtt::QoS>(stored.qos),
                  stored.retain,       std::move(stored.subscription_identifiers),
                  stored.sequence,     stored.message->id};
}

}  // namespace

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
    auto delivery = restored_delivery(stored, now);
    if (!delivery) {
      spdlog::warn("persistence: a damaged message for \"{}\" is dropped (delivery {})", record.client_id,
                   stored.sequence);
      store_->remove_delivery(record.id, stored.sequence, stored.message->id);
      continue;
    }
    session->restore_delivery(std::move(*delivery), stored.packet_id, stored.released);
  }
  for (std::uint16_t packet_id : record.incoming_qos2) session->restore_incoming_qos2(packet_id);
  session->set_store(store_);
  store_->save_session(record.id, record.client_id, record.expiry_interval, disconnected_at);
  // Not registered yet (checked above): the key is a view of the new session's identifier.
  Registration& registration =
      registry_.try_emplace(session->client_id(), Registration{session, nullptr, record.expiry_interval, nullptr})
          .first->second;
  if (left != std::chrono::milliseconds::max()) registration.expiry_timer = expire_later(session, left);
  for (store::DelayedRecord& stored : record.delayed) restore_delayed(session, stored, now);
}

void Broker::restore_delayed(const std::shared_ptr<Session>& session, store::DelayedRecord& stored,
                             Clock::time_point now) {
  const std::uint64_t row = stored.delivery.sequence;
  const std::uint64_t message_id = stored.delivery.message->id;
  session->restore_delayed(row);
  auto delivery = restored_delivery(stored.delivery, now);
  if (!delivery) {
    spdlog::warn("persistence: a damaged delayed message for \"{}\" is dropped (row {})", session->client_id(), row);
    store_->remove_delayed(session->id(), row, message_id);
    return;
  }
  if (delivery->message->expired(now)) {  // while it waited, the broker down or not [MQTT-3.3.2-5]
    store_->remove_delayed(session->id(), row, message_id);
    return;
  }
  delivery->sequence = 0;  // numbered when it is handed to the session
  delivery->delayed_sequence = row;
  // What is left of the delay (none if it ended while the broker was down;
  // at most the maximum delay now configured), counted against the delay
  // queue's bounds as before the restart.
  const auto left = std::clamp(std::chrono::milliseconds(stored.due_at_ms - unix_now_ms()),
                               std::chrono::milliseconds::zero(), enforcement_->max_delay());
  if (!deliver_after(session, *delivery, left)) store_->remove_delayed(session->id(), row, message_id);
}

}  // namespace mqwarden::broker

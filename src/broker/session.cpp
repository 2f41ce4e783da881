#include "broker/session.hpp"

#include <algorithm>
#include <utility>

#include "broker/stored_form.hpp"

namespace mqwarden::broker {
namespace {

std::size_t delivery_bytes(const Delivery& delivery) {
  return delivery.message->topic.size() + delivery.message->payload.size();
}

}  // namespace

Session::Session(std::string client_id, SubscriberId id, SessionLimits limits)
    : client_id_(std::move(client_id)), id_(id), limits_(limits) {}

Session::Backlog& Session::backlog() {
  if (!backlog_) backlog_ = std::make_unique<Backlog>();
  return *backlog_;
}

void Session::set_identity(IdentityPtr identity) {
  std::lock_guard lock(mutex_);
  identity_ = std::move(identity);
}

IdentityPtr Session::identity() const {
  std::lock_guard lock(mutex_);
  if (!identity_) {
    auto made = std::make_shared<ClientIdentity>();
    made->id = client_id_;
    identity_ = std::move(made);
  }
  return identity_;
}

void Session::set_store(store::Store* store) {
  std::lock_guard lock(mutex_);
  store_ = store;
}

bool Session::persistent() const {
  std::lock_guard lock(mutex_);
  return store_ != nullptr;
}

void Session::deliver(Delivery delivery, Clock::time_point now, store::MessageRecordPtr* shared_record) {
  std::lock_guard lock(mutex_);
  if (ended_) return;  // (a delayed row of the delivery went with the session)
  if (!link_ && delivery.qos == mqtt::QoS::at_most_once) return;  // not kept for an offline client
  store::MessageRecordPtr record;                                 // set when the store keeps this delivery
  if (store_ && delivery.qos != mqtt::QoS::at_most_once) {
    record = stored_message(delivery, now, shared_record);
    delivery.sequence = next_sequence_++;
  }
  if (link_) {
    send_or_queue(std::move(delivery), now, record);
  } else {
    queue(std::move(delivery), record);
  }
}

void Session::hold_delayed(Delivery& delivery, std::int64_t due_at_ms, Clock::time_point now,
                           store::MessageRecordPtr* shared_record) {
  std::lock_guard lock(mutex_);
  if (ended_ || !store_ || delivery.qos == mqtt::QoS::at_most_once) return;
  const store::MessageRecordPtr record = stored_message(delivery, now, shared_record);
  delivery.delayed_sequence = next_sequence_++;
  const store::DeliveryRecord queued{delivery.delayed_sequence, record, static_cast<std::uint8_t>(delivery.qos),
                                     delivery.retain, delivery.subscription_identifiers};
  store_->add_delayed(id_, {queued, due_at_ms});
}

void Session::drop_delayed(Delivery& delivery) {
  std::lock_guard lock(mutex_);
  if (!ended_) forget_delayed(delivery);
}

store::MessageRecordPtr Session::stored_message(Delivery& delivery, Clock::time_point now,
                                                store::MessageRecordPtr* shared_record) {
  store::MessageRecordPtr own;
  store::MessageRecordPtr& slot = shared_record ? *shared_record : own;
  if (!slot) {
    const std::uint64_t id = delivery.stored_message_id != 0 ? delivery.stored_message_id : store_->next_message_id();
    slot = to_record(*delivery.message, id, now);
  }
  delivery.stored_message_id = slot->id;
  return slot;
}

void Session::send_or_queue(Delivery delivery, Clock::time_point now, const store::MessageRecordPtr& new_record) {
  if (delivery.qos != mqtt::QoS::at_most_once && backlog_ &&
      (backlog_->in_flight.size() >= receive_maximum_ || !backlog_->queue.empty() || backlog_->awaiting_resend > 0)) {
    queue(std::move(delivery), new_record);  // keep the order behind what already waits
    return;
  }
  send_new(std::move(delivery), now, new_record);
}

void Session::queue(Delivery delivery, const store::MessageRecordPtr& new_record) {
  const std::size_t bytes = delivery_bytes(delivery);
  Backlog& waiting = backlog();
  if (waiting.queue.size() >= limits_.max_queued_messages || waiting.queued_bytes + bytes > limits_.max_queued_bytes) {
    ++dropped_;
    forget_delayed(delivery);
    return;
  }
  record_placement(delivery, new_record, 0);
  waiting.queued_bytes += bytes;
  waiting.queue.push_back(std::move(delivery));
}

void Session::send_new(Delivery delivery, Clock::time_point now, const store::MessageRecordPtr& new_record) {
  if (delivery.message->expired(now)) {  // [MQTT-3.3.2-5]
    forget_delayed(delivery);            // it comes from the delayed table
    if (!new_record) forget(delivery);   // it waited in the queue, stored
    return;
  }
  if (delivery.qos == mqtt::QoS::at_most_once) {
    link_->send(make_publish(delivery, 0, now));
    return;
  }
  std::list<InFlight>& in_flight = backlog().in_flight;
  const std::uint16_t packet_id = next_packet_id();
  record_placement(delivery, new_record, packet_id);
  const Stage stage = delivery.qos == mqtt::QoS::at_least_once ? Stage::awaiting_puback : Stage::awaiting_pubrec;
  in_flight.push_back(InFlight{packet_id, stage, std::move(delivery)});
  if (!transmit(in_flight.back(), now, /*again=*/false)) {
    // A message too large for the client is discarded as if delivered [MQTT-3.1.2-25].
    forget(in_flight.back().delivery);
    in_flight.pop_back();
  }
}

void Session::record_placement(Delivery& delivery, const store::MessageRecordPtr& new_record, std::uint16_t packet_id) {
  if (!store_ || delivery.sequence == 0) return;
  if (new_record) {
    store_->add_delivery(id_,
                         {delivery.sequence, new_record, static_cast<std::uint8_t>(delivery.qos), delivery.retain,
                          delivery.subscription_identifiers, packet_id, false},
                         std::exchange(delivery.delayed_sequence, 0));
  } else {
    store_->update_delivery(id_, delivery.sequence, packet_id, false);
  }
}

bool Session::transmit(InFlight& entry, Clock::time_point now, bool again) {
  mqtt::Packet packet;
  if (entry.stage == Stage::awaiting_pubcomp) {
    packet = mqtt::Pubrel{entry.packet_id, mqtt::ReasonCode::success, {}};
  } else {
    mqtt::Publish publish = make_publish(entry.delivery, entry.packet_id, now);
    publish.dup = again;  // [MQTT-3.3.1-1]
    packet = std::move(publish);
  }
  // A stored QoS 2 PUBLISH or PUBREL goes out only once the state it puts the
  // client in is on disk: after a crash the broker must resend that very
  // packet identifier, or the client would take a resend for a new message.
  // Whatever follows it while it waits waits too, to keep the order.
  const bool stored_qos2 = store_ && entry.delivery.sequence != 0 && entry.delivery.qos == mqtt::QoS::exactly_once;
  std::shared_ptr<std::atomic<std::size_t>>& waiting_sends = backlog().waiting_sends;
  if (!stored_qos2 && (!waiting_sends || *waiting_sends == 0)) return link_->send(std::move(packet));
  if (!waiting_sends) waiting_sends = std::make_shared<std::atomic<std::size_t>>(0);
  ++*waiting_sends;
  store_->when_durable([session = weak_from_this(), link = link_, waiting = waiting_sends, packet = std::move(packet),
                        packet_id = entry.packet_id]() mutable {
    const bool sent = link->send(std::move(packet));
    --*waiting;  // after the send: a PUBLISH given now must not overtake this one
    if (sent) return;
    if (auto self = session.lock()) self->discard_unsendable(packet_id, link.get());
  });
  return true;
}

void Session::discard_unsendable(std::uint16_t packet_id, const ClientLink* link) {
  std::lock_guard lock(mutex_);
  if (link_.get() != link) return;  // another connection took over and resends it itself
  if (auto entry = find_in_flight(packet_id)) complete(*entry, Clock::now());
}

void Session::fill_window(Clock::time_point now) {
  if (!backlog_) return;
  Backlog& waiting = *backlog_;
  for (auto it = waiting.in_flight.begin(); link_ && waiting.awaiting_resend > 0 && sent_in_flight() < receive_maximum_;) {
    if (!it->awaiting_resend) {
      ++it;
      continue;
    }
    it->awaiting_resend = false;
    --waiting.awaiting_resend;
    if (transmit(*it, now, /*again=*/true)) {
      ++it;
    } else {
      // Too large for the new connection's Maximum Packet Size: discarded as if delivered [MQTT-3.1.2-25].
      forget(it->delivery);
      it = waiting.in_flight.erase(it);
    }
  }
  while (link_ && waiting.awaiting_resend == 0 && !waiting.queue.empty() && waiting.in_flight.size() < receive_maximum_) {
    Delivery next = std::move(waiting.queue.front());
    waiting.queue.pop_front();
    waiting.queued_bytes -= delivery_bytes(next);
    send_new(std::move(next), now, nullptr);
  }
}

void Session::forget(const Delivery& delivery) {
  if (store_ && delivery.sequence != 0) store_->remove_delivery(id_, delivery.sequence, delivery.stored_message_id);
}

void Session::forget_delayed(Delivery& delivery) {
  if (store_ && delivery.delayed_sequence != 0) {
    store_->remove_delayed(id_, std::exchange(delivery.delayed_sequence, 0), delivery.stored_message_id);
  }
}

void Session::complete(std::list<InFlight>::iterator entry, Clock::time_point now) {
  if (entry->awaiting_resend) --backlog_->awaiting_resend;  // acknowledged before it was sent again
  forget(entry->delivery);
  backlog_->in_flight.erase(entry);
  fill_window(now);
  release_backlog_if_idle();
}

void Session::release_backlog_if_idle() {
  const Backlog& waiting = *backlog_;
  const bool sends_waiting = waiting.waiting_sends && *waiting.waiting_sends != 0;
  if (waiting.in_flight.empty() && waiting.queue.empty() && waiting.incoming_qos2.empty() && !waiting.deferred_will &&
      waiting.will_timer.expired() && !sends_waiting) {
    backlog_.reset();
  }
}

void Session::restore_delivery(Delivery delivery, std::uint16_t packet_id, bool released) {
  std::lock_guard lock(mutex_);
  next_sequence_ = std::max(next_sequence_, delivery.sequence + 1);
  Backlog& waiting = backlog();
  if (packet_id == 0) {
    waiting.queued_bytes += delivery_bytes(delivery);
    waiting.queue.push_back(std::move(delivery));
    return;
  }
  const Stage stage = released                                   ? Stage::awaiting_pubcomp
                      : delivery.qos == mqtt::QoS::at_least_once ? Stage::awaiting_puback
                                                                 : Stage::awaiting_pubrec;
  last_packet_id_ = packet_id;
  waiting.in_flight.push_back(InFlight{packet_id, stage, std::move(delivery)});
}

void Session::restore_incoming_qos2(std::uint16_t packet_id) {
  std::lock_guard lock(mutex_);
  backlog().incoming_qos2.insert(packet_id);
}

void Session::restore_subscription(const std::string& filter, const Subscription& subscription) {
  std::lock_guard lock(mutex_);
  subscriptions_.insert_or_assign(filter, subscription);
}

void Session::restore_delayed(std::uint64_t sequence) {
  std::lock_guard lock(mutex_);
  next_sequence_ = std::max(next_sequence_, sequence + 1);
}

std::uint16_t Session::next_packet_id() {
  // The window is at most 65,535 wide, so a free identifier exists.
  do {
    last_packet_id_ = static_cast<std::uint16_t>(last_packet_id_ == 65535 ? 1 : last_packet_id_ + 1);
  } while (find_in_flight(last_packet_id_));
  return last_packet_id_;
}

std::optional<std::list<Session::InFlight>::iterator> Session::find_in_flight(std::uint16_t packet_id) {
  if (!backlog_) return std::nullopt;
  std::list<InFlight>& in_flight = backlog_->in_flight;
  const auto entry = std::find_if(in_flight.begin(), in_flight.end(),
                                  [packet_id](const InFlight& candidate) { return candidate.packet_id == packet_id; });
  if (entry == in_flight.end()) return std::nullopt;
  return entry;
}

void Session::attach(std::shared_ptr<ClientLink> link, std::uint16_t receive_maximum, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  link_ = std::move(link);
  receive_maximum_ = receive_maximum;
  ++attach_count_;
  if (!backlog_) return;
  Backlog& waiting = *backlog_;
  waiting.deferred_will.reset();
  if (auto timer = std::exchange(waiting.will_timer, {}).lock()) timer->cancel();
  // Everything in flight is sent again, in order [MQTT-4.4.0-1], but no more
  // at once than the new connection's Receive Maximum [MQTT-3.3.4-7].
  for (InFlight& entry : waiting.in_flight) entry.awaiting_resend = true;
  waiting.awaiting_resend = waiting.in_flight.size();
  fill_window(now);
  release_backlog_if_idle();  // the dropped will may have been all it held
}

void Session::detach(const ClientLink* link) {
  std::lock_guard lock(mutex_);
  if (link_.get() == link) link_.reset();
}

bool Session::attached() const {
  std::lock_guard lock(mutex_);
  return link_ != nullptr;
}

std::uint64_t Session::attach_count() const {
  std::lock_guard lock(mutex_);
  return attach_count_;
}

bool Session::defer_will(mqtt::Publish will) {
  std::lock_guard lock(mutex_);
  if (link_ || ended_) return false;
  backlog().deferred_will = std::make_unique<mqtt::Publish>(std::move(will));
  return true;
}

void Session::set_will_timer(std::shared_ptr<ScheduledTask> timer, std::uint64_t attach_count) {
  std::lock_guard lock(mutex_);
  if (link_ || ended_ || attach_count != attach_count_) {
    timer->cancel();  // the client came back (or the session ended) before the timer was set
    return;
  }
  if (auto previous = std::exchange(backlog().will_timer, timer).lock()) previous->cancel();
}

std::optional<mqtt::Publish> Session::take_deferred_will() {
  std::lock_guard lock(mutex_);
  if (!backlog_) return std::nullopt;
  const std::unique_ptr<mqtt::Publish> will = std::move(backlog_->deferred_will);
  if (!will) return std::nullopt;
  return std::move(*will);
}

bool Session::on_puback(std::uint16_t packet_id, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  const auto entry = find_in_flight(packet_id);
  if (!entry || (*entry)->stage != Stage::awaiting_puback) return false;
  complete(*entry, now);
  return true;
}

bool Session::on_pubrec(std::uint16_t packet_id, mqtt::ReasonCode reason, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  const auto entry = find_in_flight(packet_id);
  if (entry && (*entry)->stage == Stage::awaiting_pubcomp) {
    const auto it = *entry;
    // A repeated PUBREC: the PUBREL may have been lost [MQTT-4.3.3-4].
    if (it->awaiting_resend) {  // this PUBREL is its resend
      it->awaiting_resend = false;
      --backlog_->awaiting_resend;
    }
    if (link_) transmit(*it, now, /*again=*/true);
    return true;
  }
  if (!entry || (*entry)->stage != Stage::awaiting_pubrec) {
    // Unknown identifier: tell the client, which can then discard its state.
    if (link_) link_->send(mqtt::Pubrel{packet_id, mqtt::ReasonCode::packet_identifier_not_found, {}});
    return false;
  }
  const auto it = *entry;
  if (mqtt::is_error(reason)) {  // the client refused the message: the exchange ends here
    complete(it, now);
    return true;
  }
  it->stage = Stage::awaiting_pubcomp;
  if (it->awaiting_resend) {  // the PUBREL below is its resend
    it->awaiting_resend = false;
    --backlog_->awaiting_resend;
  }
  if (store_ && it->delivery.sequence != 0) store_->update_delivery(id_, it->delivery.sequence, packet_id, true);
  if (link_) transmit(*it, now, /*again=*/false);
  return true;
}

bool Session::on_pubcomp(std::uint16_t packet_id, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  const auto entry = find_in_flight(packet_id);
  if (!entry || (*entry)->stage != Stage::awaiting_pubcomp) return false;
  complete(*entry, now);
  return true;
}

Session::Qos2Receipt Session::receive_qos2(std::uint16_t packet_id, std::size_t limit) {
  std::lock_guard lock(mutex_);
  std::set<std::uint16_t>& received = backlog().incoming_qos2;
  if (received.contains(packet_id)) return Qos2Receipt::duplicate;
  if (received.size() >= limit) return Qos2Receipt::over_limit;
  received.insert(packet_id);
  if (store_ && !ended_) store_->add_incoming_qos2(id_, packet_id);  // an ended session is gone from the store
  return Qos2Receipt::new_message;
}

bool Session::release_qos2(std::uint16_t packet_id) {
  std::lock_guard lock(mutex_);
  if (!backlog_ || backlog_->incoming_qos2.erase(packet_id) == 0) return false;
  if (store_) store_->remove_incoming_qos2(id_, packet_id);
  release_backlog_if_idle();
  return true;
}

std::optional<bool> Session::record_subscription(const std::string& filter, const Subscription& subscription,
                                                 const std::function<void()>& update_replicas) {
  std::lock_guard lock(mutex_);
  if (ended_) return std::nullopt;
  const bool is_new = subscriptions_.insert_or_assign(filter, subscription).second;
  if (store_) store_->save_subscription(id_, {filter, options_byte(subscription.options), subscription.identifier});
  update_replicas();
  return is_new;
}

bool Session::forget_subscription(const std::string& filter, const std::function<void()>& update_replicas) {
  std::lock_guard lock(mutex_);
  if (subscriptions_.erase(filter) == 0) return false;
  if (store_) store_->remove_subscription(id_, filter);
  update_replicas();
  return true;
}

void Session::end(const std::function<void(const std::map<std::string, Subscription>&)>& remove_from_replicas) {
  std::lock_guard lock(mutex_);
  if (ended_) return;
  ended_ = true;
  if (backlog_) {
    if (auto timer = std::exchange(backlog_->will_timer, {}).lock()) timer->cancel();
    // The deferred will stays: the broker publishes it as the session ends.
    backlog_->queue.clear();
    backlog_->queued_bytes = 0;
    backlog_->in_flight.clear();
    backlog_->awaiting_resend = 0;
    backlog_->incoming_qos2.clear();
  }
  if (store_) store_->remove_session(id_);
  link_.reset();
  remove_from_replicas(subscriptions_);
  subscriptions_.clear();
}

std::size_t Session::subscription_count() const {
  std::lock_guard lock(mutex_);
  return subscriptions_.size();
}

std::uint64_t Session::dropped() const {
  std::lock_guard lock(mutex_);
  return dropped_;
}

std::size_t Session::queued() const {
  std::lock_guard lock(mutex_);
  return backlog_ ? backlog_->queue.size() : 0;
}

std::size_t Session::in_flight() const {
  std::lock_guard lock(mutex_);
  return backlog_ ? backlog_->in_flight.size() : 0;
}

}  // namespace mqwarden::broker

#include "broker/enforcement.hpp"

#include <spdlog/spdlog.h>

#include <bit>
#include <chrono>

namespace mqwarden::broker {

using policy::Activity;
using policy::Mode;

void set_remote_address(ClientIdentity& identity, std::string_view address_and_port) {
  const std::size_t colon = address_and_port.rfind(':');
  std::string_view address = address_and_port.substr(0, colon);
  if (address.size() >= 2 && address.front() == '[' && address.back() == ']') {
    address = address.substr(1, address.size() - 2);
  }
  identity.ip = std::string(address);
  identity.port = 0;
  if (colon == std::string_view::npos) return;
  unsigned port = 0;
  for (char c : address_and_port.substr(colon + 1)) {
    if (c < '0' || c > '9' || port > 65535) return;
    port = port * 10 + static_cast<unsigned>(c - '0');
  }
  if (port <= 65535) identity.port = static_cast<std::uint16_t>(port);
}

MessageFacts::MessageFacts(const Message& message)
    : message_(message),
      payload_(std::string_view(message.payload)),
      user_properties_(Enforcement::user_properties(message.properties)) {}

void MessageFacts::fill(policy::Event& event) const {
  event.topic = message_.topic;
  event.qos = static_cast<std::uint8_t>(message_.qos);
  event.retain = message_.retain;
  event.payload = &payload_;
  event.content_type = message_.properties.text(mqtt::PropertyId::content_type).value_or("");
  event.user_properties = user_properties_;
}

Enforcement::Enforcement(std::shared_ptr<policy::Engine> engine, EnforcementOptions options)
    : engine_(std::move(engine)), options_(std::move(options)) {}

void Enforcement::set_identity_directory(std::shared_ptr<const IdentityDirectory> directory) {
  std::lock_guard lock(directory_mutex_);
  directory_ = std::move(directory);
}

void Enforcement::complete(ClientIdentity& identity) const {
  std::shared_ptr<const IdentityDirectory> directory;
  {
    std::lock_guard lock(directory_mutex_);
    directory = directory_;
  }
  if (directory) directory->complete(identity);
}

std::vector<policy::UserProperty> Enforcement::user_properties(const mqtt::Properties& properties) {
  std::vector<policy::UserProperty> out;
  for (const mqtt::Property& property : properties) {
    if (property.id == mqtt::PropertyId::user_property) out.push_back({property.text, property.value});
  }
  return out;
}

std::int64_t Enforcement::now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

policy::Event Enforcement::client_event(Mode mode, Activity activity, const ClientIdentity& client) {
  policy::Event event;
  event.mode = mode;
  event.activity = activity;
  event.time_ms = now_ms();
  event.client = client.view();
  return event;
}

policy::Event Enforcement::message_event(Mode mode, Activity activity, const Message& message,
                                         const MessageFacts& facts) {
  policy::Event event;
  event.mode = mode;
  event.activity = activity;
  event.time_ms = now_ms();
  if (message.publisher_identity) {
    event.client = message.publisher_identity->view();
  } else {
    event.client.id = message.publisher;
  }
  facts.fill(event);
  return event;
}

policy::Decision Enforcement::decide(const policy::Event& event) {
  policy::Decision decision = engine_->decide(event);
  dispatch(decision, event);
  return decision;
}

void Enforcement::record(const policy::Event& event) {
  if (!engine_ || !engine_->wants(Mode::actual, event.activity)) return;
  dispatch(engine_->decide(event), event);
}

policy::PublicationContext Enforcement::prepare_delivery(const policy::Event& delivery) const {
  return engine_->prepare_delivery(delivery);
}

policy::Decision Enforcement::decide_delivery(const policy::PublicationContext& publication,
                                              const policy::Identity& subscriber) {
  policy::Decision decision = engine_->decide_delivery(publication, subscriber);
  if (!decision.reactions.empty()) {
    policy::Event event = publication.event();
    event.subscriber = subscriber;
    dispatch(decision, event);
  }
  return decision;
}

void Enforcement::dispatch(const policy::Decision& decision, const policy::Event& event) {
  for (const policy::Reaction& reaction : decision.reactions) {
    if (reactions_ != nullptr && reactions_->submit(reaction, event)) continue;
    const std::uint64_t dropped = counters_.dropped_reactions.fetch_add(1, std::memory_order_relaxed) + 1;
    if (std::has_single_bit(dropped)) {  // logged at 1, 2, 4, 8...: a flood does not flood the log
      spdlog::warn("reaction {} of rule {} dropped (the reaction queue is full): {} dropped so far", reaction.name,
                   reaction.rule, dropped);
    }
  }
}

bool Enforcement::reserve_delay(std::size_t bytes) {
  const std::size_t messages = delayed_messages_.fetch_add(1) + 1;
  const std::size_t total_bytes = delayed_bytes_.fetch_add(bytes) + bytes;
  if (messages > options_.max_delayed_messages || total_bytes > options_.max_delayed_bytes) {
    release_delay(bytes);
    const std::uint64_t dropped = counters_.dropped_delays.fetch_add(1, std::memory_order_relaxed) + 1;
    if (std::has_single_bit(dropped)) {  // logged at 1, 2, 4, 8...: a flood does not flood the log
      spdlog::warn("delay queue full ({} messages, {} bytes): {} delayed delivery(ies) dropped so far",
                   options_.max_delayed_messages, options_.max_delayed_bytes, dropped);
    }
    return false;
  }
  counters_.delayed_deliveries.fetch_add(1, std::memory_order_relaxed);
  return true;
}

void Enforcement::release_delay(std::size_t bytes) {
  delayed_messages_.fetch_sub(1);
  delayed_bytes_.fetch_sub(bytes);
}

}  // namespace mqwarden::broker

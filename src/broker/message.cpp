#include "broker/message.hpp"

namespace mqwarden::broker {

using mqtt::PropertyId;

std::shared_ptr<Message> make_message(mqtt::Publish&& publish, std::string publisher, Clock::time_point now,
                                      IdentityPtr publisher_identity) {
  auto message = std::make_shared<Message>();
  message->topic = std::move(publish.topic);
  message->payload = std::move(publish.payload);
  message->qos = publish.qos;
  message->retain = publish.retain;
  message->publisher = std::move(publisher);
  message->publisher_identity = std::move(publisher_identity);
  if (auto expiry = publish.properties.number(PropertyId::message_expiry_interval)) {
    message->expires_at = now + std::chrono::seconds(*expiry);
  }
  message->properties = std::move(publish.properties);
  message->properties.remove(PropertyId::topic_alias);
  message->properties.remove(PropertyId::message_expiry_interval);
  message->properties.remove(PropertyId::subscription_identifier);
  return message;
}

mqtt::Publish make_publish(const Delivery& delivery, std::uint16_t packet_id, Clock::time_point now) {
  const Message& message = *delivery.message;
  mqtt::Publish publish{message.topic, packet_id,          delivery.qos,   delivery.retain,
                        false,         message.properties, message.payload};
  if (message.expires_at) {
    const auto left = std::chrono::ceil<std::chrono::seconds>(*message.expires_at - now).count();
    publish.properties.add_number(PropertyId::message_expiry_interval,
                                  static_cast<std::uint32_t>(std::max<std::int64_t>(left, 0)));
  }
  for (std::uint32_t identifier : delivery.subscription_identifiers) {
    publish.properties.add_number(PropertyId::subscription_identifier, identifier);
  }
  return publish;
}

}  // namespace mqwarden::broker

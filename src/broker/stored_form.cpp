#include "broker/stored_form.hpp"

#include "mqtt/decoder.hpp"
#include "mqtt/encoder.hpp"

namespace mqwarden::broker {
std::int64_t unix_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::int64_t to_unix_ms(Clock::time_point time, Clock::time_point now) {
  return unix_now_ms() + std::chrono::duration_cast<std::chrono::milliseconds>(time - now).count();
}

Clock::time_point from_unix_ms(std::int64_t unix_ms, Clock::time_point now) {
  return now + std::chrono::milliseconds(unix_ms - unix_now_ms());
}

store::MessageRecordPtr to_record(const Message& message, std::uint64_t id, Clock::time_point now) {
  auto record = std::make_shared<store::MessageRecord>();
  record->id = id;
  record->publisher = message.publisher;
  if (message.expires_at) record->expires_at_ms = to_unix_ms(*message.expires_at, now);
  const std::uint16_t packet_id = message.qos == mqtt::QoS::at_most_once ? 0 : 1;  // any, for the encoder
  const mqtt::Publish publish{message.topic, packet_id,          message.qos,    message.retain,
                              false,         message.properties, message.payload};
  // A message the broker accepted is encodable: it was decoded from a PUBLISH.
  (void)mqtt::encode(publish, mqtt::ProtocolVersion::v5, record->packet);
  return record;
}

std::optional<MessagePtr> from_record(const store::MessageRecord& record, Clock::time_point now) {
  mqtt::Decoder decoder({.max_packet_size = 0xFFFFFFFF, .version = mqtt::ProtocolVersion::v5});
  std::span<const std::uint8_t> input(record.packet);
  auto decoded = decoder.decode(input);
  auto* packet = std::get_if<mqtt::Packet>(&decoded);
  auto* publish = packet ? std::get_if<mqtt::Publish>(packet) : nullptr;
  if (!publish) return std::nullopt;
  auto message = std::make_shared<Message>();
  message->topic = std::move(publish->topic);
  message->payload = std::move(publish->payload);
  message->qos = publish->qos;
  message->retain = publish->retain;
  message->properties = std::move(publish->properties);
  message->publisher = record.publisher;
  if (record.expires_at_ms) message->expires_at = from_unix_ms(*record.expires_at_ms, now);
  return MessagePtr(std::move(message));
}

std::uint8_t options_byte(const mqtt::SubscribeOptions& options) {
  return static_cast<std::uint8_t>(static_cast<unsigned>(options.max_qos) | (options.no_local ? 0x04u : 0u) |
                                   (options.retain_as_published ? 0x08u : 0u) |
                                   (static_cast<unsigned>(options.retain_handling) << 4));
}

mqtt::SubscribeOptions options_from_byte(std::uint8_t byte) {
  mqtt::SubscribeOptions options;
  options.max_qos = static_cast<mqtt::QoS>(byte & 0x03);
  options.no_local = (byte & 0x04) != 0;
  options.retain_as_published = (byte & 0x08) != 0;
  options.retain_handling = static_cast<mqtt::RetainHandling>((byte >> 4) & 0x03);
  return options;
}

}  // namespace mqwarden::broker

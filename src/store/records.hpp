// The records the store keeps, in its own terms: plain values the broker
// converts its messages and sessions to and from. A message is kept as the
// MQTT 5.0 PUBLISH packet that carries it (topic, payload, QoS, RETAIN and
// properties in one blob the codec already knows how to read back).
// Plain values; thread-compatible.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace mqwarden::store {

struct MessageRecord {
  std::uint64_t id = 0;                       // unique in the database
  std::vector<std::uint8_t> packet;           // the message as an MQTT 5.0 PUBLISH packet
  std::string publisher;                      // the client identifier that published it
  std::optional<std::int64_t> expires_at_ms;  // Unix time in milliseconds; none: never expires
};
using MessageRecordPtr = std::shared_ptr<const MessageRecord>;

struct SubscriptionRecord {
  std::string filter;
  std::uint8_t options = 0;  // the SUBSCRIBE options byte of MQTT 5.0
  std::uint32_t identifier = 0;
};

// One message for one session: queued (packet_id 0), or in flight under
// `packet_id` (released: PUBREC received, PUBCOMP awaited).
struct DeliveryRecord {
  std::uint64_t sequence = 0;  // order of arrival within the session
  MessageRecordPtr message;
  std::uint8_t qos = 1;
  bool retain = false;
  std::vector<std::uint32_t> subscription_identifiers;
  std::uint16_t packet_id = 0;
  bool released = false;
};

// One message a policy's `delay` holds for one session until `due_at_ms`
// (Unix ms); then it becomes a delivery of the session. Kept in the form of a
// queued delivery (packet_id 0): `delivery.sequence` numbers the row, from the
// same sequence as the session's deliveries.
struct DelayedRecord {
  DeliveryRecord delivery;
  std::int64_t due_at_ms = 0;
};

struct SessionRecord {
  std::uint64_t id = 0;
  std::string client_id;
  std::uint32_t expiry_interval = 0;               // seconds; 0xFFFFFFFF: never
  std::optional<std::int64_t> disconnected_at_ms;  // Unix ms; none: connected when last written
  std::vector<SubscriptionRecord> subscriptions;
  std::vector<DeliveryRecord> deliveries;    // by sequence
  std::vector<std::uint16_t> incoming_qos2;  // QoS 2 packet identifiers awaiting PUBREL
  std::vector<DelayedRecord> delayed;        // by sequence
};

// An owner's consent decision for a recipient and a purpose (the context
// layer's consent registry).
struct ConsentRecord {
  std::string owner;
  std::string recipient;  // a client id, or `role:<name>`
  std::string purpose;
  bool granted = false;
  std::int64_t time_ms = 0;                // when it was decided (Unix ms)
  std::optional<std::int64_t> expires_ms;  // a grant's end; none: until withdrawn
};

// Everything a broker needs to resume after a restart.
struct StoredState {
  std::vector<SessionRecord> sessions;
  std::vector<std::pair<std::string, MessageRecordPtr>> retained;  // by topic
  std::vector<std::pair<std::string, std::int64_t>> bans;          // subject, until (Unix ms)
  std::vector<ConsentRecord> consents;
  std::uint64_t next_session_id = 1;                               // above every stored id
};

}  // namespace mqwarden::store

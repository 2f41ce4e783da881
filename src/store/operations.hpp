// The write operations the Store records and its writer applies, one struct
// per kind. Internal to src/store. Plain values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>

#include "store/records.hpp"

namespace mqwarden::store {

struct SaveSession {
  std::uint64_t session;
  std::string client_id;
  std::uint32_t expiry_interval;
  std::optional<std::int64_t> disconnected_at_ms;
};
struct RemoveSession {
  std::uint64_t session;
};
struct SaveSubscription {
  std::uint64_t session;
  SubscriptionRecord subscription;
};
struct RemoveSubscription {
  std::uint64_t session;
  std::string filter;
};
struct AddDelivery {
  std::uint64_t session;
  DeliveryRecord delivery;
  std::uint64_t from_delayed;  // the delayed row it replaces, removed in the same write; 0: none
};
struct UpdateDelivery {
  std::uint64_t session;
  std::uint64_t sequence;
  std::uint16_t packet_id;
  bool released;
};
struct RemoveDelivery {
  std::uint64_t session;
  std::uint64_t sequence;
  std::uint64_t message_id;
};
struct AddDelayed {
  std::uint64_t session;
  DelayedRecord delayed;
};
struct RemoveDelayed {
  std::uint64_t session;
  std::uint64_t sequence;
  std::uint64_t message_id;
};
struct AddIncomingQos2 {
  std::uint64_t session;
  std::uint16_t packet_id;
};
struct RemoveIncomingQos2 {
  std::uint64_t session;
  std::uint16_t packet_id;
};
struct SetRetained {
  std::string topic;
  MessageRecordPtr message;  // null: clear
};

struct SaveBan {
  std::string subject;
  std::int64_t until_ms;
  std::int64_t now_ms;  // bans that ended by then are deleted
};

struct SaveConsent {
  ConsentRecord consent;
};

using Operation =
    std::variant<SaveSession, RemoveSession, SaveSubscription, RemoveSubscription, AddDelivery, UpdateDelivery,
                 RemoveDelivery, AddDelayed, RemoveDelayed, AddIncomingQos2, RemoveIncomingQos2, SetRetained, SaveBan,
                 SaveConsent>;

}  // namespace mqwarden::store

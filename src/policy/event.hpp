// The event a host offers to the policy engine at an enforcement point
// (docs/policy-engine.md, "Events"): what the broker fills in for connect,
// subscribe, unsubscribe, publish, deliver, ping, disconnect, situation and
// context events.
//
// Cheap to build: every field is a view into data the host owns and keeps
// alive until the decision returns (the decision itself owns what it keeps).
// Fields an activity does not have are left at their defaults.
//
// Thread safety: an Event is plain data. A Payload parses its JSON at most
// once, lazily, under std::call_once: one Payload may be shared by the
// deliver events of all subscribers of a publication, on any threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <string_view>

#include "policy/ast.hpp"
#include "policy/value.hpp"

namespace mqwarden::policy {

// `client.*`, `publisher.*`, `subscriber.*`.
struct Identity {
  std::string_view id;
  std::string_view username;
  std::string_view cn;  // certificate common name; "" without a client certificate
  std::string_view ip;
  std::uint16_t port = 0;
  std::uint8_t protocol = 5;                   // 4: MQTT 3.1.1, 5: MQTT 5.0
  std::span<const std::string> roles;          // from the identity store
  const nlohmann::json* attributes = nullptr;  // `attr.<name>`; null: none
};

struct UserProperty {
  std::string_view name;
  std::string_view value;
};

struct Will {
  std::string_view topic;  // "" without a will
  std::uint8_t qos = 0;
  bool retain = false;
};

// A message's payload: its bytes, and its JSON parsed on first request.
class Payload {
 public:
  explicit Payload(std::span<const std::byte> bytes) : bytes_(bytes) {}
  explicit Payload(std::string_view text) : bytes_(std::as_bytes(std::span(text.data(), text.size()))) {}
  Payload(const Payload&) = delete;
  Payload& operator=(const Payload&) = delete;

  std::span<const std::byte> bytes() const { return bytes_; }
  std::string_view text() const { return {reinterpret_cast<const char*>(bytes_.data()), bytes_.size()}; }
  // The parsed document; nullptr if the payload is not JSON.
  const nlohmann::json* json() const;

 private:
  std::span<const std::byte> bytes_;
  mutable std::once_flag parsed_once_;
  mutable nlohmann::json document_;
  mutable bool is_json_ = false;
};

struct Event {
  Mode mode = Mode::tentative;
  Activity activity = Activity::connect;
  std::int64_t time_ms = 0;  // milliseconds since the Unix epoch

  // connect, subscribe, unsubscribe, publish, ping, disconnect: the client;
  // publish and deliver: the publisher (`publisher.*`; also `client.*` in publish).
  Identity client;
  Identity subscriber;  // deliver only

  // connect
  bool clean_start = false;
  std::int64_t keep_alive_ms = 0;
  Will will;

  // subscribe, unsubscribe (topic is the filter), publish, deliver
  std::string_view topic;
  std::uint8_t qos = 0;  // subscribe: the requested QoS
  bool retain = false;
  std::string_view share_group;  // "" if not a shared subscription
  const Payload* payload = nullptr;
  std::string_view content_type;
  std::span<const UserProperty> user_properties;

  // disconnect
  std::string_view reason;

  // situation starts/ends: the situation's name and its arguments in the
  // order of its declared parameters; context changes: the context's name.
  std::string_view subject;
  std::span<const Value> situation_arguments;
  std::string_view context_entity;
  const nlohmann::json* context_value = nullptr;
};

}  // namespace mqwarden::policy

// MQTT 5.0 properties: identifiers, their data types, where each may appear,
// and Properties, the ordered list a packet carries.
//
// Properties keep the order they were decoded in, so a message forwarded to a
// subscriber carries its publisher's properties unchanged. Numeric properties
// (byte, two/four byte integer, variable byte integer) store their value in
// `number`; strings and binary data in `text`; a user property's value in `value`.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mqtt/protocol_version.hpp"

namespace mqwarden::mqtt {

enum class PropertyId : std::uint8_t {
  payload_format_indicator = 0x01,
  message_expiry_interval = 0x02,
  content_type = 0x03,
  response_topic = 0x08,
  correlation_data = 0x09,
  subscription_identifier = 0x0B,
  session_expiry_interval = 0x11,
  assigned_client_identifier = 0x12,
  server_keep_alive = 0x13,
  authentication_method = 0x15,
  authentication_data = 0x16,
  request_problem_information = 0x17,
  will_delay_interval = 0x18,
  request_response_information = 0x19,
  response_information = 0x1A,
  server_reference = 0x1C,
  reason_string = 0x1F,
  receive_maximum = 0x21,
  topic_alias_maximum = 0x22,
  topic_alias = 0x23,
  maximum_qos = 0x24,
  retain_available = 0x25,
  user_property = 0x26,
  maximum_packet_size = 0x27,
  wildcard_subscription_available = 0x28,
  subscription_identifier_available = 0x29,
  shared_subscription_available = 0x2A,
};

enum class PropertyType : std::uint8_t {
  byte,
  two_byte_integer,
  four_byte_integer,
  variable_byte_integer,
  utf8_string,
  binary_data,
  utf8_string_pair,
};

// Where a property may appear: a packet type, or the will properties of CONNECT.
enum class PropertyContext : std::uint8_t {
  connect,
  will,
  connack,
  publish,
  puback,
  pubrec,
  pubrel,
  pubcomp,
  subscribe,
  suback,
  unsubscribe,
  unsuback,
  disconnect,
  auth,
};

struct PropertyInfo {
  std::string_view name;
  PropertyType type;
  std::uint16_t contexts;  // bit set of PropertyContext
  bool repeatable;         // may appear more than once in one packet
};

// Returns the description of `id`, or nullptr when the identifier is unknown.
const PropertyInfo* find_property_info(std::uint8_t id);

bool property_allowed(PropertyId id, PropertyContext context);

struct Property {
  PropertyId id{};
  std::uint32_t number = 0;
  std::string text;   // string or binary value; key of a user property
  std::string value;  // value of a user property

  friend bool operator==(const Property&, const Property&) = default;
};

class Properties {
 public:
  bool empty() const { return items_.empty(); }
  std::size_t size() const { return items_.size(); }
  auto begin() const { return items_.begin(); }
  auto end() const { return items_.end(); }

  // Appends a property; the caller keeps to the type of `id`.
  Properties& add_number(PropertyId id, std::uint32_t number);
  Properties& add_text(PropertyId id, std::string text);
  Properties& add_user_property(std::string key, std::string value);
  void add(Property property) { items_.push_back(std::move(property)); }
  void reserve(std::size_t count) { items_.reserve(count); }

  // The first property with `id`, or nullptr.
  const Property* find(PropertyId id) const;
  std::optional<std::uint32_t> number(PropertyId id) const;
  std::optional<std::string_view> text(PropertyId id) const;

  // Removes every property with `id`; returns how many were removed.
  std::size_t remove(PropertyId id);

  friend bool operator==(const Properties&, const Properties&) = default;

 private:
  std::vector<Property> items_;
};

}  // namespace mqwarden::mqtt

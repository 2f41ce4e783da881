#include "mqtt/properties.hpp"

#include <algorithm>
#include <array>

namespace mqwarden::mqtt {
namespace {

constexpr std::uint16_t in(std::initializer_list<PropertyContext> contexts) {
  std::uint16_t bits = 0;
  for (auto context : contexts) bits |= static_cast<std::uint16_t>(1u << static_cast<unsigned>(context));
  return bits;
}

using C = PropertyContext;
using T = PropertyType;

constexpr std::uint16_t kEveryPacket =
    in({C::connect, C::will, C::connack, C::publish, C::puback, C::pubrec, C::pubrel, C::pubcomp, C::subscribe,
        C::suback, C::unsubscribe, C::unsuback, C::disconnect, C::auth});

// MQTT 5.0 section 2.2.2.2, table 2-4.
constexpr std::array<PropertyInfo, 0x2B> kProperties = [] {
  std::array<PropertyInfo, 0x2B> table{};
  auto set = [&](PropertyId id, std::string_view name, PropertyType type, std::uint16_t contexts,
                 bool repeatable = false) {
    table[static_cast<std::size_t>(id)] = PropertyInfo{name, type, contexts, repeatable};
  };
  set(PropertyId::payload_format_indicator, "Payload Format Indicator", T::byte, in({C::publish, C::will}));
  set(PropertyId::message_expiry_interval, "Message Expiry Interval", T::four_byte_integer, in({C::publish, C::will}));
  set(PropertyId::content_type, "Content Type", T::utf8_string, in({C::publish, C::will}));
  set(PropertyId::response_topic, "Response Topic", T::utf8_string, in({C::publish, C::will}));
  set(PropertyId::correlation_data, "Correlation Data", T::binary_data, in({C::publish, C::will}));
  // Repeatable in PUBLISH only; read_properties enforces the SUBSCRIBE case.
  set(PropertyId::subscription_identifier, "Subscription Identifier", T::variable_byte_integer,
      in({C::publish, C::subscribe}), true);
  set(PropertyId::session_expiry_interval, "Session Expiry Interval", T::four_byte_integer,
      in({C::connect, C::connack, C::disconnect}));
  set(PropertyId::assigned_client_identifier, "Assigned Client Identifier", T::utf8_string, in({C::connack}));
  set(PropertyId::server_keep_alive, "Server Keep Alive", T::two_byte_integer, in({C::connack}));
  set(PropertyId::authentication_method, "Authentication Method", T::utf8_string,
      in({C::connect, C::connack, C::auth}));
  set(PropertyId::authentication_data, "Authentication Data", T::binary_data, in({C::connect, C::connack, C::auth}));
  set(PropertyId::request_problem_information, "Request Problem Information", T::byte, in({C::connect}));
  set(PropertyId::will_delay_interval, "Will Delay Interval", T::four_byte_integer, in({C::will}));
  set(PropertyId::request_response_information, "Request Response Information", T::byte, in({C::connect}));
  set(PropertyId::response_information, "Response Information", T::utf8_string, in({C::connack}));
  set(PropertyId::server_reference, "Server Reference", T::utf8_string, in({C::connack, C::disconnect}));
  set(PropertyId::reason_string, "Reason String", T::utf8_string,
      in({C::connack, C::puback, C::pubrec, C::pubrel, C::pubcomp, C::suback, C::unsuback, C::disconnect, C::auth}));
  set(PropertyId::receive_maximum, "Receive Maximum", T::two_byte_integer, in({C::connect, C::connack}));
  set(PropertyId::topic_alias_maximum, "Topic Alias Maximum", T::two_byte_integer, in({C::connect, C::connack}));
  set(PropertyId::topic_alias, "Topic Alias", T::two_byte_integer, in({C::publish}));
  set(PropertyId::maximum_qos, "Maximum QoS", T::byte, in({C::connack}));
  set(PropertyId::retain_available, "Retain Available", T::byte, in({C::connack}));
  set(PropertyId::user_property, "User Property", T::utf8_string_pair, kEveryPacket, true);
  set(PropertyId::maximum_packet_size, "Maximum Packet Size", T::four_byte_integer, in({C::connect, C::connack}));
  set(PropertyId::wildcard_subscription_available, "Wildcard Subscription Available", T::byte, in({C::connack}));
  set(PropertyId::subscription_identifier_available, "Subscription Identifier Available", T::byte,
      in({C::connack}));
  set(PropertyId::shared_subscription_available, "Shared Subscription Available", T::byte, in({C::connack}));
  return table;
}();

}  // namespace

const PropertyInfo* find_property_info(std::uint8_t id) {
  if (id >= kProperties.size() || kProperties[id].name.empty()) return nullptr;
  return &kProperties[id];
}

bool property_allowed(PropertyId id, PropertyContext context) {
  const PropertyInfo* info = find_property_info(static_cast<std::uint8_t>(id));
  return info != nullptr && (info->contexts & (1u << static_cast<unsigned>(context))) != 0;
}

Properties& Properties::add_number(PropertyId id, std::uint32_t number) {
  items_.push_back(Property{id, number, {}, {}});
  return *this;
}

Properties& Properties::add_text(PropertyId id, std::string text) {
  items_.push_back(Property{id, 0, std::move(text), {}});
  return *this;
}

Properties& Properties::add_user_property(std::string key, std::string value) {
  items_.push_back(Property{PropertyId::user_property, 0, std::move(key), std::move(value)});
  return *this;
}

const Property* Properties::find(PropertyId id) const {
  auto it = std::find_if(items_.begin(), items_.end(), [id](const Property& p) { return p.id == id; });
  return it == items_.end() ? nullptr : &*it;
}

std::optional<std::uint32_t> Properties::number(PropertyId id) const {
  const Property* property = find(id);
  return property ? std::optional(property->number) : std::nullopt;
}

std::optional<std::string_view> Properties::text(PropertyId id) const {
  const Property* property = find(id);
  return property ? std::optional<std::string_view>(property->text) : std::nullopt;
}

std::size_t Properties::remove(PropertyId id) {
  return std::erase_if(items_, [id](const Property& p) { return p.id == id; });
}

}  // namespace mqwarden::mqtt

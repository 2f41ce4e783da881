// MQTT 5.0 properties: the Properties container (add, find, number, text,
// remove, order kept), and the property table checked entry by entry against
// the specification (5.0 section 2.2.2.2 and the per-packet property sections):
// identifier, name, data type, the packets each may appear in, and whether it
// may repeat. Unknown identifiers have no entry.
#include "mqtt/properties.hpp"

#include <gtest/gtest.h>

#include <cctype>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace mqwarden::mqtt {
namespace {

using C = PropertyContext;
using T = PropertyType;

constexpr PropertyContext kAllContexts[] = {
    C::connect, C::will,      C::connack, C::publish,     C::puback,   C::pubrec,     C::pubrel,
    C::pubcomp, C::subscribe, C::suback,  C::unsubscribe, C::unsuback, C::disconnect, C::auth,
};

// ---- The container --------------------------------------------------------------

TEST(Properties, StartsEmpty) {
  const Properties properties;
  EXPECT_TRUE(properties.empty());
  EXPECT_EQ(properties.size(), 0u);
  EXPECT_EQ(properties.find(PropertyId::content_type), nullptr);
  EXPECT_FALSE(properties.number(PropertyId::message_expiry_interval).has_value());
  EXPECT_FALSE(properties.text(PropertyId::content_type).has_value());
}

TEST(Properties, NumberAndTextAreFoundByIdentifier) {
  Properties properties;
  properties.add_number(PropertyId::message_expiry_interval, 3600).add_text(PropertyId::content_type, "text/plain");
  EXPECT_FALSE(properties.empty());
  EXPECT_EQ(properties.size(), 2u);
  EXPECT_EQ(properties.number(PropertyId::message_expiry_interval), 3600u);
  EXPECT_EQ(properties.text(PropertyId::content_type), "text/plain");
  EXPECT_FALSE(properties.number(PropertyId::topic_alias).has_value());
  EXPECT_FALSE(properties.text(PropertyId::response_topic).has_value());
  const Property* found = properties.find(PropertyId::content_type);
  ASSERT_NE(found, nullptr);
  EXPECT_EQ(found->id, PropertyId::content_type);
}

TEST(Properties, ZeroAndEmptyValuesArePresent) {
  Properties properties;
  properties.add_number(PropertyId::session_expiry_interval, 0).add_text(PropertyId::correlation_data, "");
  EXPECT_EQ(properties.number(PropertyId::session_expiry_interval), 0u);
  EXPECT_EQ(properties.text(PropertyId::correlation_data), "");
}

TEST(Properties, BinaryTextKeepsEveryByte) {
  Properties properties;
  const std::string binary("\x00\xFF\x00", 3);
  properties.add_text(PropertyId::correlation_data, binary);
  EXPECT_EQ(properties.text(PropertyId::correlation_data), binary);
}

TEST(Properties, FindReturnsTheFirstOfRepeatedProperties) {
  Properties properties;
  properties.add_number(PropertyId::subscription_identifier, 1).add_number(PropertyId::subscription_identifier, 2);
  EXPECT_EQ(properties.number(PropertyId::subscription_identifier), 1u);
  EXPECT_EQ(properties.size(), 2u);
}

TEST(Properties, UserPropertiesKeepKeyValueAndOrder) {
  Properties properties;
  properties.add_user_property("k", "1").add_number(PropertyId::topic_alias, 4).add_user_property("k", "2");
  std::vector<std::string> values;
  for (const Property& property : properties) {
    if (property.id == PropertyId::user_property) {
      EXPECT_EQ(property.text, "k");
      values.push_back(property.value);
    }
  }
  EXPECT_EQ(values, (std::vector<std::string>{"1", "2"}));
  EXPECT_EQ(properties.text(PropertyId::user_property), "k");
}

TEST(Properties, KeepInsertionOrder) {
  Properties properties;
  properties.add_text(PropertyId::response_topic, "r").add_number(PropertyId::payload_format_indicator, 1);
  properties.add(Property{PropertyId::content_type, 0, "c", {}});
  std::vector<PropertyId> order;
  for (const Property& property : properties) order.push_back(property.id);
  EXPECT_EQ(order,
            (std::vector{PropertyId::response_topic, PropertyId::payload_format_indicator, PropertyId::content_type}));
}

TEST(Properties, RemoveDropsEveryMatchAndCountsThem) {
  Properties properties;
  properties.add_user_property("a", "1").add_number(PropertyId::topic_alias, 4).add_user_property("b", "2");
  EXPECT_EQ(properties.remove(PropertyId::user_property), 2u);
  EXPECT_EQ(properties.size(), 1u);
  EXPECT_EQ(properties.find(PropertyId::user_property), nullptr);
  EXPECT_EQ(properties.number(PropertyId::topic_alias), 4u);
  EXPECT_EQ(properties.remove(PropertyId::user_property), 0u);
  EXPECT_EQ(properties.remove(PropertyId::topic_alias), 1u);
  EXPECT_TRUE(properties.empty());
}

TEST(Properties, EqualityComparesValuesAndOrder) {
  Properties a;
  a.add_number(PropertyId::topic_alias, 1).add_text(PropertyId::content_type, "x");
  Properties b;
  b.add_number(PropertyId::topic_alias, 1).add_text(PropertyId::content_type, "x");
  EXPECT_EQ(a, b);
  Properties reordered;
  reordered.add_text(PropertyId::content_type, "x").add_number(PropertyId::topic_alias, 1);
  EXPECT_NE(a, reordered);
  Properties other_value;
  other_value.add_number(PropertyId::topic_alias, 2).add_text(PropertyId::content_type, "x");
  EXPECT_NE(a, other_value);
}

// ---- The property table ----------------------------------------------------------

struct ExpectedProperty {
  std::uint8_t id;
  std::string_view name;
  PropertyType type;
  std::vector<PropertyContext> contexts;
  bool repeatable = false;
};

// From the specification, independently of properties.cpp.
const std::vector<ExpectedProperty> kSpecTable = {
    {0x01, "Payload Format Indicator", T::byte, {C::publish, C::will}},
    {0x02, "Message Expiry Interval", T::four_byte_integer, {C::publish, C::will}},
    {0x03, "Content Type", T::utf8_string, {C::publish, C::will}},
    {0x08, "Response Topic", T::utf8_string, {C::publish, C::will}},
    {0x09, "Correlation Data", T::binary_data, {C::publish, C::will}},
    {0x0B, "Subscription Identifier", T::variable_byte_integer, {C::publish, C::subscribe}, true},
    {0x11, "Session Expiry Interval", T::four_byte_integer, {C::connect, C::connack, C::disconnect}},
    {0x12, "Assigned Client Identifier", T::utf8_string, {C::connack}},
    {0x13, "Server Keep Alive", T::two_byte_integer, {C::connack}},
    {0x15, "Authentication Method", T::utf8_string, {C::connect, C::connack, C::auth}},
    {0x16, "Authentication Data", T::binary_data, {C::connect, C::connack, C::auth}},
    {0x17, "Request Problem Information", T::byte, {C::connect}},
    {0x18, "Will Delay Interval", T::four_byte_integer, {C::will}},
    {0x19, "Request Response Information", T::byte, {C::connect}},
    {0x1A, "Response Information", T::utf8_string, {C::connack}},
    {0x1C, "Server Reference", T::utf8_string, {C::connack, C::disconnect}},
    {0x1F,
     "Reason String",
     T::utf8_string,
     {C::connack, C::puback, C::pubrec, C::pubrel, C::pubcomp, C::suback, C::unsuback, C::disconnect, C::auth}},
    {0x21, "Receive Maximum", T::two_byte_integer, {C::connect, C::connack}},
    {0x22, "Topic Alias Maximum", T::two_byte_integer, {C::connect, C::connack}},
    {0x23, "Topic Alias", T::two_byte_integer, {C::publish}},
    {0x24, "Maximum QoS", T::byte, {C::connack}},
    {0x25, "Retain Available", T::byte, {C::connack}},
    {0x26, "User Property", T::utf8_string_pair, {std::begin(kAllContexts), std::end(kAllContexts)}, true},
    {0x27, "Maximum Packet Size", T::four_byte_integer, {C::connect, C::connack}},
    {0x28, "Wildcard Subscription Available", T::byte, {C::connack}},
    {0x29, "Subscription Identifier Available", T::byte, {C::connack}},
    {0x2A, "Shared Subscription Available", T::byte, {C::connack}},
};

class PropertyTable : public ::testing::TestWithParam<ExpectedProperty> {};

TEST_P(PropertyTable, MatchesTheSpecification) {
  const ExpectedProperty& expected = GetParam();
  const PropertyInfo* info = find_property_info(expected.id);
  ASSERT_NE(info, nullptr);
  EXPECT_EQ(info->name, expected.name);
  EXPECT_EQ(static_cast<int>(info->type), static_cast<int>(expected.type));
  EXPECT_EQ(info->repeatable, expected.repeatable);
  const std::set<PropertyContext> allowed(expected.contexts.begin(), expected.contexts.end());
  for (PropertyContext context : kAllContexts) {
    EXPECT_EQ(property_allowed(static_cast<PropertyId>(expected.id), context), allowed.contains(context))
        << "context " << static_cast<int>(context);
  }
}

INSTANTIATE_TEST_SUITE_P(MQTT_2_2_2_2, PropertyTable, ::testing::ValuesIn(kSpecTable),
                         [](const ::testing::TestParamInfo<ExpectedProperty>& param) {
                           std::string name;
                           for (char c : param.param.name) {
                             if (std::isalnum(static_cast<unsigned char>(c))) name += c;
                           }
                           return name;
                         });

TEST(PropertyTable, OnlyTheSpecifiedIdentifiersAreKnown) {
  std::set<std::uint8_t> specified;
  for (const ExpectedProperty& property : kSpecTable) specified.insert(property.id);
  for (unsigned id = 0; id <= 0xFF; ++id) {
    const auto byte = static_cast<std::uint8_t>(id);
    EXPECT_EQ(find_property_info(byte) != nullptr, specified.contains(byte)) << std::hex << id;
  }
}

TEST(PropertyTable, UnknownIdentifiersHaveNoEntryAndAreAllowedNowhere) {
  for (std::uint8_t id : {0x00, 0x04, 0x0A, 0x10, 0x14, 0x1B, 0x20, 0x2B, 0x7F, 0x80, 0xFF}) {
    EXPECT_EQ(find_property_info(id), nullptr) << int{id};
    for (PropertyContext context : kAllContexts) {
      EXPECT_FALSE(property_allowed(static_cast<PropertyId>(id), context)) << int{id};
    }
  }
}

TEST(PropertyTable, NamesAreDistinct) {
  std::set<std::string_view> names;
  for (const ExpectedProperty& property : kSpecTable) {
    EXPECT_TRUE(names.insert(find_property_info(property.id)->name).second) << property.name;
  }
}

}  // namespace
}  // namespace mqwarden::mqtt

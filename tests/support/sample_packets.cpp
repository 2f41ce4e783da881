#include "support/sample_packets.hpp"

#include <string_view>

namespace mqwarden::testing {

using namespace mqtt;

namespace {

constexpr PropertyId kAllPropertyIds[] = {
    PropertyId::payload_format_indicator,  PropertyId::message_expiry_interval,
    PropertyId::content_type,              PropertyId::response_topic,
    PropertyId::correlation_data,          PropertyId::subscription_identifier,
    PropertyId::session_expiry_interval,   PropertyId::assigned_client_identifier,
    PropertyId::server_keep_alive,         PropertyId::authentication_method,
    PropertyId::authentication_data,       PropertyId::request_problem_information,
    PropertyId::will_delay_interval,       PropertyId::request_response_information,
    PropertyId::response_information,      PropertyId::server_reference,
    PropertyId::reason_string,             PropertyId::receive_maximum,
    PropertyId::topic_alias_maximum,       PropertyId::topic_alias,
    PropertyId::maximum_qos,               PropertyId::retain_available,
    PropertyId::user_property,             PropertyId::maximum_packet_size,
    PropertyId::wildcard_subscription_available, PropertyId::subscription_identifier_available,
    PropertyId::shared_subscription_available,
};

Will sample_will(ProtocolVersion version) {
  Will will{"clients/c1/status", "offline", QoS::at_least_once, true, {}};
  if (version == ProtocolVersion::v5) will.properties = all_properties(PropertyContext::will);
  return will;
}

// The packets of one type in their basic form, given properties to carry.
std::vector<std::pair<std::string, Packet>> basic_packets(ProtocolVersion version, PropertyContext context,
                                                          const Properties& props) {
  const bool v5 = version == ProtocolVersion::v5;
  std::vector<std::pair<std::string, Packet>> out;
  auto add = [&](std::string name, Packet packet) { out.emplace_back(std::move(name), std::move(packet)); };
  switch (context) {
    case PropertyContext::connect: {
      add("connect_minimal", Connect{version, true, 60, props, "c1", std::nullopt, std::nullopt, std::nullopt});
      add("connect_full", Connect{version, false, 0xFFFF, props, "client-\xC3\xA9", sample_will(version),
                                  "user", std::string("p\0ss", 4)});
      if (v5) add("connect_password_only", Connect{version, true, 10, props, "", std::nullopt, std::nullopt, "pw"});
      break;
    }
    case PropertyContext::will:
      add("connect_will_qos2", Connect{version, true, 30, {}, "w",
                                       Will{"last/will", "bye", QoS::exactly_once, false, props}, std::nullopt,
                                       std::nullopt});
      break;
    case PropertyContext::connack:
      add("connack_accepted", Connack{true, ReasonCode::success, props});
      add("connack_refused", Connack{false, ReasonCode::not_authorized, props});
      break;
    case PropertyContext::publish:
      add("publish_qos0", Publish{"sensors/room1/temp", 0, QoS::at_most_once, false, false, props, "21.5"});
      add("publish_qos1_retain", Publish{"a/b", 7, QoS::at_least_once, true, false, props, std::string(300, 'x')});
      add("publish_qos2_dup", Publish{"a/b/c", 65535, QoS::exactly_once, false, true, props, ""});
      break;
    case PropertyContext::puback:
      add("puback", Puback{1, v5 ? ReasonCode::no_matching_subscribers : ReasonCode::success, props});
      add("puback_success", Puback{2, ReasonCode::success, props});
      break;
    case PropertyContext::pubrec:
      add("pubrec", Pubrec{3, v5 ? ReasonCode::quota_exceeded : ReasonCode::success, props});
      break;
    case PropertyContext::pubrel:
      add("pubrel", Pubrel{4, v5 ? ReasonCode::packet_identifier_not_found : ReasonCode::success, props});
      break;
    case PropertyContext::pubcomp:
      add("pubcomp", Pubcomp{5, ReasonCode::success, props});
      break;
    case PropertyContext::subscribe: {
      Subscribe subscribe{9, props, {{"a/+/c", {QoS::at_least_once, false, false, RetainHandling::send_on_subscribe}},
                                     {"#", {QoS::exactly_once, false, false, RetainHandling::send_on_subscribe}}}};
      if (v5) {
        subscribe.subscriptions.push_back(
            {"x/y", {QoS::at_most_once, true, true, RetainHandling::do_not_send}});
        subscribe.subscriptions.push_back(
            {"$share/group/x/#", {QoS::at_least_once, false, true, RetainHandling::send_if_new_subscription}});
      }
      add("subscribe", subscribe);
      break;
    }
    case PropertyContext::suback: {
      std::vector<ReasonCode> codes{ReasonCode::success, ReasonCode::granted_qos_1, ReasonCode::granted_qos_2,
                                    ReasonCode::unspecified_error};
      if (v5) codes.push_back(ReasonCode::not_authorized);
      add("suback", Suback{9, props, codes});
      break;
    }
    case PropertyContext::unsubscribe:
      add("unsubscribe", Unsubscribe{10, props, {"a/+/c", "#", "$share/g/t"}});
      break;
    case PropertyContext::unsuback:
      add("unsuback", Unsuback{10, props,
                               v5 ? std::vector{ReasonCode::success, ReasonCode::no_subscription_existed}
                                  : std::vector<ReasonCode>{}});
      break;
    case PropertyContext::disconnect:
      if (v5) {
        add("disconnect_with_will", Disconnect{ReasonCode::disconnect_with_will_message, props});
        add("disconnect_normal", Disconnect{ReasonCode::success, props});
      } else {
        add("disconnect", Disconnect{});
      }
      break;
    case PropertyContext::auth:
      if (v5) add("auth", Auth{ReasonCode::continue_authentication, props});
      break;
  }
  return out;
}

constexpr PropertyContext kContexts[] = {
    PropertyContext::connect, PropertyContext::will,    PropertyContext::connack,   PropertyContext::publish,
    PropertyContext::puback,  PropertyContext::pubrec,  PropertyContext::pubrel,    PropertyContext::pubcomp,
    PropertyContext::subscribe, PropertyContext::suback, PropertyContext::unsubscribe, PropertyContext::unsuback,
    PropertyContext::disconnect, PropertyContext::auth,
};

std::string property_slug(PropertyId id) {
  std::string slug;
  for (char c : find_property_info(static_cast<std::uint8_t>(id))->name) {
    slug += c == ' ' ? '_' : static_cast<char>(c | 0x20);
  }
  return slug;
}

}  // namespace

Property sample_property(PropertyId id) {
  switch (find_property_info(static_cast<std::uint8_t>(id))->type) {
    case PropertyType::byte:
      return {id, 1, {}, {}};
    case PropertyType::two_byte_integer:
      return {id, 10, {}, {}};
    case PropertyType::four_byte_integer:
      return {id, 100'000, {}, {}};
    case PropertyType::variable_byte_integer:
      return {id, 300, {}, {}};
    case PropertyType::utf8_string:
      return {id, 0, id == PropertyId::response_topic ? "replies/c1" : "text/plain; \xE2\x82\xAC", {}};
    case PropertyType::binary_data:
      return {id, 0, std::string("\x00\xFF\x01", 3), {}};
    case PropertyType::utf8_string_pair:
      return {id, 0, "key", "value"};
  }
  return {};
}

Properties all_properties(PropertyContext context) {
  Properties properties;
  for (PropertyId id : kAllPropertyIds) {
    if (property_allowed(id, context)) properties.add(sample_property(id));
  }
  if (property_allowed(PropertyId::user_property, context)) properties.add_user_property("key", "second value");
  return properties;
}

std::vector<SamplePacket> sample_packets() {
  std::vector<SamplePacket> samples;
  auto add_all = [&](ProtocolVersion version, std::string_view suffix, PropertyContext context,
                     const Properties& props) {
    for (auto& [name, packet] : basic_packets(version, context, props)) {
      samples.push_back({name + std::string(suffix), std::move(packet), version});
    }
  };
  for (ProtocolVersion version : {ProtocolVersion::v311, ProtocolVersion::v5}) {
    const std::string suffix = version == ProtocolVersion::v5 ? "_v5" : "_v311";
    samples.push_back({"pingreq" + suffix, Pingreq{}, version});
    samples.push_back({"pingresp" + suffix, Pingresp{}, version});
  }
  for (PropertyContext context : kContexts) {
    if (context != PropertyContext::will) add_all(ProtocolVersion::v311, "_v311", context, {});
    add_all(ProtocolVersion::v5, "_v5", context, {});
    add_all(ProtocolVersion::v5, "_v5_all_properties", context, all_properties(context));
    for (PropertyId id : kAllPropertyIds) {
      if (!property_allowed(id, context)) continue;
      Properties single;
      single.add(sample_property(id));
      add_all(ProtocolVersion::v5, "_v5_with_" + property_slug(id), context, single);
    }
  }
  return samples;
}

}  // namespace mqwarden::testing

#include "policy/read_field.hpp"

#include <algorithm>

namespace mqwarden::policy {
namespace {

Value json_at(const nlohmann::json* document, const JsonPath& path) {
  if (document == nullptr) return {};
  return Value::json(path.empty() ? document : find(*document, path));
}

Value user_property(const Event& event, std::string_view key) {
  const auto found = std::find_if(event.user_properties.begin(), event.user_properties.end(),
                                  [&](const UserProperty& property) { return property.name == key; });
  return found == event.user_properties.end() ? Value() : Value::string(found->value);
}

}  // namespace

Value read_field(const FieldRef& field, const Event& event) {
  const Identity& who = field.of_subscriber ? event.subscriber : event.client;
  switch (field.id) {
    case FieldId::id: return Value::string(who.id);
    case FieldId::username: return Value::string(who.username);
    case FieldId::cn: return Value::string(who.cn);
    case FieldId::ip: return Value::string(who.ip);
    case FieldId::port: return Value::number(who.port);
    case FieldId::protocol: return Value::number(who.protocol);
    case FieldId::roles: return Value::strings(who.roles);
    case FieldId::attributes: return json_at(who.attributes, field.path);
    case FieldId::clean_start: return Value::boolean(event.clean_start);
    case FieldId::keep_alive: return Value::duration(event.keep_alive_ms);
    case FieldId::will_topic: return Value::string(event.will.topic);
    case FieldId::will_qos: return Value::number(event.will.qos);
    case FieldId::will_retain: return Value::boolean(event.will.retain);
    case FieldId::topic: return Value::string(event.topic);
    case FieldId::qos: return Value::number(event.qos);
    case FieldId::retain: return Value::boolean(event.retain);
    case FieldId::share_group: return Value::string(event.share_group);
    case FieldId::payload_text: return Value::string(event.payload != nullptr ? event.payload->text() : "");
    case FieldId::payload_json: return json_at(event.payload != nullptr ? event.payload->json() : nullptr, field.path);
    case FieldId::payload_size:
      return Value::number(event.payload != nullptr ? static_cast<double>(event.payload->bytes().size()) : 0);
    case FieldId::content_type: return Value::string(event.content_type);
    case FieldId::user_property: return field.path.empty() ? user_property(event, field.key) : Value();
    case FieldId::reason: return Value::string(event.reason);
    case FieldId::context_entity: return Value::string(event.context_entity);
    case FieldId::context_name: return Value::string(event.subject);
    case FieldId::context_value: return json_at(event.context_value, field.path);
    case FieldId::situation_name: return Value::string(event.subject);
    case FieldId::situation_argument:
      return field.argument < event.situation_arguments.size() ? event.situation_arguments[field.argument] : Value();
  }
  return {};
}

}  // namespace mqwarden::policy

#include "app/scenario_functions.hpp"

#include <algorithm>
#include <string>

#include "app/pure_functions.hpp"

namespace mqwarden::app {

using policy::Value;
policy::HostFunctions scenario_functions(const ScenarioContext& context) {
  policy::HostFunctions functions;
  auto position_of = [&context](std::string_view entity) -> Value {
    auto it = context.positions.find(std::string(entity));
    return it == context.positions.end() ? Value() : Value::position(it->second);
  };
  functions.add("position", [position_of](std::span<const Value> arguments, policy::ValueArena&) {
    return position_of(arguments[0].as_string());
  });
  functions.add("consent", [&context](std::span<const Value> arguments, policy::ValueArena&) {
    const bool granted = std::any_of(context.consents.begin(), context.consents.end(), [&](const auto& consent) {
      return consent.owner == arguments[0].as_string() && consent.recipient == arguments[1].as_string() &&
             consent.purpose == arguments[2].as_string();
    });
    return Value::boolean(granted);
  });
  functions.add("reputation", [&context](std::span<const Value> arguments, policy::ValueArena&) {
    auto it = context.reputations.find(std::string(arguments[0].as_string()));
    return it == context.reputations.end() ? Value() : Value::number(it->second);
  });
  functions.add("context", [&context](std::span<const Value> arguments, policy::ValueArena&) {
    auto entity = context.values.find(std::string(arguments[0].as_string()));
    if (entity == context.values.end() || !entity->second.is_object()) return Value();
    auto value = entity->second.find(std::string(arguments[1].as_string()));
    return value == entity->second.end() ? Value() : Value::json(&*value);
  });
  add_pure_functions(functions);
  return functions;
}

}  // namespace mqwarden::app

#include "policy/types.hpp"

namespace mqwarden::policy {

std::string_view to_string(Type type) {
  switch (type) {
    case Type::unknown: return "unknown";
    case Type::boolean: return "bool";
    case Type::number: return "number";
    case Type::string: return "string";
    case Type::topic: return "topic";
    case Type::duration: return "duration";
    case Type::distance: return "distance";
    case Type::position: return "position";
    case Type::time: return "time";
    case Type::string_list: return "string list";
    case Type::number_list: return "number list";
    case Type::json: return "json";
    case Type::calendar: return "calendar";
    case Type::zone: return "zone";
    case Type::event_pattern: return "event pattern";
  }
  return "unknown";
}

std::optional<Type> type_named(std::string_view name) {
  if (name == "bool") return Type::boolean;
  if (name == "number") return Type::number;
  if (name == "string") return Type::string;
  if (name == "topic") return Type::topic;
  if (name == "duration") return Type::duration;
  if (name == "distance") return Type::distance;
  if (name == "list") return Type::string_list;
  return std::nullopt;
}

bool is_stringy(Type type) { return type == Type::string || type == Type::topic; }

bool assignable(Type from, Type to) {
  if (from == to || from == Type::unknown || to == Type::unknown) return true;
  if (is_stringy(from) && is_stringy(to)) return true;
  if (to == Type::json) {
    switch (from) {
      case Type::boolean:
      case Type::number:
      case Type::string:
      case Type::topic:
      case Type::duration:
      case Type::distance:
      case Type::string_list:
      case Type::number_list:
        return true;
      default:
        return false;
    }
  }
  return false;
}

}  // namespace mqwarden::policy

#include "policy/value.hpp"

namespace mqwarden::policy {

Value Value::boolean(bool value) {
  Value out;
  out.kind_ = ValueKind::boolean;
  out.number_ = value ? 1 : 0;
  return out;
}

Value Value::number(double value) {
  Value out;
  out.kind_ = ValueKind::number;
  out.number_ = value;
  return out;
}

Value Value::string(std::string_view text) {
  Value out;
  out.kind_ = ValueKind::string;
  out.text_ = text;
  return out;
}

Value Value::duration(std::int64_t milliseconds) {
  Value out;
  out.kind_ = ValueKind::duration;
  out.milliseconds_ = milliseconds;
  return out;
}

Value Value::distance(double metres) {
  Value out;
  out.kind_ = ValueKind::distance;
  out.number_ = metres;
  return out;
}

Value Value::position(GeoPosition position) {
  Value out;
  out.kind_ = ValueKind::position;
  out.number_ = position.latitude;
  out.second_ = position.longitude;
  return out;
}

Value Value::time(std::int64_t milliseconds_since_epoch) {
  Value out;
  out.kind_ = ValueKind::time;
  out.milliseconds_ = milliseconds_since_epoch;
  return out;
}

Value Value::strings(std::span<const std::string> items) {
  Value out;
  out.kind_ = ValueKind::string_list;
  out.pointer_ = items.data();
  out.size_ = items.size();
  return out;
}

Value Value::numbers(std::span<const double> items) {
  Value out;
  out.kind_ = ValueKind::number_list;
  out.pointer_ = items.data();
  out.size_ = items.size();
  return out;
}

Value Value::zone(const CompiledZone& zone) {
  Value out;
  out.kind_ = ValueKind::zone;
  out.pointer_ = &zone;
  return out;
}

Value Value::calendar(const CompiledCalendar& calendar) {
  Value out;
  out.kind_ = ValueKind::calendar;
  out.pointer_ = &calendar;
  return out;
}

Value Value::json(const nlohmann::json* document) {
  if (document == nullptr) return {};
  if (document->is_boolean()) return boolean(document->get<bool>());
  if (document->is_number()) return number(document->get<double>());
  if (document->is_string()) return string(document->get_ref<const std::string&>());
  Value out;
  out.kind_ = ValueKind::json;
  out.pointer_ = document;
  return out;
}

std::span<const std::string> Value::as_strings() const {
  return {static_cast<const std::string*>(pointer_), size_};
}

std::span<const double> Value::as_numbers() const {
  return {static_cast<const double*>(pointer_), size_};
}

nlohmann::json to_json(const Value& value) {
  switch (value.kind()) {
    case ValueKind::absent: return nullptr;
    case ValueKind::boolean: return value.as_bool();
    case ValueKind::number:
    case ValueKind::distance: return value.as_number();
    case ValueKind::string: return std::string(value.as_string());
    case ValueKind::duration:
    case ValueKind::time: return value.as_milliseconds();
    case ValueKind::position:
      return nlohmann::json{{"lat", value.as_position().latitude}, {"lon", value.as_position().longitude}};
    case ValueKind::string_list:
      return nlohmann::json(std::vector<std::string>(value.as_strings().begin(), value.as_strings().end()));
    case ValueKind::number_list:
      return nlohmann::json(std::vector<double>(value.as_numbers().begin(), value.as_numbers().end()));
    case ValueKind::json: return value.as_json();
    case ValueKind::zone:
    case ValueKind::calendar: return nullptr;
  }
  return nullptr;
}

}  // namespace mqwarden::policy

#include "policy/compare.hpp"

#include <algorithm>

#include "mqtt/topic.hpp"
#include "policy/places.hpp"

namespace mqwarden::policy {
namespace {

bool same_list(const Value& left, const Value& right) {
  if (left.kind() == ValueKind::string_list) return std::ranges::equal(left.as_strings(), right.as_strings());
  return std::ranges::equal(left.as_numbers(), right.as_numbers());
}

bool json_has_element(const nlohmann::json& document, const Value& item) {
  if (document.is_array()) {
    return std::any_of(document.begin(), document.end(),
                       [&](const nlohmann::json& element) { return values_equal(Value::json(&element), item); });
  }
  if (document.is_object() && item.kind() == ValueKind::string) {
    return document.contains(item.as_string());
  }
  return false;
}

bool member(const Value& item, const Value& collection) {
  if (item.is_absent()) return false;
  switch (collection.kind()) {
    case ValueKind::string_list:
      return item.kind() == ValueKind::string &&
             std::ranges::find(collection.as_strings(), item.as_string()) != collection.as_strings().end();
    case ValueKind::number_list:
      return item.kind() == ValueKind::number &&
             std::ranges::find(collection.as_numbers(), item.as_number()) != collection.as_numbers().end();
    case ValueKind::zone:
      return item.kind() == ValueKind::position && in_zone(item.as_position(), collection.as_zone());
    case ValueKind::calendar:
      return item.kind() == ValueKind::time && in_calendar(item.as_milliseconds(), collection.as_calendar());
    case ValueKind::json: return json_has_element(collection.as_json(), item);
    default: return false;
  }
}

bool contains(const Value& container, const Value& item) {
  if (container.kind() == ValueKind::string) {
    return item.kind() == ValueKind::string && container.as_string().find(item.as_string()) != std::string_view::npos;
  }
  return member(item, container);
}

bool ordered(CompareOp op, double left, double right) {
  switch (op) {
    case CompareOp::less: return left < right;
    case CompareOp::less_equal: return left <= right;
    case CompareOp::greater: return left > right;
    case CompareOp::greater_equal: return left >= right;
    default: return false;
  }
}

bool order(CompareOp op, const Value& left, const Value& right) {
  if (left.kind() != right.kind()) return false;
  switch (left.kind()) {
    case ValueKind::number:
    case ValueKind::distance: return ordered(op, left.as_number(), right.as_number());
    case ValueKind::duration:
      return ordered(op, static_cast<double>(left.as_milliseconds()), static_cast<double>(right.as_milliseconds()));
    default: return false;
  }
}

bool topic_matches(const Node& node, const Value& left, const Value& right) {
  if (left.kind() != ValueKind::string || right.kind() != ValueKind::string) return false;
  const std::string_view filter = right.as_string();
  const std::string_view topic = left.as_string();
  if (!node.operands_valid && (mqtt::validate_topic_filter(filter) || mqtt::parse_shared_subscription(filter))) {
    return false;
  }
  if (node.subscription_topic) return filter_covers(filter, topic);
  if (!node.operands_valid && mqtt::validate_topic_name(topic)) return false;
  return mqtt::topic_matches(filter, topic);
}

std::string_view next_level(std::string_view& rest, bool& done) {
  const std::size_t slash = rest.find('/');
  const std::string_view level = rest.substr(0, slash);
  done = slash == std::string_view::npos;
  rest = done ? std::string_view() : rest.substr(slash + 1);
  return level;
}

}  // namespace

bool filter_covers(std::string_view outer, std::string_view inner) {
  if (mqtt::validate_topic_filter(inner)) return false;
  // A filter starting with a wildcard matches no topic starting with '$' [MQTT-4.7.2-1], and the other way round.
  const auto wildcard_first = [](std::string_view filter) {
    return !filter.empty() && (filter.front() == '+' || filter.front() == '#');
  };
  const auto dollar_first = [](std::string_view filter) { return !filter.empty() && filter.front() == '$'; };
  if ((wildcard_first(inner) && dollar_first(outer)) || (wildcard_first(outer) && dollar_first(inner))) return false;
  bool outer_done = false;
  bool inner_done = false;
  while (true) {
    const std::string_view o = next_level(outer, outer_done);
    const std::string_view i = next_level(inner, inner_done);
    if (o == "#") return true;
    if (i == "#") return false;  // only '#' covers '#'
    if (o != "+" && (i == "+" || i != o)) return false;
    if (outer_done && inner_done) return true;
    if (inner_done) return outer == "#";  // "a/#" also matches "a"
    if (outer_done) return false;
  }
}

bool values_equal(const Value& left, const Value& right) {
  if (left.is_absent() || right.is_absent() || left.kind() != right.kind()) return false;
  switch (left.kind()) {
    case ValueKind::boolean: return left.as_bool() == right.as_bool();
    case ValueKind::number:
    case ValueKind::distance: return left.as_number() == right.as_number();
    case ValueKind::string: return left.as_string() == right.as_string();
    case ValueKind::duration:
    case ValueKind::time: return left.as_milliseconds() == right.as_milliseconds();
    case ValueKind::string_list:
    case ValueKind::number_list: return same_list(left, right);
    case ValueKind::json: return left.as_json() == right.as_json();
    default: return false;
  }
}

bool compare(const Node& node, const Value& left, const Value& right) {
  switch (node.compare) {
    case CompareOp::equal: return values_equal(left, right);
    case CompareOp::not_equal: return !values_equal(left, right);
    case CompareOp::less:
    case CompareOp::less_equal:
    case CompareOp::greater:
    case CompareOp::greater_equal: return order(node.compare, left, right);
    case CompareOp::in: return member(left, right);
    case CompareOp::not_in: return !member(left, right);
    case CompareOp::contains: return contains(left, right);
    case CompareOp::matches: return topic_matches(node, left, right);
    case CompareOp::matches_regex:
      return left.kind() == ValueKind::string && node.regex &&
             re2::RE2::PartialMatch(re2::StringPiece(left.as_string().data(), left.as_string().size()), *node.regex);
  }
  return false;
}

}  // namespace mqwarden::policy

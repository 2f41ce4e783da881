#include "mqtt/topic.hpp"

#include <algorithm>

#include "mqtt/utf8.hpp"

namespace mqwarden::mqtt {
namespace {

constexpr std::string_view kSharePrefix = "$share/";

std::optional<TopicError> check_common(std::string_view topic, const TopicLimits& limits) {
  if (topic.empty()) return TopicError::empty;
  if (topic.size() > std::min(limits.max_length, kMaxStringLength)) return TopicError::too_long;
  if (check_utf8(topic) != Utf8Status::valid) return TopicError::bad_utf8;
  if (limits.max_levels != 0 &&
      static_cast<std::size_t>(std::count(topic.begin(), topic.end(), '/')) + 1 > limits.max_levels) {
    return TopicError::too_many_levels;
  }
  return std::nullopt;
}

std::optional<TopicError> check_wildcards(std::string_view filter) {
  for (std::size_t i = 0; i < filter.size(); ++i) {
    const char c = filter[i];
    if (c != '#' && c != '+') continue;
    const bool starts_level = i == 0 || filter[i - 1] == '/';
    const bool ends_level = i + 1 == filter.size() || filter[i + 1] == '/';
    if (c == '#' && (!starts_level || i + 1 != filter.size())) return TopicError::misplaced_multi_level_wildcard;
    if (c == '+' && (!starts_level || !ends_level)) return TopicError::misplaced_single_level_wildcard;
  }
  return std::nullopt;
}

}  // namespace

bool has_wildcard(std::string_view topic) {
  // Two vectorised scans beat find_first_of, which tests each character against the set.
  return topic.find('+') != std::string_view::npos || topic.find('#') != std::string_view::npos;
}

std::optional<TopicError> validate_topic_name(std::string_view name, const TopicLimits& limits) {
  if (auto error = check_common(name, limits)) return error;
  if (has_wildcard(name)) return TopicError::wildcard_in_name;
  return std::nullopt;
}

std::optional<TopicError> validate_topic_filter(std::string_view filter, const TopicLimits& limits) {
  if (auto error = check_common(filter, limits)) return error;
  if (auto shared = parse_shared_subscription(filter)) {
    if (shared->group.empty()) return TopicError::empty_share_name;
    if (has_wildcard(shared->group)) return TopicError::bad_share_name;
    if (shared->filter.empty()) return TopicError::missing_share_filter;
    return check_wildcards(shared->filter);
  }
  return check_wildcards(filter);
}

std::optional<SharedSubscription> parse_shared_subscription(std::string_view filter) {
  if (!filter.starts_with(kSharePrefix)) return std::nullopt;
  std::string_view rest = filter.substr(kSharePrefix.size());
  const std::size_t slash = rest.find('/');
  if (slash == std::string_view::npos) return SharedSubscription{rest, {}};
  return SharedSubscription{rest.substr(0, slash), rest.substr(slash + 1)};
}

bool topic_matches(std::string_view filter, std::string_view name) {
  if (!name.empty() && name.front() == '$' && !filter.empty() && (filter.front() == '#' || filter.front() == '+')) {
    return false;  // [MQTT-4.7.2-1]
  }
  std::size_t f = 0;
  std::size_t n = 0;
  while (true) {
    const std::size_t f_end = std::min(filter.find('/', f), filter.size());
    const std::string_view level = filter.substr(f, f_end - f);
    if (level == "#") return true;  // matches the parent level and everything below
    const std::size_t n_end = std::min(name.find('/', n), name.size());
    if (level != "+" && level != name.substr(n, n_end - n)) return false;
    const bool filter_done = f_end == filter.size();
    const bool name_done = n_end == name.size();
    if (filter_done || name_done) {
      if (filter_done && name_done) return true;
      // "sport/#" also matches "sport": the filter may end in "/#" one level further.
      return name_done && filter.substr(f_end) == "/#";
    }
    f = f_end + 1;
    n = n_end + 1;
  }
}

std::string_view to_string(TopicError error) {
  switch (error) {
    case TopicError::empty:
      return "topic is empty";
    case TopicError::too_long:
      return "topic is too long";
    case TopicError::too_many_levels:
      return "topic has too many levels";
    case TopicError::bad_utf8:
      return "topic is not valid UTF-8";
    case TopicError::wildcard_in_name:
      return "topic name contains a wildcard";
    case TopicError::misplaced_multi_level_wildcard:
      return "'#' must be the last level and alone in it";
    case TopicError::misplaced_single_level_wildcard:
      return "'+' must be alone in its level";
    case TopicError::empty_share_name:
      return "shared subscription group name is empty";
    case TopicError::bad_share_name:
      return "shared subscription group name contains '+' or '#'";
    case TopicError::missing_share_filter:
      return "shared subscription has no topic filter";
  }
  return "invalid topic";
}

std::string_view topic_rule(TopicError error, ProtocolVersion version) {
  const bool v5 = version == ProtocolVersion::v5;
  switch (error) {
    case TopicError::empty:
      return "MQTT-4.7.3-1";
    case TopicError::too_long:
    case TopicError::too_many_levels:
      return "MQTT-4.7.3-3";
    case TopicError::bad_utf8:
      return "MQTT-4.7.3-2";
    case TopicError::wildcard_in_name:
      return v5 ? "MQTT-4.7.0-1" : "MQTT-4.7.1-1";
    case TopicError::misplaced_multi_level_wildcard:
      return v5 ? "MQTT-4.7.1-1" : "MQTT-4.7.1-2";
    case TopicError::misplaced_single_level_wildcard:
      return v5 ? "MQTT-4.7.1-2" : "MQTT-4.7.1-3";
    case TopicError::empty_share_name:
      return "MQTT-4.8.2-1";
    case TopicError::bad_share_name:
    case TopicError::missing_share_filter:
      return "MQTT-4.8.2-2";
  }
  return "MQTT-4.7";
}

}  // namespace mqwarden::mqtt

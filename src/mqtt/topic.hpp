// Topic names and topic filters: validation (spec 4.7) and matching, and the
// parsing of shared subscriptions `$share/<group>/<filter>` (spec 4.8.2).
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

#include "mqtt/protocol_version.hpp"

namespace mqwarden::mqtt {

enum class TopicError {
  empty,                            // at least one character [MQTT-4.7.3-1]
  too_long,                         // over 65,535 bytes [MQTT-4.7.3-3] or the configured limit
  too_many_levels,                  // over the configured number of levels
  bad_utf8,                         // [MQTT-1.5.3-1/2] (3.1.1), [MQTT-1.5.4-1/2] (5.0), [MQTT-4.7.3-2]
  wildcard_in_name,                 // [MQTT-4.7.1-1] (3.1.1), [MQTT-4.7.0-1] (5.0)
  misplaced_multi_level_wildcard,   // '#' not last or not alone: [MQTT-4.7.1-2] (3.1.1), [MQTT-4.7.1-1] (5.0)
  misplaced_single_level_wildcard,  // '+' not alone in its level: [MQTT-4.7.1-3] (3.1.1), [MQTT-4.7.1-2] (5.0)
  empty_share_name,                 // `$share//...` [MQTT-4.8.2-1]
  bad_share_name,                   // contains '+' or '#' [MQTT-4.8.2-2]
  missing_share_filter,             // `$share/group` with no `/filter` [MQTT-4.8.2-2]
};

std::string_view to_string(TopicError error);
// The normative statement `error` breaks, in the numbering of `version`.
std::string_view topic_rule(TopicError error, ProtocolVersion version);

struct TopicLimits {
  std::size_t max_length = kMaxStringLength;
  std::size_t max_levels = 0;  // 0: no limit beyond the length
};

std::optional<TopicError> validate_topic_name(std::string_view name, const TopicLimits& limits = {});
// Validates a filter; a `$share/...` filter is validated as a shared subscription.
std::optional<TopicError> validate_topic_filter(std::string_view filter, const TopicLimits& limits = {});

// Whether `name` matches `filter`; both must be valid, and `filter` not a
// shared subscription (match with its `filter` part). A filter starting with
// a wildcard does not match a name starting with '$' [MQTT-4.7.2-1].
bool topic_matches(std::string_view filter, std::string_view name);

bool has_wildcard(std::string_view topic);

struct SharedSubscription {
  std::string_view group;
  std::string_view filter;
};

// For `$share/<group>/<filter>`, the group and the filter; nullopt when
// `filter` does not start with `$share/`. Validity is validate_topic_filter's job.
std::optional<SharedSubscription> parse_shared_subscription(std::string_view filter);

}  // namespace mqwarden::mqtt

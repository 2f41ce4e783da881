#include "context/context_source.hpp"

#include <cmath>

namespace mqwarden::context {
namespace {

// Level `level` (1-based) of `topic`, or "" when it has fewer levels.
std::string_view topic_level(std::string_view topic, std::uint32_t level) {
  for (std::uint32_t i = 1; i < level; ++i) {
    const std::size_t slash = topic.find('/');
    if (slash == std::string_view::npos) return {};
    topic.remove_prefix(slash + 1);
  }
  return topic.substr(0, topic.find('/'));
}

std::optional<std::string> entity_of(const ContextSourceSpec& source, std::string_view topic,
                                     std::string_view publisher, const nlohmann::json* payload) {
  if (source.entity_level > 0) {
    const std::string_view level = topic_level(topic, source.entity_level);
    if (level.empty()) return std::nullopt;
    return std::string(level);
  }
  if (!source.entity_field.empty()) {
    const nlohmann::json* field = payload != nullptr ? find_field(*payload, source.entity_field) : nullptr;
    if (field == nullptr || !field->is_string() || field->get_ref<const std::string&>().empty()) return std::nullopt;
    return field->get<std::string>();
  }
  if (publisher.empty()) return std::nullopt;
  return std::string(publisher);
}

std::optional<double> number_at(const nlohmann::json& payload, std::string_view path) {
  const nlohmann::json* field = find_field(payload, path);
  if (field == nullptr || !field->is_number()) return std::nullopt;
  const double number = field->get<double>();
  if (!std::isfinite(number)) return std::nullopt;
  return number;
}

std::optional<ContextReading> position_of(const ContextSourceSpec& source, const nlohmann::json& payload) {
  const std::optional<double> latitude = number_at(payload, source.latitude);
  const std::optional<double> longitude = number_at(payload, source.longitude);
  if (!latitude || !longitude || std::abs(*latitude) > 90 || std::abs(*longitude) > 180) return std::nullopt;
  ContextReading reading;
  reading.value = {{"lat", *latitude}, {"lon", *longitude}};
  reading.position = policy::GeoPosition{*latitude, *longitude};
  return reading;
}

std::optional<ContextReading> value_of(const ContextSourceSpec& source, const nlohmann::json& payload) {
  const nlohmann::json* field = find_field(payload, source.value);
  if (field == nullptr) return std::nullopt;
  const bool right_kind = source.kind == ContextKind::json || (source.kind == ContextKind::number && field->is_number()) ||
                          (source.kind == ContextKind::string && field->is_string());
  if (!right_kind) return std::nullopt;
  ContextReading reading;
  reading.value = *field;
  return reading;
}

}  // namespace

const nlohmann::json* find_field(const nlohmann::json& document, std::string_view dotted_path) {
  const nlohmann::json* at = &document;
  while (!dotted_path.empty()) {
    const std::size_t dot = dotted_path.find('.');
    const std::string_view key = dotted_path.substr(0, dot);
    if (!at->is_object()) return nullptr;
    auto member = at->find(key);
    if (member == at->end()) return nullptr;
    at = &*member;
    dotted_path = dot == std::string_view::npos ? std::string_view() : dotted_path.substr(dot + 1);
  }
  return at;
}

std::optional<Observation> read_observation(const ContextSourceSpec& source, std::string_view topic,
                                   std::string_view publisher, const nlohmann::json* payload, std::int64_t now_ms) {
  if (payload == nullptr) return std::nullopt;
  std::optional<std::string> entity = entity_of(source, topic, publisher, payload);
  if (!entity) return std::nullopt;
  std::optional<ContextReading> reading =
      source.kind == ContextKind::position ? position_of(source, *payload) : value_of(source, *payload);
  if (!reading) return std::nullopt;
  reading->observed_ms = now_ms;
  reading->stale_at_ms = source.max_age.count() > 0 ? now_ms + source.max_age.count() : kNever;
  return Observation{std::move(*entity), std::move(*reading)};
}

}  // namespace mqwarden::context

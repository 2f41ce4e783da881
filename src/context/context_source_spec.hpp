// What one context source observes, as the configuration declares it
// (`[[context_sources]]`, docs/configuration.md): the published messages it
// reads (a topic filter), whose context they are (a topic level, a payload
// field or the publisher), the value (a position from two payload fields, or
// one field as a number, a string or JSON) and how long it stays fresh.
// Plain data, with no dependencies, so the configuration can hold it.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace mqwarden::context {

enum class ContextKind : std::uint8_t { position, number, string, json };

struct ContextSourceSpec {
  std::string name = "position";  // the context's name: `position(e)` reads "position", `context(e, name)` any
  std::string topic;              // the filter of the messages observed, e.g. "gps/+"
  // The entity: topic level `entity_level` (1 = the first), else payload field
  // `entity_field`, else the publisher's client id.
  std::uint32_t entity_level = 0;
  std::string entity_field;
  ContextKind kind = ContextKind::position;
  std::string latitude = "lat";   // position: the payload fields (dotted paths)
  std::string longitude = "lon";
  std::string value;              // other kinds: the payload field; "" is the whole payload
  std::chrono::milliseconds max_age{5 * 60'000};  // older values are stale; 0: never stale

  bool operator==(const ContextSourceSpec&) const = default;
};

}  // namespace mqwarden::context

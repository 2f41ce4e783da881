// Reading context out of published messages: what one context source
// (context_source_spec.hpp) takes from a message that matches its filter.
// Pure functions: safe from any thread.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "context/context_source_spec.hpp"
#include "context/context_store.hpp"

namespace mqwarden::context {

struct Observation {
  std::string entity;
  ContextReading reading;
};

// The observation `source` makes of a message published by `publisher` on
// `topic` (which matches the source's filter) with `payload` (its JSON
// document, or null when it is not JSON) at `now_ms`; nullopt when the entity
// or the value is missing or of the wrong kind (a source never stores a value
// it cannot read).
std::optional<Observation> read_observation(const ContextSourceSpec& source, std::string_view topic,
                                   std::string_view publisher, const nlohmann::json* payload, std::int64_t now_ms);

// The value at a dotted path (`position.lat`; "" is the whole document), or null when absent.
const nlohmann::json* find_field(const nlohmann::json& document, std::string_view dotted_path);

}  // namespace mqwarden::context

// Helpers shared by the context layer's unit tests and benchmark: a policy
// compiled from its text (what the engine would put in force), host functions
// that read positions from a ContextStore at a time the caller controls, GPS
// positions a given number of metres apart, and the generated text of the
// GPS-visibility template configured over pairs of entities.
// Header-only: the user links mqwarden_context (and so mqwarden_policy).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "context/context_store.hpp"
#include "policy/engine.hpp"
#include "policy/places.hpp"

namespace mqwarden::testing {

// The policy of `text` (one file, "test.policy") compiled with `functions`,
// as an engine puts it in force; null, with the formatted diagnostics in
// `errors`, if it does not load. The compiled calls point into the engine's
// functions: the pointer returned keeps that engine alive.
inline std::shared_ptr<const policy::CompiledPolicy> compile_policy_text(std::string_view text,
                                                                         policy::HostFunctions functions,
                                                                         std::string& errors) {
  auto engine = std::make_shared<policy::Engine>(policy::Registry::defaults(), std::move(functions));
  policy::SourceSet sources;
  sources.add("test.policy", std::string(text));
  auto loaded = engine->load(sources);
  if (!loaded) {
    errors = policy::format(loaded.error(), sources);
    return nullptr;
  }
  const std::shared_ptr<const policy::CompiledPolicy> policy = engine->policy();
  return {std::move(engine), policy.get()};  // owns the engine, which owns the policy
}

// `distance` as the broker defines it (great-circle metres; absent if either position is).
inline void add_distance(policy::HostFunctions& functions) {
  functions.add("distance", [](std::span<const policy::Value> arguments, policy::ValueArena&) {
    if (arguments[0].is_absent() || arguments[1].is_absent()) return policy::Value();
    return policy::Value::distance(policy::distance_metres(arguments[0].as_position(), arguments[1].as_position()));
  });
}

// `distance`, and `position(entity)` read from `store` at `*now_ms` (read at each call).
inline policy::HostFunctions gps_functions(const context::ContextStore& store, const std::int64_t* now_ms) {
  policy::HostFunctions functions;
  add_distance(functions);
  functions.add("position", [&store, now_ms](std::span<const policy::Value> arguments, policy::ValueArena&) {
    const auto position = store.position(arguments[0].as_string(), *now_ms);
    return position ? policy::Value::position(*position) : policy::Value();
  });
  return functions;
}

// The position `metres` north of `origin` (on the sphere distance_metres uses).
inline policy::GeoPosition north_of(policy::GeoPosition origin, double metres) {
  constexpr double kEarthRadiusMetres = 6'371'008.8;
  constexpr double kDegreesPerRadian = 57.29577951308232;
  return {origin.latitude + metres / kEarthRadiusMetres * kDegreesPerRadian, origin.longitude};
}

// A position reading as the context sources store it, fresh until `stale_at_ms`.
inline context::ContextReading position_reading(policy::GeoPosition position, std::int64_t observed_ms,
                                                std::int64_t stale_at_ms = context::kNever) {
  context::ContextReading reading;
  reading.value = {{"lat", position.latitude}, {"lon", position.longitude}};
  reading.position = position;
  reading.observed_ms = observed_ms;
  reading.stale_at_ms = stale_at_ms;
  return reading;
}

// `situation near_100m(a, b)` (docs/policy-language.md) and the template that
// uses it, configured once per (target, viewer) pair.
inline std::string near_100m_policy(const std::vector<std::pair<std::string, std::string>>& target_viewer_pairs) {
  std::string text =
      "situation near_100m(a, b) = distance(position(a), position(b)) <= 100 m\n"
      "template gps_visible_when_near(target, viewer) {\n"
      "  rule {\n"
      "    on tentative deliver\n"
      "    where publisher.id == target and subscriber.id == viewer and topic matches \"gps/+\"\n"
      "    if situation near_100m(target, viewer)\n"
      "    then allow\n"
      "    else deny\n"
      "  }\n"
      "}\n";
  for (const auto& [target, viewer] : target_viewer_pairs) {
    text += "configure gps_visible_when_near(target = \"" + target + "\", viewer = \"" + viewer + "\")\n";
  }
  return text;
}

}  // namespace mqwarden::testing

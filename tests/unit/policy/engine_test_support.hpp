// Helpers for the evaluator and engine tests: an engine with fake host
// functions loaded from a policy text, and events built field by field.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "policy/engine.hpp"
#include "policy/load.hpp"

namespace mqwarden::policy::testing {

// The default registry's functions, answered from tables the test fills.
struct FakeContext {
  std::map<std::string, double, std::less<>> reputation;
  std::map<std::string, GeoPosition, std::less<>> positions;
  std::map<std::string, std::string, std::less<>> consents;    // "owner/recipient/purpose" -> "yes"
  std::map<std::string, nlohmann::json, std::less<>> context;  // "entity/name" -> value

  HostFunctions functions() const {
    HostFunctions out;
    out.add("reputation", [this](std::span<const Value> a, ValueArena&) {
      const auto found = reputation.find(a[0].as_string());
      return found == reputation.end() ? Value::number(0) : Value::number(found->second);
    });
    out.add("position", [this](std::span<const Value> a, ValueArena&) {
      const auto found = positions.find(a[0].as_string());
      return found == positions.end() ? Value() : Value::position(found->second);
    });
    out.add("distance", [](std::span<const Value> a, ValueArena&) {
      if (a[0].kind() != ValueKind::position || a[1].kind() != ValueKind::position) return Value();
      const double dlat = (a[0].as_position().latitude - a[1].as_position().latitude) * 111'000;
      const double dlon = (a[0].as_position().longitude - a[1].as_position().longitude) * 111'000;
      return Value::distance(std::sqrt(dlat * dlat + dlon * dlon));
    });
    out.add("consent", [this](std::span<const Value> a, ValueArena&) {
      const std::string key =
          std::string(a[0].as_string()) + "/" + std::string(a[1].as_string()) + "/" + std::string(a[2].as_string());
      return Value::boolean(consents.count(key) != 0);
    });
    out.add("context", [this](std::span<const Value> a, ValueArena& arena) {
      const auto found = context.find(std::string(a[0].as_string()) + "/" + std::string(a[1].as_string()));
      return found == context.end() ? Value() : Value::json(&arena.keep(found->second));
    });
    out.add("in_network", [](std::span<const Value> a, ValueArena&) {
      return Value::boolean(a[0].as_string().starts_with(a[1].as_string().substr(0, a[1].as_string().find('/') - 1)));
    });
    return out;
  }
};

// An engine with `text` loaded; fails the test if it does not load.
inline std::unique_ptr<Engine> engine_for(std::string_view text, const FakeContext& context, EngineConfig config = {}) {
  auto engine = std::make_unique<Engine>(Registry::defaults(), context.functions(), config);
  SourceSet sources;
  sources.add("test.policy", std::string(text));
  auto loaded = engine->load(sources);
  if (!loaded) ADD_FAILURE() << format(loaded.error(), sources);
  return engine;
}

inline Diagnostics load_errors(std::string_view text, const FakeContext& context = {}) {
  Engine engine(Registry::defaults(), context.functions());
  SourceSet sources;
  sources.add("test.policy", std::string(text));
  auto loaded = engine.load(sources);
  return loaded ? Diagnostics{} : loaded.error();
}

inline Event event_of(Mode mode, Activity activity) {
  Event event;
  event.mode = mode;
  event.activity = activity;
  event.time_ms = 1'700'000'000'000;
  return event;
}

inline Event tentative(Activity activity, std::string_view topic = {}) {
  Event event = event_of(Mode::tentative, activity);
  event.topic = topic;
  return event;
}

}  // namespace mqwarden::policy::testing

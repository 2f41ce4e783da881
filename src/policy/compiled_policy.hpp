// A policy compiled for evaluation: zones, calendars, situations, rules
// (top-level and template rules), their static instances, the lifecycle-bound
// configurations, and the index that finds the instances that can apply to an
// event (docs/policy-engine.md, "Indexing").
//
// Immutable once compiled and shared through std::shared_ptr<const
// CompiledPolicy>: any number of threads may read it at once. Mutable run-time
// state (temporal monitors, live lifecycle instances) lives in the Engine.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "policy/ast.hpp"
#include "policy/compiled_expression.hpp"
#include "policy/engine_config.hpp"
#include "policy/rule_index.hpp"
#include "policy/temporal_site.hpp"
#include "policy/time_zone.hpp"
#include "policy/value.hpp"

namespace mqwarden::policy {

struct CompiledZone {
  ZoneShape shape = ZoneShape::circle;
  // A circle's centre, or a polygon's corners with longitudes unwrapped so
  // that every edge takes the short way (places.hpp): they may leave -180..180.
  std::vector<GeoPoint> points;
  double radius_metres = 0;
  double west_longitude = 0;  // polygons: the smallest unwrapped longitude
};

// Local wall-clock minutes since 1970-01-01 00:00 in the calendar's zone: [start, end).
struct LocalInterval {
  std::int64_t start_minute = 0;
  std::int64_t end_minute = 0;
};

struct CompiledCalendar {
  std::vector<WeeklySlot> slots;
  std::vector<LocalInterval> dates;
  std::shared_ptr<const TimeZone> time_zone;  // never null
};

struct CompiledSituation {
  std::string name;
  std::vector<Parameter> parameters;
  Node condition;
};

enum class ActionKind : std::uint8_t { allow, deny, modify, delay, execute };

struct CompiledEdit {
  EditKind kind = EditKind::set;
  JsonPath target;
  JsonPath second_target;  // blur: the longitude
  std::optional<Node> value;
};

struct CompiledAction {
  ActionKind kind = ActionKind::allow;
  std::string reason;                // deny
  std::optional<std::uint8_t> code;  // deny
  std::vector<CompiledEdit> edits;   // modify
  std::optional<Node> delay;         // delay
  std::string reaction;              // execute
  std::vector<Node> arguments;       // execute, in declared parameter order
};

struct CompiledRule {
  std::string name;
  Span span;
  EventSpec trigger;
  std::string fingerprint;  // the rule's source text: equal texts carry temporal state over a reload
  std::optional<Node> where;
  // Deliver rules: `where` split into its conjuncts that read only the
  // publication (evaluated once per publish) and those that read the subscriber.
  std::optional<Node> where_publication;
  std::optional<Node> where_subscriber;
  std::optional<Node> condition;
  std::vector<CompiledAction> then_actions;
  std::vector<CompiledAction> else_actions;
  std::vector<TemporalSite> temporal;  // the temporal operators in `condition`, by Node::index
  IndexHint hint;
};

// A rule with its parameters bound: a top-level rule (no arguments) or one
// rule of a configured template.
struct RuleInstance {
  const CompiledRule* rule = nullptr;
  std::string label;  // `gps_visible_when_near(target = "board1", viewer = "board2")`; "" for plain rules
  std::vector<Value> arguments;
  std::size_t ordinal = 0;  // rule order for combination
  std::size_t slot = 0;     // its position in CompiledPolicy::instances (static instances)
};

// `configure t(...) for each <start> until <end>`.
struct CompiledLifecycle {
  std::string template_name;
  std::string fingerprint;  // the configuration's and its rules' text: equal texts carry live instances over a reload
  std::vector<const CompiledRule*> rules;
  std::vector<Parameter> parameters;
  EventSpec start;
  std::optional<Node> start_where;
  std::vector<Node> arguments;  // read from the start event, in parameter order
  EventSpec end;
  std::optional<Node> end_where;  // reads the instance's parameters
  std::size_t first_ordinal = 0;  // its instances sort after the static rules, in declaration order
};

struct CompiledPolicy {
  EngineConfig config;
  ValueArena constants;
  std::deque<CompiledZone> zones;
  std::deque<CompiledCalendar> calendars;
  std::deque<CompiledSituation> situations;
  std::deque<CompiledRule> rules;
  std::deque<RuleInstance> instances;
  std::vector<CompiledLifecycle> lifecycles;
  RuleIndex index;
};

}  // namespace mqwarden::policy

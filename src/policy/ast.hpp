// The abstract syntax tree of a policy: what the parser builds and the
// checker annotates (expression types, what each name refers to), and what
// the compiler of a later stage will turn into an evaluable form.
//
// Every node carries the Span of the text it came from. Expressions own their
// children through unique_ptr, so a Policy is movable, not copyable; its depth
// is bounded by the parser (kMaxNesting). Thread-compatible: a checked Policy
// may be read from several threads at once.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "policy/source.hpp"
#include "policy/types.hpp"

namespace mqwarden::policy {

class TimeZone;  // time_zone.hpp

// ---- events ---------------------------------------------------------------

enum class Mode : std::uint8_t { tentative, actual };

enum class Activity : std::uint8_t {
  connect,
  subscribe,
  unsubscribe,
  publish,
  deliver,
  ping,
  disconnect,
  situation_starts,  // a named situation became true
  situation_ends,    // ... became false
  context_changes,   // a named context value (e.g. position) changed
};

std::string_view to_string(Mode mode);
// "publish", "situation starts", ...
std::string_view to_string(Activity activity);
// The activity written `name` in `on tentative <name>`; nullopt if none.
std::optional<Activity> mqtt_activity_named(std::string_view name);
bool is_mqtt_activity(Activity activity);

// `tentative publish`, `situation near starts`, `context position changes`.
struct EventSpec {
  Mode mode = Mode::actual;  // situation and context events are always actual
  Activity activity = Activity::connect;
  std::string subject;  // the situation or context name; empty for MQTT activities
  Span span;
};

// ---- expressions ----------------------------------------------------------

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

struct BoolLiteral {
  bool value = false;
};
struct NumberLiteral {
  double value = 0;
};
struct StringLiteral {
  std::string value;
};
struct DurationLiteral {
  std::int64_t milliseconds = 0;
};
struct DistanceLiteral {
  double metres = 0;
};
struct ListLiteral {
  std::vector<ExprPtr> items;
};
struct ObjectMember {
  std::string key;
  Span key_span;
  ExprPtr value;
};
// `{ "device": client.id }`: builds a JSON object (notification bodies).
struct ObjectLiteral {
  std::vector<ObjectMember> members;
};
struct Now {};

// What a Path names, filled in by the checker.
enum class PathRoot : std::uint8_t {
  unresolved,
  event_field,  // a field of an event (see event_schema.hpp)
  parameter,    // a template or situation parameter
  zone,
  calendar,
};

struct PathSegment {
  std::string name;  // a field name, a bracketed key, or the digits of an index
  Span span;
  bool bracketed = false;  // written ["name"] or [0]
  bool index = false;      // written [0]
};

// `client.id`, `payload.position.lat`, `user_properties["k"]`, `lab`,
// `event.client.ip` (of_trigger: the triggering event, inside an event pattern).
struct Path {
  bool of_trigger = false;
  std::vector<PathSegment> segments;
  PathRoot root = PathRoot::unresolved;

  // "client.attr.floor", "user_properties[\"k\"]"
  std::string dotted() const;
};

struct Not {
  ExprPtr operand;
};

// `"devices/" + client.id + "/#"`: the strings joined, one node for the whole chain.
struct Concat {
  std::vector<ExprPtr> parts;
};

enum class LogicalOp : std::uint8_t { all, any };  // and, or
// `a and b and c`: one node with every operand (no deep chains).
struct Logical {
  LogicalOp op = LogicalOp::all;
  std::vector<ExprPtr> operands;
};

enum class CompareOp : std::uint8_t {
  equal,
  not_equal,
  less,
  less_equal,
  greater,
  greater_equal,
  in,
  not_in,
  contains,
  matches,        // MQTT topic filter
  matches_regex,  // RE2 syntax; `=~` or `matches regex`
};
std::string_view to_string(CompareOp op);

struct Compare {
  CompareOp op = CompareOp::equal;
  ExprPtr left;
  ExprPtr right;
};

// `payload.temp is absent` (present = false) / `is present`.
struct Presence {
  ExprPtr operand;
  bool present = true;
};

// A call argument, positional (empty name) or named (`purpose = "care"`).
struct Argument {
  std::string name;
  Span name_span;
  ExprPtr value;
};

// A host function: `distance(position(a), position(b))`.
struct Call {
  std::string name;
  Span name_span;
  std::vector<Argument> arguments;
};

// `situation near_100m(target, viewer)`: true while the situation holds.
struct SituationRef {
  std::string name;
  Span name_span;
  std::vector<Argument> arguments;
};

// An event pattern, only valid as an operand of a temporal operator:
// `tentative connect where client.ip == event.client.ip`.
struct EventPattern {
  EventSpec event;
  ExprPtr where;  // may be null
};

enum class TemporalOp : std::uint8_t { always, before, within, during, since, rep_max, rep_lim, rep_since, count };
// "repMax", as written in policies.
std::string_view to_string(TemporalOp op);
std::optional<TemporalOp> temporal_op_named(std::string_view name);

// Operands by operator (φ, ψ conditions or event patterns; d a duration
// window; n, l, r numbers):
//   always(φ)           [φ]
//   before(d, φ)        [d, φ]       within(d, φ) [d, φ]     during(d, φ) [d, φ]
//   since(φ, ψ)         [φ, ψ]
//   repMax(n, φ)        [n, φ]
//   repLim(d, l, r, φ)  [d, l, r, φ]
//   repSince(n, φ, ψ)   [n, φ, ψ]
//   count(within d, φ)  [d, φ]       (a number, not a bool)
struct Temporal {
  TemporalOp op = TemporalOp::always;
  std::vector<ExprPtr> operands;
};

struct Expr {
  Span span;
  std::variant<BoolLiteral, NumberLiteral, StringLiteral, DurationLiteral, DistanceLiteral, ListLiteral, ObjectLiteral,
               Now, Path, Not, Concat, Logical, Compare, Presence, Call, SituationRef, EventPattern, Temporal>
      node;
  Type type = Type::unknown;  // set by the checker
};

// Calls `visit` on each direct child expression of `expr`.
void for_each_child(const Expr& expr, const std::function<void(const Expr&)>& visit);

template <class Node>
ExprPtr make_expr(Span span, Node node) {
  return std::make_unique<Expr>(Expr{span, std::move(node), Type::unknown});
}

// ---- actions --------------------------------------------------------------

struct Allow {};
struct Deny {
  std::optional<std::string> reason;
  std::optional<double> code;  // an MQTT 5 reason code, 0x80..0xFF
  Span code_span;
};

enum class EditKind : std::uint8_t { set, remove, replace, pseudonymise, round, truncate, blur };
std::string_view to_string(EditKind kind);

// One payload edit of a modify action. `targets` are Paths into the payload
// (two for blur: latitude and longitude; `payload` alone for a whole-payload
// replace). `value`: the new value (set, replace), the decimals (round,
// truncate), or the grid size (blur); null for remove and pseudonymise.
struct Edit {
  EditKind kind = EditKind::set;
  Span span;
  std::vector<ExprPtr> targets;
  ExprPtr value;
};

struct Modify {
  std::vector<Edit> edits;
};
struct Delay {
  ExprPtr duration;
};
// A reaction supplied by the host: `execute notify("owner/alerts", {...})`.
struct Execute {
  std::string reaction;
  Span name_span;
  std::vector<Argument> arguments;
};

struct Action {
  Span span;
  std::variant<Allow, Deny, Modify, Delay, Execute> node;
};

// ---- declarations ---------------------------------------------------------

// `on <event> [where <filter>] [if <condition>] then <actions> [else <actions>]`.
// `else` runs when the filter matches and the condition does not.
struct Rule {
  std::string name;  // inside a template, may be generated: "<template>.<n>"
  Span span;
  Span name_span;
  EventSpec trigger;
  ExprPtr where;      // may be null
  ExprPtr condition;  // may be null
  std::vector<Action> then_actions;
  std::vector<Action> else_actions;
};

struct Parameter {
  std::string name;
  Span span;
  Type type = Type::string;
};

struct Template {
  std::string name;
  Span span;
  Span name_span;
  std::vector<Parameter> parameters;
  std::vector<Rule> rules;
};

// `for each actual connect where ... until actual disconnect where client.id == device`:
// one instance per start event, its arguments read from that event, disposed
// by the first end event whose filter holds (parameters bound in `end.where`).
struct Lifecycle {
  EventPattern start;
  EventPattern end;
};

struct Configuration {
  std::string template_name;
  Span span;
  Span name_span;
  std::vector<Argument> arguments;  // all named
  std::optional<Lifecycle> lifecycle;
};

// `situation near(a, b) = <condition>`: a named condition over context.
struct Situation {
  std::string name;
  Span span;
  Span name_span;
  std::vector<Parameter> parameters;
  ExprPtr condition;
};

struct GeoPoint {
  double latitude = 0;
  double longitude = 0;
  Span span;
};

enum class ZoneShape : std::uint8_t { circle, polygon };

struct Zone {
  std::string name;
  Span span;
  Span name_span;
  ZoneShape shape = ZoneShape::circle;
  std::vector<GeoPoint> points;  // the centre of a circle, or the polygon's corners in order
  double radius_metres = 0;      // circles only
  Span radius_span;
};

enum class Weekday : std::uint8_t { monday, tuesday, wednesday, thursday, friday, saturday, sunday };

// `Mon-Fri 08:00-18:00`. A day range may wrap (Fri-Mon); a slot whose end is
// before its start runs past midnight into the next day.
struct WeeklySlot {
  Weekday first_day = Weekday::monday;
  Weekday last_day = Weekday::monday;
  int start_minute = 0;  // minutes since midnight, 0..1440
  int end_minute = 0;
  Span span;
};

// `2026-12-24` or `2026-12-31 18:00`: a day, or a minute of it, in the
// calendar's time zone (the parser checks that the date exists).
struct CalendarDate {
  int year = 1970;
  int month = 1;
  int day = 1;
  std::optional<int> minute;  // minutes since midnight, 0..1440
  Span span;
};

// "2026-12-24", "2026-12-31 18:00".
std::string to_string(const CalendarDate& date);

// `2026-12-24 - 2026-12-26`: from the start of `first` (its first minute, or
// its time) up to the end of `last`, inclusive for a day, exclusive for a
// time. Without `last`, the day `first`.
struct DatedInterval {
  CalendarDate first;
  std::optional<CalendarDate> last;
  Span span;
};

// `weekly Mon-Fri 08:00-18:00 in "Europe/Rome"` or `dated 2026-12-24 - 2026-12-26`.
struct Calendar {
  std::string name;
  Span span;
  Span name_span;
  std::vector<WeeklySlot> slots;     // weekly calendars
  std::vector<DatedInterval> dates;  // dated calendars
  std::string time_zone_name;        // IANA name after `in`; "" for the broker's local time zone
  Span time_zone_span;
  std::shared_ptr<const TimeZone> time_zone;  // set by the checker
};

// A whole policy (possibly from several files), declarations in source order
// within each kind.
struct Policy {
  std::vector<Rule> rules;
  std::vector<Template> templates;
  std::vector<Configuration> configurations;
  std::vector<Situation> situations;
  std::vector<Zone> zones;
  std::vector<Calendar> calendars;
};

}  // namespace mqwarden::policy

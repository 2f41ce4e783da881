// Declarations: duplicate names, zones, calendars (and the time zones they
// name), situations (and cycles among them), templates and their
// configurations, event specifications.
#include <cmath>
#include <functional>
#include <map>

#include "policy/checker_internal.hpp"
#include "policy/places.hpp"
#include "policy/suggest.hpp"
#include "policy/time_zone.hpp"

namespace mqwarden::policy::detail {
namespace {

std::string clock(int minutes) {
  const auto two = [](int n) { return (n < 10 ? "0" : "") + std::to_string(n); };
  return two(minutes / 60) + ":" + two(minutes % 60);
}

std::string corner_text(const GeoPoint& point) {
  return "(" + number_text(point.latitude) + ", " + number_text(point.longitude) + ")";
}

// Each edge takes the short way round (places.hpp): one spanning exactly
// 180° of longitude has no short way, and a ring that goes all the way
// round encloses a pole.
void check_polygon_edges(Checker& checker, const Zone& zone) {
  double round_trip = 0;
  for (std::size_t i = 0; i < zone.points.size(); ++i) {
    const GeoPoint& from = zone.points[i];
    const GeoPoint& to = zone.points[(i + 1) % zone.points.size()];
    const double step = longitude_step(from.longitude, to.longitude);
    if (step == -180) {
      checker.report(DiagnosticCode::out_of_range, to.span,
                     "the edge from " + corner_text(from) + " to " + corner_text(to) +
                         " spans 180 degrees of longitude, so which way round it goes is ambiguous",
                     "add a corner in between");
    }
    round_trip += step;
  }
  if (std::abs(round_trip) > 180) {
    checker.report(DiagnosticCode::out_of_range, zone.span,
                   "polygon '" + zone.name + "' goes all the way round the Earth: a zone cannot enclose a pole");
  }
}

// What the calendars' time zone names refer to, each zone file read once:
// the named IANA zone, or the broker's local zone.
void resolve_time_zones(Checker& checker, std::vector<Calendar>& calendars) {
  TimeZoneCache zones;
  for (Calendar& calendar : calendars) {
    if (calendar.time_zone_name.empty()) {
      calendar.time_zone = zones.local();
      continue;
    }
    const auto& zone = zones.find(calendar.time_zone_name);
    if (zone) {
      calendar.time_zone = *zone;
    } else {
      checker.report(DiagnosticCode::unknown_time_zone, calendar.time_zone_span, zone.error(),
                     "time zones are IANA names such as \"Europe/Rome\" or \"UTC\", from /usr/share/zoneinfo");
    }
  }
}

}  // namespace

void Checker::index_declarations() {
  // Templates, situations, zones and calendars share one namespace (zones and
  // calendars are named in expressions); top-level rules have their own.
  std::map<std::string, std::pair<std::string_view, Span>, std::less<>> declared;
  auto declare = [&](const std::string& name, std::string_view kind, Span span) {
    const auto [existing, inserted] = declared.try_emplace(name, kind, span);
    if (inserted) return;
    report(DiagnosticCode::duplicate_declaration, span,
           "'" + name + "' is already declared (as a " + std::string(existing->second.first) + ")",
           "first declared at " + where_declared(existing->second.second));
  };
  for (const Template& item : policy.templates) {
    declare(item.name, "template", item.name_span);
    templates_.try_emplace(item.name, &item);
  }
  for (const Situation& item : policy.situations) {
    declare(item.name, "situation", item.name_span);
    situations_.try_emplace(item.name, &item);
  }
  for (const Zone& item : policy.zones) {
    declare(item.name, "zone", item.name_span);
    zones_.try_emplace(item.name, &item);
  }
  for (const Calendar& item : policy.calendars) {
    declare(item.name, "calendar", item.name_span);
    calendars_.try_emplace(item.name, &item);
  }
  resolve_time_zones(*this, policy.calendars);

  std::map<std::string, Span, std::less<>> rules;
  for (const Rule& rule : policy.rules) {
    const auto [existing, inserted] = rules.try_emplace(rule.name, rule.name_span);
    if (!inserted) {
      report(DiagnosticCode::duplicate_declaration, rule.name_span, "there is already a rule named '" + rule.name + "'",
             "first declared at " + where_declared(existing->second));
    }
  }
}

void Checker::check_zone(const Zone& zone) {
  for (const GeoPoint& point : zone.points) {
    if (point.latitude < -90 || point.latitude > 90) {
      report(DiagnosticCode::out_of_range, point.span, "latitude " + number_text(point.latitude) + " is not between -90 and 90");
    }
    if (point.longitude < -180 || point.longitude > 180) {
      report(DiagnosticCode::out_of_range, point.span,
             "longitude " + number_text(point.longitude) + " is not between -180 and 180");
    }
  }
  if (zone.shape == ZoneShape::circle && zone.radius_metres <= 0) {
    report(DiagnosticCode::out_of_range, zone.radius_span, "a zone's radius must be larger than zero");
  }
  if (zone.shape == ZoneShape::polygon && zone.points.size() < 3) {
    report(DiagnosticCode::out_of_range, zone.span,
           "a polygon needs at least 3 corners, zone '" + zone.name + "' has " + std::to_string(zone.points.size()));
  } else if (zone.shape == ZoneShape::polygon) {
    check_polygon_edges(*this, zone);
  }
}

void Checker::check_calendar(const Calendar& calendar) {
  for (const WeeklySlot& slot : calendar.slots) {
    if (slot.start_minute == slot.end_minute) {
      report(DiagnosticCode::out_of_range, slot.span,
             "the time slot " + clock(slot.start_minute) + "-" + clock(slot.end_minute) + " is empty",
             "a whole day is 00:00-24:00");
    }
  }
  for (const DatedInterval& interval : calendar.dates) {
    const LocalInterval local = local_interval(interval);
    if (local.end_minute <= local.start_minute) {
      report(DiagnosticCode::out_of_range, interval.span,
             "the interval " + to_string(interval.first) + " - " + to_string(interval.last.value_or(interval.first)) +
                 " is empty",
             "a last day without a time is included whole; a last time is excluded");
    }
  }
}

void Checker::check_parameters(std::span<const Parameter> parameters) {
  for (std::size_t i = 0; i < parameters.size(); ++i) {
    for (std::size_t j = 0; j < i; ++j) {
      if (parameters[i].name == parameters[j].name) {
        report(DiagnosticCode::duplicate_parameter, parameters[i].span,
               "parameter '" + parameters[i].name + "' is declared twice");
        break;
      }
    }
  }
}

const Situation* Checker::find_situation(std::string_view name) const {
  const auto found = situations_.find(name);
  return found == situations_.end() ? nullptr : found->second;
}

const Template* Checker::find_template(std::string_view name) const {
  const auto found = templates_.find(name);
  return found == templates_.end() ? nullptr : found->second;
}

void Checker::check_event_spec(const EventSpec& event) {
  if (event.activity == Activity::situation_starts || event.activity == Activity::situation_ends) {
    if (find_situation(event.subject) == nullptr) {
      std::vector<std::string> known;
      for (const Situation& situation : policy.situations) known.push_back(situation.name);
      report(DiagnosticCode::unknown_situation, event.span, "no situation named '" + event.subject + "'",
             did_you_mean(event.subject, known));
    }
  } else if (event.activity == Activity::context_changes) {
    if (!registry.has_context(event.subject)) {
      report(DiagnosticCode::unknown_context, event.span, "unknown context '" + event.subject + "'",
             did_you_mean(event.subject, registry.context_names()));
    }
  } else if (event.activity == Activity::disconnect && event.mode == Mode::tentative) {
    report(DiagnosticCode::mode_not_applicable, event.span, "a disconnect cannot be prevented, so it is never tentative",
           "write 'actual disconnect'");
  }
}

void Checker::check_situation(Situation& situation) {
  check_parameters(situation.parameters);
  Scope scope;
  scope.parameters = situation.parameters;
  expect_type(*situation.condition, scope, Type::boolean, "a situation");
}

void Checker::check_situation_cycles() {
  // Depth-first search over "situation A's condition names situation B",
  // with an explicit stack: a chain of many situations must not exhaust the
  // call stack.
  std::map<const Situation*, std::vector<const Situation*>> uses;
  for (const Situation& situation : policy.situations) {
    std::vector<const Situation*>& named = uses[&situation];
    std::function<void(const Expr&)> walk = [&](const Expr& expr) {  // depth bounded by the parser
      if (const auto* ref = std::get_if<SituationRef>(&expr.node)) {
        if (const Situation* next = find_situation(ref->name)) named.push_back(next);
      }
      for_each_child(expr, walk);
    };
    walk(*situation.condition);
  }
  enum class Mark { unvisited, active, done };
  std::map<const Situation*, Mark> marks;
  for (const Situation& root : policy.situations) {
    if (marks[&root] != Mark::unvisited) continue;
    std::vector<std::pair<const Situation*, std::size_t>> stack = {{&root, 0}};
    marks[&root] = Mark::active;
    while (!stack.empty()) {
      auto& [current, next_use] = stack.back();
      const std::vector<const Situation*>& named = uses[current];
      if (next_use == named.size()) {
        marks[current] = Mark::done;
        stack.pop_back();
        continue;
      }
      const Situation* next = named[next_use++];
      if (marks[next] == Mark::done) continue;
      if (marks[next] == Mark::active) {
        std::string cycle;
        bool in_cycle = false;
        for (const auto& [on_path, unused] : stack) {
          in_cycle = in_cycle || on_path == next;
          if (in_cycle) cycle += on_path->name + " -> ";
        }
        report(DiagnosticCode::recursive_situation, next->name_span,
               "situation '" + next->name + "' depends on itself", "through " + cycle + next->name);
        return;  // one cycle report is enough
      }
      marks[next] = Mark::active;
      stack.emplace_back(next, 0);
    }
  }
}

void Checker::check_template(Template& declared) {
  check_parameters(declared.parameters);
  std::map<std::string, Span, std::less<>> names;
  for (Rule& rule : declared.rules) {
    const auto [existing, inserted] = names.try_emplace(rule.name, rule.name_span);
    if (!inserted) {
      report(DiagnosticCode::duplicate_declaration, rule.name_span,
             "template '" + declared.name + "' already has a rule named '" + rule.name + "'",
             "first declared at " + where_declared(existing->second));
    }
    check_rule(rule, declared.parameters);
  }
}

void Checker::check_configuration(Configuration& configuration) {
  const Template* declared = find_template(configuration.template_name);
  if (declared == nullptr) {
    std::vector<std::string> known;
    for (const Template& candidate : policy.templates) known.push_back(candidate.name);
    report(DiagnosticCode::unknown_template, configuration.name_span,
           "no template named '" + configuration.template_name + "'", did_you_mean(configuration.template_name, known));
    return;
  }
  const std::string callee = "template '" + declared->name + "'";
  Scope scope;
  if (configuration.lifecycle) {
    Lifecycle& lifecycle = *configuration.lifecycle;
    check_event_spec(lifecycle.start.event);
    check_event_spec(lifecycle.end.event);
    scope.event = &lifecycle.start.event;
    scope.filter = "a configuration";
    if (lifecycle.start.where) expect_type(*lifecycle.start.where, scope, Type::boolean, "the 'for each' filter");
    Scope end_scope;
    end_scope.event = &lifecycle.end.event;
    end_scope.parameters = declared->parameters;
    end_scope.filter = "a configuration";
    if (lifecycle.end.where) expect_type(*lifecycle.end.where, end_scope, Type::boolean, "the 'until' filter");
  }
  const bool literals_only = !configuration.lifecycle;
  check_arguments(configuration.arguments, specs_of(declared->parameters), callee, configuration.span, scope,
                  literals_only);
}

}  // namespace mqwarden::policy::detail

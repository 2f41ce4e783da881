// Declarations: rules, templates, configurations, situations, zones and
// calendars, and the event specifications they share.
#include <algorithm>
#include <cmath>
#include <iterator>

#include "policy/parser_internal.hpp"
#include "policy/suggest.hpp"
#include "policy/civil_calendar.hpp"
#include "policy/words.hpp"

namespace mqwarden::policy::detail {
namespace {

const std::vector<std::string>& mqtt_activity_names() {
  static const std::vector<std::string> names = {"connect", "subscribe", "unsubscribe", "publish",
                                                 "deliver", "ping",      "disconnect"};
  return names;
}

template <class T>
std::optional<T> unless_failed(const Parser& parser, T value) {
  if (parser.panicking()) return std::nullopt;
  return value;
}

}  // namespace

void Parser::parse_declaration(Policy& policy) {
  if (at_word("rule")) {
    if (auto rule = parse_rule(true)) policy.rules.push_back(std::move(*rule));
  } else if (at_word("template")) {
    if (auto declared = parse_template()) policy.templates.push_back(std::move(*declared));
  } else if (at_word("configure")) {
    if (auto configuration = parse_configuration()) policy.configurations.push_back(std::move(*configuration));
  } else if (at_word("situation")) {
    if (auto situation = parse_situation()) policy.situations.push_back(std::move(*situation));
  } else if (at_word("zone")) {
    if (auto zone = parse_zone()) policy.zones.push_back(std::move(*zone));
  } else if (at_word("calendar")) {
    if (auto calendar = parse_calendar()) policy.calendars.push_back(std::move(*calendar));
  } else {
    error_expected("a declaration (rule, template, configure, situation, zone or calendar)");
  }
}

std::optional<Rule> Parser::parse_rule(bool name_required) {
  Rule rule;
  const Span start = advance().span;  // 'rule'
  if (at(TokenKind::word)) {
    const auto name = expect_name("a rule name");
    if (!name) return std::nullopt;
    rule.name = name->text;
    rule.name_span = name->span;
  } else if (name_required) {
    error(DiagnosticCode::unnamed_rule, peek().span, "a rule outside a template needs a name",
          "write 'rule <name> {'; the name appears in the audit log");
    return std::nullopt;
  }
  expect(TokenKind::left_brace, "'{'");
  if (!accept_word("on")) error_expected("'on' and the event the rule reacts to");
  if (auto trigger = parse_event_spec()) rule.trigger = std::move(*trigger);
  if (accept_word("where")) rule.where = parse_expression();
  if (accept_word("if")) rule.condition = parse_expression();
  if (!accept_word("then")) {
    error_expected(rule.condition ? "'then'" : rule.where ? "'if' or 'then'" : "'where', 'if' or 'then'");
  }
  rule.then_actions = parse_actions();
  if (accept_word("else")) rule.else_actions = parse_actions();
  expect(TokenKind::right_brace, "',' and another action, 'else', or '}' to end the rule");
  rule.span = Span::cover(start, previous().span);
  return unless_failed(*this, std::move(rule));
}

std::optional<EventSpec> Parser::parse_event_spec() {
  EventSpec event;
  const Span start = peek().span;
  if (at_word("tentative") || at_word("actual")) {
    event.mode = advance().text == "tentative" ? Mode::tentative : Mode::actual;
    if (at_word("situation") || at_word("context")) {
      error(DiagnosticCode::mode_not_applicable, Span::cover(start, peek().span),
            "situation and context events are neither tentative nor actual",
            "write 'situation <name> starts' or 'context <name> changes'");
      return std::nullopt;
    }
    if (!at(TokenKind::word)) {
      error_expected("an activity (connect, subscribe, unsubscribe, publish, deliver, ping or disconnect)");
      return std::nullopt;
    }
    const auto activity = mqtt_activity_named(peek().text);
    if (!activity) {
      std::string note = did_you_mean(peek().text, mqtt_activity_names());
      if (note.empty()) note = "activities are connect, subscribe, unsubscribe, publish, deliver, ping and disconnect";
      error(DiagnosticCode::unknown_activity, peek().span, "unknown activity '" + peek().text + "'", note);
      return std::nullopt;
    }
    advance();
    event.activity = *activity;
  } else if (accept_word("situation")) {
    const auto name = expect_name("a situation name");
    if (!name) return std::nullopt;
    event.subject = name->text;
    if (accept_word("starts")) {
      event.activity = Activity::situation_starts;
    } else if (accept_word("ends")) {
      event.activity = Activity::situation_ends;
    } else {
      error_expected("'starts' or 'ends'");
    }
  } else if (accept_word("context")) {
    const auto name = expect_name("a context name");
    if (!name) return std::nullopt;
    event.subject = name->text;
    event.activity = Activity::context_changes;
    expect_word("changes");
  } else if (at(TokenKind::word) && mqtt_activity_named(peek().text)) {
    error(DiagnosticCode::missing_mode, peek().span,
          "say whether this is about to happen (tentative) or has happened (actual)",
          "write 'tentative " + peek().text + "' or 'actual " + peek().text + "'");
    return std::nullopt;
  } else {
    error_expected("an event such as 'tentative publish'");
    return std::nullopt;
  }
  event.span = Span::cover(start, previous().span);
  return unless_failed(*this, std::move(event));
}

EventPattern Parser::parse_event_pattern_rest(EventSpec event) {
  EventPattern pattern{std::move(event), nullptr};
  if (accept_word("where")) pattern.where = parse_expression();
  return pattern;
}

std::vector<Parameter> Parser::parse_parameters() {
  std::vector<Parameter> parameters;
  if (at(TokenKind::right_paren)) return parameters;
  do {
    const auto name = expect_name("a parameter name");
    if (!name) return parameters;
    Parameter parameter{name->text, name->span, Type::string};
    if (accept(TokenKind::colon)) {
      if (!expect(TokenKind::word, "a type")) return parameters;
      const auto type = type_named(previous().text);
      if (!type) {
        error(DiagnosticCode::unknown_type, previous().span, "unknown type '" + previous().text + "'",
              "parameter types are bool, number, string, topic, duration, distance and list");
        return parameters;
      }
      parameter.type = *type;
      parameter.span = Span::cover(parameter.span, previous().span);
    }
    parameters.push_back(std::move(parameter));
  } while (accept(TokenKind::comma));
  return parameters;
}

std::optional<Template> Parser::parse_template() {
  Template declared;
  const Span start = advance().span;  // 'template'
  const auto name = expect_name("a template name");
  if (!name) return std::nullopt;
  declared.name = name->text;
  declared.name_span = name->span;
  expect(TokenKind::left_paren, "'(' and the template's parameters");
  declared.parameters = parse_parameters();
  expect(TokenKind::right_paren, "')'");
  expect(TokenKind::left_brace, "'{'");
  while (at_word("rule")) {
    auto rule = parse_rule(false);
    if (!rule) return std::nullopt;
    if (rule->name.empty()) rule->name = declared.name + "." + std::to_string(declared.rules.size() + 1);
    declared.rules.push_back(std::move(*rule));
  }
  expect(TokenKind::right_brace, "'rule' or '}' to end the template");
  declared.span = Span::cover(start, previous().span);
  return unless_failed(*this, std::move(declared));
}

std::optional<Configuration> Parser::parse_configuration() {
  Configuration configuration;
  const Span start = advance().span;  // 'configure'
  const auto name = expect_name("a template name");
  if (!name) return std::nullopt;
  configuration.template_name = name->text;
  configuration.name_span = name->span;
  expect(TokenKind::left_paren, "'(' and the template's arguments");
  if (!at(TokenKind::right_paren)) {
    do {
      if (!expect(TokenKind::word, "a parameter name")) return std::nullopt;
      Argument argument{previous().text, previous().span, nullptr};
      expect(TokenKind::assign, "'=' and the parameter's value");
      argument.value = parse_expression();
      configuration.arguments.push_back(std::move(argument));
    } while (accept(TokenKind::comma));
  }
  expect(TokenKind::right_paren, "')'");
  if (accept_word("for")) {
    expect_word("each");
    auto start_event = parse_event_spec();
    if (!start_event) return std::nullopt;
    EventPattern start_pattern = parse_event_pattern_rest(std::move(*start_event));
    if (!accept_word("until")) error_expected("'until' and the event that ends each instance");
    auto end_event = parse_event_spec();
    if (!end_event) return std::nullopt;
    configuration.lifecycle = Lifecycle{std::move(start_pattern), parse_event_pattern_rest(std::move(*end_event))};
  }
  configuration.span = Span::cover(start, previous().span);
  return unless_failed(*this, std::move(configuration));
}

std::optional<Situation> Parser::parse_situation() {
  Situation situation;
  const Span start = advance().span;  // 'situation'
  const auto name = expect_name("a situation name");
  if (!name) return std::nullopt;
  situation.name = name->text;
  situation.name_span = name->span;
  if (accept(TokenKind::left_paren)) {
    situation.parameters = parse_parameters();
    expect(TokenKind::right_paren, "')'");
  }
  expect(TokenKind::assign, "'=' and the situation's condition");
  situation.condition = parse_expression();
  situation.span = Span::cover(start, previous().span);
  return unless_failed(*this, std::move(situation));
}

std::optional<double> Parser::parse_coordinate() {
  const bool negative = accept(TokenKind::minus);
  if (!expect(TokenKind::number, "a coordinate in degrees, such as 45.81")) return std::nullopt;
  return negative ? -previous().number : previous().number;
}

std::optional<GeoPoint> Parser::parse_geo_point() {
  const Span start = peek().span;
  const auto latitude = parse_coordinate();
  expect(TokenKind::comma, "',' between latitude and longitude");
  const auto longitude = parse_coordinate();
  if (!latitude || !longitude) return std::nullopt;
  return unless_failed(*this, GeoPoint{*latitude, *longitude, Span::cover(start, previous().span)});
}

std::optional<Zone> Parser::parse_zone() {
  Zone zone;
  const Span start = advance().span;  // 'zone'
  const auto name = expect_name("a zone name");
  if (!name) return std::nullopt;
  zone.name = name->text;
  zone.name_span = name->span;
  expect(TokenKind::assign, "'=' and the zone's shape");
  if (accept_word("circle")) {
    zone.shape = ZoneShape::circle;
    expect(TokenKind::left_paren, "'(' and the centre's latitude, longitude and the radius");
    auto centre = parse_geo_point();
    if (!centre) return std::nullopt;
    zone.points.push_back(*centre);
    expect(TokenKind::comma, "',' and the radius");
    const ExprPtr radius = parse_primary();
    if (panicking()) return std::nullopt;
    const auto* metres = std::get_if<DistanceLiteral>(&radius->node);
    if (metres == nullptr) {
      error(DiagnosticCode::syntax, radius->span, "expected a radius such as 200 m");
      return std::nullopt;
    }
    zone.radius_metres = metres->metres;
    zone.radius_span = radius->span;
    expect(TokenKind::right_paren, "')'");
  } else if (accept_word("polygon")) {
    zone.shape = ZoneShape::polygon;
    expect(TokenKind::left_paren, "'(' and the polygon's corners");
    do {
      expect(TokenKind::left_paren, "'(' and a corner's latitude and longitude");
      auto corner = parse_geo_point();
      if (!corner) return std::nullopt;
      zone.points.push_back(*corner);
      expect(TokenKind::right_paren, "')'");
    } while (accept(TokenKind::comma));
    expect(TokenKind::right_paren, "')'");
  } else {
    error_expected("'circle' or 'polygon'");
  }
  zone.span = Span::cover(start, previous().span);
  return unless_failed(*this, std::move(zone));
}

std::optional<WeeklySlot> Parser::parse_weekly_slot() {
  WeeklySlot slot;
  const Span start = peek().span;
  auto day = [&]() -> std::optional<Weekday> {
    const auto weekday = at(TokenKind::word) ? weekday_named(peek().text) : std::nullopt;
    if (!weekday) {
      error_expected("a day such as Mon");
      return std::nullopt;
    }
    advance();
    return weekday;
  };
  const auto first = day();
  if (!first) return std::nullopt;
  slot.first_day = slot.last_day = *first;
  if (accept(TokenKind::minus)) {
    const auto last = day();
    if (!last) return std::nullopt;
    slot.last_day = *last;
  }
  if (!expect(TokenKind::time_of_day, "a start time such as 08:00")) return std::nullopt;
  slot.start_minute = static_cast<int>(previous().number);
  expect(TokenKind::minus, "'-' and the end time");
  if (!expect(TokenKind::time_of_day, "an end time such as 18:00")) return std::nullopt;
  slot.end_minute = static_cast<int>(previous().number);
  slot.span = Span::cover(start, previous().span);
  return slot;
}

// `2026-12-24`, optionally followed by a time: `2026-12-31 18:00`.
std::optional<CalendarDate> Parser::parse_calendar_date() {
  const Span start = peek().span;
  double parts[3] = {};
  for (std::size_t i = 0; i < 3; ++i) {
    if (i > 0 && !expect(TokenKind::minus, "'-' and the rest of a date such as 2026-12-24")) return std::nullopt;
    if (!expect(TokenKind::number, "a date such as 2026-12-24")) return std::nullopt;
    parts[i] = previous().number;
  }
  const Span written = Span::cover(start, previous().span);
  const bool whole = std::all_of(std::begin(parts), std::end(parts),
                                 [](double part) { return part >= 0 && part <= 9999 && part == std::floor(part); });
  if (!whole) {
    error(DiagnosticCode::invalid_time, written, "a date is written YYYY-MM-DD, such as 2026-12-24");
    return std::nullopt;
  }
  CalendarDate date;
  date.year = static_cast<int>(parts[0]);
  date.month = static_cast<int>(parts[1]);
  date.day = static_cast<int>(parts[2]);
  if (date.year < 1900 || date.month < 1 || date.month > 12 || date.day < 1 ||
      date.day > days_in_month(date.year, date.month)) {
    error(DiagnosticCode::invalid_time, written, "'" + to_string(date) + "' is not a date",
          "dates run from 1900-01-01 to 9999-12-31, written YYYY-MM-DD");
    return std::nullopt;
  }
  if (accept(TokenKind::time_of_day)) date.minute = static_cast<int>(previous().number);
  date.span = Span::cover(start, previous().span);
  return date;
}

// `2026-12-24`, `2026-12-24 - 2026-12-26` or `2026-12-31 18:00 - 2027-01-01 12:00`.
std::optional<DatedInterval> Parser::parse_dated_interval() {
  DatedInterval interval;
  auto first = parse_calendar_date();
  if (!first) return std::nullopt;
  interval.first = *first;
  if (accept(TokenKind::minus)) {
    auto last = parse_calendar_date();
    if (!last) return std::nullopt;
    interval.last = *last;
  } else if (first->minute) {
    error(DiagnosticCode::syntax, first->span, "a date with a time starts an interval: add '-' and its end",
          "for example 2026-12-31 18:00 - 2027-01-01 12:00");
    return std::nullopt;
  }
  interval.span = Span::cover(first->span, previous().span);
  return interval;
}

std::optional<Calendar> Parser::parse_calendar() {
  Calendar calendar;
  const Span start = advance().span;  // 'calendar'
  const auto name = expect_name("a calendar name");
  if (!name) return std::nullopt;
  calendar.name = name->text;
  calendar.name_span = name->span;
  expect(TokenKind::assign, "'=' and the calendar's times");
  if (accept_word("weekly")) {
    do {
      auto slot = parse_weekly_slot();
      if (!slot) return std::nullopt;
      calendar.slots.push_back(*slot);
    } while (accept(TokenKind::comma));
  } else if (accept_word("dated")) {
    do {
      auto interval = parse_dated_interval();
      if (!interval) return std::nullopt;
      calendar.dates.push_back(*interval);
    } while (accept(TokenKind::comma));
  } else {
    error_expected("'weekly' or 'dated'");
    return std::nullopt;
  }
  if (accept_word("in")) {
    if (!expect(TokenKind::string, "a time zone name such as \"Europe/Rome\"")) return std::nullopt;
    calendar.time_zone_name = previous().text;
    calendar.time_zone_span = previous().span;
  }
  calendar.span = Span::cover(start, previous().span);
  return unless_failed(*this, std::move(calendar));
}

}  // namespace mqwarden::policy::detail

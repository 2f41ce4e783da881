// The parser: the shape of the AST for each construct, precedence, units,
// spans, and recovery after errors.
#include "policy/parser.hpp"

#include "policy_test_support.hpp"

namespace mqwarden::policy {
namespace {

using testing::as;
using testing::codes_of;
using testing::parse_text;

// The condition of the single rule of `text`, which must parse cleanly.
const Expr& condition_of(const ParseResult& parsed) {
  EXPECT_TRUE(parsed.diagnostics.empty()) << codes_of(parsed.diagnostics);
  static const Expr kNothing{};
  if (parsed.policy.rules.size() != 1 || !parsed.policy.rules[0].condition) return kNothing;
  return *parsed.policy.rules[0].condition;
}

ParseResult parse_condition(const std::string& condition) {
  return parse_text("rule r { on tentative publish if " + condition + " then allow }");
}

TEST(Parser, ReadsARuleWithEveryClause) {
  const ParseResult parsed = parse_text(R"(
rule lab {
  on tentative subscribe
  where topic matches "sensors/lab/#"
  if reputation(client.id) >= 3
  then allow
  else deny reason "outside the lab" code 0x87
})");
  ASSERT_TRUE(parsed.diagnostics.empty()) << codes_of(parsed.diagnostics);
  ASSERT_EQ(parsed.policy.rules.size(), 1U);
  const Rule& rule = parsed.policy.rules[0];
  EXPECT_EQ(rule.name, "lab");
  EXPECT_EQ(rule.trigger.mode, Mode::tentative);
  EXPECT_EQ(rule.trigger.activity, Activity::subscribe);
  EXPECT_EQ(as<Compare>(*rule.where).op, CompareOp::matches);
  EXPECT_EQ(as<Compare>(*rule.condition).op, CompareOp::greater_equal);
  ASSERT_EQ(rule.then_actions.size(), 1U);
  EXPECT_TRUE(std::holds_alternative<Allow>(rule.then_actions[0].node));
  ASSERT_EQ(rule.else_actions.size(), 1U);
  const Deny& deny = std::get<Deny>(rule.else_actions[0].node);
  EXPECT_EQ(deny.reason, "outside the lab");
  EXPECT_EQ(deny.code, 0x87);
  EXPECT_EQ(rule.span.line, 2U);
  EXPECT_EQ(rule.name_span.column, 6U);
}

TEST(Parser, ReadsSituationAndContextEvents) {
  const ParseResult parsed = parse_text(
      "rule a { on situation near starts then execute log(\"info\", \"near\") }\n"
      "rule b { on situation near ends then execute log(\"info\", \"apart\") }\n"
      "rule c { on context position changes then execute log(\"info\", \"moved\") }");
  ASSERT_TRUE(parsed.diagnostics.empty()) << codes_of(parsed.diagnostics);
  EXPECT_EQ(parsed.policy.rules[0].trigger.activity, Activity::situation_starts);
  EXPECT_EQ(parsed.policy.rules[0].trigger.subject, "near");
  EXPECT_EQ(parsed.policy.rules[1].trigger.activity, Activity::situation_ends);
  EXPECT_EQ(parsed.policy.rules[2].trigger.activity, Activity::context_changes);
  EXPECT_EQ(parsed.policy.rules[2].trigger.subject, "position");
}

TEST(Parser, GivesNotALowerPrecedenceThanComparisons) {
  const ParseResult parsed = parse_condition("not subscriber.roles contains \"admin\"");
  const Not& negation = as<Not>(condition_of(parsed));
  EXPECT_EQ(as<Compare>(*negation.operand).op, CompareOp::contains);
}

TEST(Parser, BindsAndTighterThanOrAndFlattensChains) {
  const ParseResult parsed = parse_condition("retain or qos == 1 and qos == 2 and retain");
  const Logical& any = as<Logical>(condition_of(parsed));
  EXPECT_EQ(any.op, LogicalOp::any);
  ASSERT_EQ(any.operands.size(), 2U);
  const Logical& all = as<Logical>(*any.operands[1]);
  EXPECT_EQ(all.op, LogicalOp::all);
  EXPECT_EQ(all.operands.size(), 3U);
}

TEST(Parser, BindsConcatenationTighterThanComparisonsAndFlattensChains) {
  const ParseResult parsed = parse_condition("topic matches \"devices/\" + client.id + \"/#\"");
  const Compare& matches = as<Compare>(condition_of(parsed));
  EXPECT_EQ(matches.op, CompareOp::matches);
  const Concat& concat = as<Concat>(*matches.right);
  ASSERT_EQ(concat.parts.size(), 3U);
  EXPECT_EQ(as<StringLiteral>(*concat.parts[0]).value, "devices/");
  EXPECT_EQ(as<Path>(*concat.parts[1]).dotted(), "client.id");
  EXPECT_EQ(as<StringLiteral>(*concat.parts[2]).value, "/#");
  EXPECT_EQ(matches.right->span.column, 48U);
  EXPECT_EQ(matches.right->span.length, 29U);
}

TEST(Parser, ReadsEveryComparisonOperator) {
  const std::pair<const char*, CompareOp> cases[] = {
      {"qos == 1", CompareOp::equal},
      {"qos != 1", CompareOp::not_equal},
      {"qos < 1", CompareOp::less},
      {"qos <= 1", CompareOp::less_equal},
      {"qos > 1", CompareOp::greater},
      {"qos >= 1", CompareOp::greater_equal},
      {"client.id in [\"a\"]", CompareOp::in},
      {"client.id not in [\"a\"]", CompareOp::not_in},
      {"client.roles contains \"a\"", CompareOp::contains},
      {"topic matches \"a/+\"", CompareOp::matches},
      {"topic matches regex \"^a\"", CompareOp::matches_regex},
      {"topic =~ \"^a\"", CompareOp::matches_regex},
  };
  for (const auto& [text, op] : cases) {
    const ParseResult parsed = parse_condition(text);
    EXPECT_EQ(as<Compare>(condition_of(parsed)).op, op) << text;
  }
}

TEST(Parser, ReadsPresenceTests) {
  const ParseResult absent = parse_condition("payload.temp is absent");
  EXPECT_FALSE(as<Presence>(condition_of(absent)).present);
  const ParseResult present = parse_condition("payload.temp is present");
  EXPECT_TRUE(as<Presence>(condition_of(present)).present);
}

TEST(Parser, ConvertsUnitsToMillisecondsAndMetres) {
  const std::pair<const char*, std::int64_t> durations[] = {
      {"250 ms", 250}, {"10 s", 10'000}, {"5 min", 300'000}, {"2 h", 7'200'000},
      {"30 d", 2'592'000'000}, {"1 week", 604'800'000}, {"1.5 seconds", 1'500}, {"10s", 10'000}};
  for (const auto& [text, milliseconds] : durations) {
    const ParseResult parsed = parse_text(std::string("rule r { on tentative publish then delay ") + text + " }");
    ASSERT_TRUE(parsed.diagnostics.empty()) << text << codes_of(parsed.diagnostics);
    const Delay& delay = std::get<Delay>(parsed.policy.rules[0].then_actions[0].node);
    EXPECT_EQ(as<DurationLiteral>(*delay.duration).milliseconds, milliseconds) << text;
  }
  const std::pair<const char*, double> distances[] = {{"100 m", 100}, {"2 km", 2000}, {"3 metres", 3}};
  for (const auto& [text, metres] : distances) {
    const ParseResult parsed = parse_condition(std::string("distance(position(\"a\"), position(\"b\")) < ") + text);
    EXPECT_DOUBLE_EQ(as<DistanceLiteral>(*as<Compare>(condition_of(parsed)).right).metres, metres) << text;
  }
}

TEST(Parser, ReadsFieldPathsWithKeysIndicesAndTheTriggeringEvent) {
  const ParseResult parsed = parse_condition(
      "user_properties[\"k\"] == payload.items[0].name and count(within 10 s, actual publish where client.id == "
      "event.client.id) > 1");
  const Logical& all = as<Logical>(condition_of(parsed));
  const Compare& first = as<Compare>(*all.operands[0]);
  EXPECT_EQ(as<Path>(*first.left).dotted(), "user_properties[\"k\"]");
  EXPECT_EQ(as<Path>(*first.right).dotted(), "payload.items[0].name");
  const Temporal& count = as<Temporal>(*as<Compare>(*all.operands[1]).left);
  EXPECT_EQ(count.op, TemporalOp::count);
  ASSERT_EQ(count.operands.size(), 2U);
  const EventPattern& pattern = as<EventPattern>(*count.operands[1]);
  EXPECT_EQ(pattern.event.activity, Activity::publish);
  const Path& trigger = as<Path>(*as<Compare>(*pattern.where).right);
  EXPECT_TRUE(trigger.of_trigger);
  EXPECT_EQ(trigger.dotted(), "event.client.id");
}

TEST(Parser, ReadsEveryTemporalOperator) {
  const std::pair<const char*, TemporalOp> cases[] = {
      {"always(retain)", TemporalOp::always},
      {"before(1 min, actual ping)", TemporalOp::before},
      {"within(1 min, actual ping)", TemporalOp::within},
      {"during(1 min, retain)", TemporalOp::during},
      {"since(retain, actual ping)", TemporalOp::since},
      {"repMax(3, actual ping)", TemporalOp::rep_max},
      {"repLim(1 h, 1, 3, actual ping)", TemporalOp::rep_lim},
      {"repSince(3, actual connect, actual ping)", TemporalOp::rep_since},
  };
  for (const auto& [text, op] : cases) {
    const ParseResult parsed = parse_condition(text);
    EXPECT_EQ(as<Temporal>(condition_of(parsed)).op, op) << text;
  }
}

TEST(Parser, ReadsCallsWithNamedArgumentsAndObjects) {
  const ParseResult parsed = parse_text(
      "rule r { on tentative deliver then execute notify(topic = \"alerts\", message = {\"who\": publisher.id, "
      "\"n\": 1}) }");
  ASSERT_TRUE(parsed.diagnostics.empty()) << codes_of(parsed.diagnostics);
  const Execute& execute = std::get<Execute>(parsed.policy.rules[0].then_actions[0].node);
  EXPECT_EQ(execute.reaction, "notify");
  ASSERT_EQ(execute.arguments.size(), 2U);
  EXPECT_EQ(execute.arguments[0].name, "topic");
  const ObjectLiteral& object = as<ObjectLiteral>(*execute.arguments[1].value);
  ASSERT_EQ(object.members.size(), 2U);
  EXPECT_EQ(object.members[0].key, "who");
}

TEST(Parser, ReadsEveryPayloadEdit) {
  const ParseResult parsed = parse_text(R"(
rule r {
  on tentative deliver
  then modify {
    set payload.name = "anonymous";
    remove payload.email;
    replace payload.ssn with "***";
    pseudonymise payload.id;
    pseudonymize payload.owner;
    round payload.temp to 1 decimal;
    truncate payload.lat to 2 decimals;
    blur payload.lat, payload.lon to 500 m;
    replace payload with "{}"
  }
})");
  ASSERT_TRUE(parsed.diagnostics.empty()) << codes_of(parsed.diagnostics);
  const Modify& modify = std::get<Modify>(parsed.policy.rules[0].then_actions[0].node);
  const EditKind expected[] = {EditKind::set,          EditKind::remove, EditKind::replace,
                               EditKind::pseudonymise, EditKind::pseudonymise, EditKind::round,
                               EditKind::truncate,     EditKind::blur,   EditKind::replace};
  ASSERT_EQ(modify.edits.size(), std::size(expected));
  for (std::size_t i = 0; i < modify.edits.size(); ++i) EXPECT_EQ(modify.edits[i].kind, expected[i]) << i;
  EXPECT_EQ(modify.edits[7].targets.size(), 2U);
  EXPECT_EQ(as<Path>(*modify.edits[8].targets[0]).dotted(), "payload");
}

TEST(Parser, NamesTheUnnamedRulesOfATemplate) {
  const ParseResult parsed = parse_text(
      "template watch(device, limit: number, window: duration) {\n"
      "  rule { on tentative ping then allow }\n"
      "  rule named { on tentative ping then allow }\n"
      "  rule { on tentative ping then allow }\n"
      "}");
  ASSERT_TRUE(parsed.diagnostics.empty()) << codes_of(parsed.diagnostics);
  const Template& declared = parsed.policy.templates[0];
  ASSERT_EQ(declared.parameters.size(), 3U);
  EXPECT_EQ(declared.parameters[0].type, Type::string);
  EXPECT_EQ(declared.parameters[1].type, Type::number);
  EXPECT_EQ(declared.parameters[2].type, Type::duration);
  ASSERT_EQ(declared.rules.size(), 3U);
  EXPECT_EQ(declared.rules[0].name, "watch.1");
  EXPECT_EQ(declared.rules[1].name, "named");
  EXPECT_EQ(declared.rules[2].name, "watch.3");
}

TEST(Parser, ReadsStaticAndLifecycleConfigurations) {
  const ParseResult parsed = parse_text(
      "configure t(a = \"x\", b = 3)\n"
      "configure t(a = client.id, b = 3)\n"
      "  for each actual connect where client.username != \"admin\"\n"
      "  until actual disconnect where client.id == a");
  ASSERT_TRUE(parsed.diagnostics.empty()) << codes_of(parsed.diagnostics);
  ASSERT_EQ(parsed.policy.configurations.size(), 2U);
  EXPECT_FALSE(parsed.policy.configurations[0].lifecycle);
  const Configuration& bound = parsed.policy.configurations[1];
  ASSERT_TRUE(bound.lifecycle);
  EXPECT_EQ(bound.lifecycle->start.event.activity, Activity::connect);
  EXPECT_EQ(bound.lifecycle->end.event.activity, Activity::disconnect);
  EXPECT_NE(bound.lifecycle->end.where, nullptr);
}

TEST(Parser, ReadsZonesAndCalendars) {
  const ParseResult parsed = parse_text(
      "zone lab = circle(45.81, -8.63, 2 km)\n"
      "zone yard = polygon((45.81, 8.63), (45.82, 8.64), (45.80, 8.65))\n"
      "calendar shifts = weekly Mon-Fri 08:00-18:00, saturday 22:00-06:00, Fri-Mon 00:00-24:00");
  ASSERT_TRUE(parsed.diagnostics.empty()) << codes_of(parsed.diagnostics);
  const Zone& lab = parsed.policy.zones[0];
  EXPECT_EQ(lab.shape, ZoneShape::circle);
  EXPECT_DOUBLE_EQ(lab.points[0].longitude, -8.63);
  EXPECT_DOUBLE_EQ(lab.radius_metres, 2000);
  EXPECT_EQ(parsed.policy.zones[1].points.size(), 3U);
  const Calendar& shifts = parsed.policy.calendars[0];
  ASSERT_EQ(shifts.slots.size(), 3U);
  EXPECT_EQ(shifts.slots[0].first_day, Weekday::monday);
  EXPECT_EQ(shifts.slots[0].last_day, Weekday::friday);
  EXPECT_EQ(shifts.slots[0].end_minute, 18 * 60);
  EXPECT_EQ(shifts.slots[1].first_day, Weekday::saturday);
  EXPECT_EQ(shifts.slots[1].start_minute, 22 * 60);
  EXPECT_EQ(shifts.slots[2].first_day, Weekday::friday);
  EXPECT_EQ(shifts.slots[2].last_day, Weekday::monday);
}

TEST(Parser, ReadsNegativeNumbers) {
  const ParseResult parsed = parse_text("rule r { on tentative publish then execute adjust_reputation(client.id, -1) }");
  ASSERT_TRUE(parsed.diagnostics.empty()) << codes_of(parsed.diagnostics);
  const Execute& execute = std::get<Execute>(parsed.policy.rules[0].then_actions[0].node);
  EXPECT_DOUBLE_EQ(as<NumberLiteral>(*execute.arguments[1].value).value, -1);
}

TEST(Parser, AllowsKeywordsAsFieldNamesAfterADot) {
  const ParseResult parsed = parse_condition("payload.count == 1 and payload.rule == \"x\" and situation.name == \"s\"");
  EXPECT_EQ(as<Logical>(condition_of(parsed)).operands.size(), 3U);
}

TEST(Parser, SpansCoverTheWholeExpression) {
  const ParseResult parsed = parse_text("rule r { on tentative publish if qos  ==  1 then allow }");
  const Expr& condition = condition_of(parsed);
  EXPECT_EQ(condition.span.column, 34U);
  EXPECT_EQ(condition.span.length, 10U);
}

TEST(Parser, RecoversAtTheNextDeclarationAndDropsTheBrokenOne) {
  const ParseResult parsed = parse_text(
      "rule a { on tentative publish where then allow }\n"
      "rule b { on tentative publish then allow }\n"
      "zone z = square(1)\n"
      "rule c { on tentative publish then allow }\n");
  ASSERT_EQ(parsed.diagnostics.size(), 2U) << codes_of(parsed.diagnostics);
  EXPECT_EQ(parsed.diagnostics[0].message, "expected a value, found 'then'");
  EXPECT_EQ(parsed.diagnostics[1].message, "expected 'circle' or 'polygon', found 'square'");
  ASSERT_EQ(parsed.policy.rules.size(), 2U);
  EXPECT_EQ(parsed.policy.rules[0].name, "b");
  EXPECT_EQ(parsed.policy.rules[1].name, "c");
  EXPECT_TRUE(parsed.policy.zones.empty());
}

TEST(Parser, ResumesAtADeclarationThatInterruptsAnotherOne) {
  const ParseResult parsed = parse_text("zone z =\nrule b { on tentative publish then allow }\n");
  ASSERT_EQ(parsed.diagnostics.size(), 1U);
  ASSERT_EQ(parsed.policy.rules.size(), 1U);
  EXPECT_EQ(parsed.policy.rules[0].name, "b");
}

TEST(Parser, ExplainsWhatMayComeNextInARule) {
  const std::pair<const char*, const char*> cases[] = {
      {"rule r { tentative publish then allow }", "expected 'on' and the event the rule reacts to, found 'tentative'"},
      {"rule r { on tentative publish allow }", "expected 'where', 'if' or 'then', found 'allow'"},
      {"rule r { on tentative publish where retain allow }", "expected 'if' or 'then', found 'allow'"},
      {"rule r { on tentative publish then deny execute log(\"a\", \"b\") }",
       "expected ',' and another action, 'else', or '}' to end the rule, found 'execute'"},
      {"rule r { on tentative publish then modify { set payload.a = 1 remove payload.b } }",
       "expected ';' and another edit, or '}' to end the modification, found 'remove'"},
      {"rule r { on tentative publish if count(10 s, actual ping) > 1 then allow }",
       "expected 'within' and a duration, as in count(within 10 s, ...), found a number"},
      {"calendar c = weekly Mon 08:00", "expected '-' and the end time, found the end of the file"},
      {"calendar c = weekly Someday 08:00-09:00", "expected a day such as Mon, found 'Someday'"},
      {"rule r { on situation s begins then allow }", "expected 'starts' or 'ends', found 'begins'"},
  };
  for (const auto& [text, message] : cases) {
    const ParseResult parsed = parse_text(text);
    ASSERT_FALSE(parsed.diagnostics.empty()) << text;
    EXPECT_EQ(parsed.diagnostics[0].message, message) << text;
  }
}

}  // namespace
}  // namespace mqwarden::policy

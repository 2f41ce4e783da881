// Every diagnostic the front end can produce, each message variant at least
// once: a minimal policy that triggers it, the code, and a piece of the
// message. A last test fails when a new code is added without a case here.
#include <set>

#include "policy_test_support.hpp"

namespace mqwarden::policy {
namespace {

using testing::codes_of;
using testing::diagnose;
using Code = DiagnosticCode;

struct Case {
  std::string_view source;
  Code code;
  std::string_view message;
};

void PrintTo(const Case& entry, std::ostream* out) { *out << to_string(entry.code) << ": " << entry.message; }

// Wraps a condition into a rule on tentative publish.
#define IF_PUBLISH(condition) "rule r { on tentative publish if " condition " then allow }"

const Case kCases[] = {
    // lexer
    {"rule r { on tentative publish where topic @ \"a\" then allow }", Code::unexpected_character,
     "unexpected character '@'"},
    {"rule r { on tentative publish where topic == \"abc\n then allow }", Code::unterminated_string,
     "string is not closed"},
    {"rule r { on tentative publish where topic == \"a\\qb\" then allow }", Code::invalid_escape,
     "unknown escape '\\q' in a string"},
    {IF_PUBLISH("qos == 0x"), Code::invalid_number, "malformed hexadecimal number '0x'"},
    {IF_PUBLISH("qos == 1" "0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
                "0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
                "0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
                "0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"),
     Code::invalid_number, "is too large"},
    {"calendar c = weekly Mon 25:00-26:00", Code::invalid_time, "'25:00' is not a time of day"},
    {"calendar c = dated 2026-02-30", Code::invalid_time, "'2026-02-30' is not a date"},
    {"calendar c = dated 2026-1.5-01", Code::invalid_time, "a date is written YYYY-MM-DD"},
    // parser
    {"rule r { on tentative publish then }", Code::syntax,
     "expected an action (allow, deny, modify, delay or execute), found '}'"},
    {"rule r { on tentative publish where topic = \"a\" then allow }", Code::syntax, "'=' does not compare"},
    {"zone z = circle(1, 2, 3)", Code::syntax, "expected a radius such as 200 m"},
    {"policy", Code::syntax, "expected a declaration (rule, template, configure, situation, zone or calendar)"},
    {IF_PUBLISH("(((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((true"), Code::nesting_too_deep,
     "expression nested too deeply"},
    {"rule r { on publish then allow }", Code::missing_mode, "say whether this is about to happen (tentative)"},
    {"rule r { on actual situation s starts then allow }", Code::mode_not_applicable,
     "situation and context events are neither tentative nor actual"},
    {"rule r { on tentative disconnect then allow }", Code::mode_not_applicable,
     "a disconnect cannot be prevented"},
    {"rule r { on tentative publsh then allow }", Code::unknown_activity, "unknown activity 'publsh'"},
    {"rule { on tentative publish then allow }", Code::unnamed_rule, "a rule outside a template needs a name"},
    {"zone and = circle(1, 2, 3 m)", Code::reserved_word, "'and' is a reserved word"},
    {IF_PUBLISH("qos < 1 < 2"), Code::chained_comparison, "comparisons cannot be chained"},
    {IF_PUBLISH("consent(owner = \"a\", \"b\", \"c\")"), Code::positional_after_named,
     "an unnamed argument cannot follow a named one"},
    {"template t(x: int) { }", Code::unknown_type, "unknown type 'int'"},
    {"rule r { on tentative publish then delay -5 s }", Code::negative_quantity, "a duration cannot be negative"},
    {IF_PUBLISH("distance(position(\"a\"), position(\"b\")) < -3 m"), Code::negative_quantity,
     "a distance cannot be negative"},
    {"rule r { on tentative publish then delay 40000 d }", Code::out_of_range, "duration is too long"},
    // checker: names
    {"rule r { on tentative deliver where client.id == \"a\" then allow }", Code::unknown_field,
     "deliver events have no 'client'"},
    {"rule r { on tentative connect where topic == \"a\" then allow }", Code::unknown_field,
     "connect events have no field 'topic'"},
    {IF_PUBLISH("client.nmae == \"a\""), Code::unknown_field, "unknown field 'client.nmae' in publish events"},
    {"situation s(a) = true\nrule r { on situation s starts where situation.b == \"x\" then execute log(\"i\", \"x\") }",
     Code::unknown_field, "situation 's' has no field 'situation.b'"},
    {"situation s = client.id == \"a\"", Code::unknown_field, "a situation cannot read event fields"},
    {IF_PUBLISH("topic == foo"), Code::unknown_name, "unknown name 'foo'"},
    {IF_PUBLISH("reputaton(client.id) > 2"), Code::unknown_function, "unknown function 'reputaton'"},
    {"rule r { on tentative publish then deny, execute bann(client.ip, 5 min) }", Code::unknown_reaction,
     "unknown reaction 'bann'"},
    {IF_PUBLISH("situation near"), Code::unknown_situation, "no situation named 'near'"},
    {"rule r { on situation near starts then execute log(\"i\", \"x\") }", Code::unknown_situation,
     "no situation named 'near'"},
    {"configure nothing(x = 1)", Code::unknown_template, "no template named 'nothing'"},
    {"rule r { on context weather changes then execute log(\"i\", \"x\") }", Code::unknown_context,
     "unknown context 'weather'"},
    {IF_PUBLISH("consent(owner = \"a\", recipient = \"b\", purpse = \"c\")"), Code::unknown_parameter,
     "function 'consent' has no parameter 'purpse'"},
    {"template t(x) { }\nconfigure t()", Code::missing_argument, "template 't' needs a value for parameter 'x'"},
    {IF_PUBLISH("reputation(\"a\", \"b\") > 1"), Code::wrong_arity, "function 'reputation' takes 1 argument, found 2"},
    {IF_PUBLISH("within(5 s)"), Code::wrong_arity, "'within' takes 2 arguments, found 1"},
    {"zone lab = circle(1, 2, 3 m)\nzone lab = circle(1, 2, 3 m)", Code::duplicate_declaration,
     "'lab' is already declared (as a zone)"},
    {"rule a { on tentative ping then allow }\nrule a { on tentative ping then deny }", Code::duplicate_declaration,
     "there is already a rule named 'a'"},
    {"template t() { rule x { on tentative ping then allow } rule x { on tentative ping then deny } }\nconfigure t()",
     Code::duplicate_declaration, "template 't' already has a rule named 'x'"},
    {"template t(x, x) { }", Code::duplicate_parameter, "parameter 'x' is declared twice"},
    {"template t(x) { }\nconfigure t(x = \"a\", x = \"b\")", Code::duplicate_argument,
     "parameter 'x' of template 't' is given twice"},
    {"rule r { on tentative publish then execute notify(\"a\", {\"k\": 1, \"k\": 2}) }", Code::duplicate_key,
     "key \"k\" appears twice"},
    {"situation a = situation b\nsituation b = situation a", Code::recursive_situation,
     "situation 'a' depends on itself"},
    // checker: types and placement
    {IF_PUBLISH("qos"), Code::type_mismatch, "the if condition must be a bool, found a number"},
    {IF_PUBLISH("client.id in [true]"), Code::type_mismatch, "list items must be strings or numbers"},
    {IF_PUBLISH("client.id in [\"a\", 1]"), Code::type_mismatch, "list items must all have one type"},
    {IF_PUBLISH("client.id is absent"), Code::type_mismatch, "only JSON values"},
    {IF_PUBLISH("qos matches \"a/#\""), Code::type_mismatch, "'matches' tests a topic or string against a topic filter"},
    {IF_PUBLISH("qos =~ \"a\""), Code::type_mismatch, "a regular expression matches text"},
    {IF_PUBLISH("topic matches \"a/\" + qos"), Code::type_mismatch, "'+' joins strings, found a number"},
    {IF_PUBLISH("always(qos)"), Code::type_mismatch, "'always' needs a condition or an event pattern here"},
    {IF_PUBLISH("reputation(5) > 1"), Code::type_mismatch,
     "parameter 'entity' of function 'reputation' must be a string, found a number"},
    {IF_PUBLISH("qos == \"1\""), Code::incomparable_types, "cannot compare a number with a string using '=='"},
    {IF_PUBLISH("client.id > 3"), Code::incomparable_types, "cannot order a string and a number with '>'"},
    {"zone lab = circle(1, 2, 3 m)\n" IF_PUBLISH("qos in lab"), Code::incomparable_types,
     "cannot test whether a number is in a zone"},
    {IF_PUBLISH("qos contains \"a\""), Code::incomparable_types, "cannot test whether a number contains a string"},
    {IF_PUBLISH("topic matches \"a/#/b\""), Code::invalid_topic_filter, "\"a/#/b\" is not a valid MQTT topic filter"},
    {IF_PUBLISH("topic =~ client.id"), Code::regex_not_literal, "a regular expression must be written as a string literal"},
    {IF_PUBLISH("actual publish"), Code::pattern_outside_temporal,
     "an event pattern is only meaningful inside a temporal operator"},
    {"rule r { on tentative publish where within(1 s, actual ping) then allow }", Code::temporal_in_filter,
     "temporal operators cannot be used in a where filter"},
    {IF_PUBLISH("event.client.id == \"a\""), Code::trigger_field_outside_pattern,
     "'event.client.id' can only be used inside an event pattern"},
    {"rule r { on tentative connect if within(client.keep_alive, actual ping) then deny }", Code::not_constant,
     "the window of 'within' must be a literal or a template parameter"},
    {"template t(x) { }\nconfigure t(x = client.id)", Code::not_constant,
     "arguments of a static configuration must be literals"},
    {"zone z = circle(95, 2, 3 m)", Code::out_of_range, "latitude 95 is not between -90 and 90"},
    {"zone z = circle(45, -190, 3 m)", Code::out_of_range, "longitude -190 is not between -180 and 180"},
    {"zone z = circle(45, 9, 0 m)", Code::out_of_range, "a zone's radius must be larger than zero"},
    {"zone z = polygon((1, 2), (3, 4))", Code::out_of_range, "a polygon needs at least 3 corners, zone 'z' has 2"},
    {"calendar c = weekly Mon 08:00-08:00", Code::out_of_range, "the time slot 08:00-08:00 is empty"},
    {"calendar c = dated 2026-12-26 - 2026-12-24", Code::out_of_range, "the interval 2026-12-26 - 2026-12-24 is empty"},
    {"zone z = polygon((0, 0), (1, 180), (2, -90))", Code::out_of_range, "spans 180 degrees of longitude"},
    {"zone z = polygon((80, 0), (80, 120), (80, -120))", Code::out_of_range, "a zone cannot enclose a pole"},
    {"calendar c = weekly Mon 08:00-09:00 in \"Europe/Atlantis\"", Code::unknown_time_zone,
     "unknown time zone 'Europe/Atlantis'"},
    {IF_PUBLISH("within(0 s, actual ping)"), Code::out_of_range, "the window of 'within' must be longer than zero"},
    {IF_PUBLISH("repMax(1.5, actual ping)"), Code::out_of_range, "the counts of 'repMax' must be whole numbers"},
    {IF_PUBLISH("repLim(1 min, 5, 3, actual ping)"), Code::out_of_range,
     "the lower bound of 'repLim' is above its upper bound"},
    {"rule r { on tentative publish then deny code 0x20 }", Code::out_of_range,
     "a deny code must be an MQTT 5 error reason code"},
    {"rule r { on tentative publish then delay 0 s }", Code::out_of_range, "a delay must be longer than zero"},
    {"rule r { on tentative publish then modify { round payload.x to 20 decimals } }", Code::out_of_range,
     "the number of decimals must be a whole number from 0 to 15"},
    {"rule r { on tentative publish then modify { blur payload.lat, payload.lon to 0 m } }", Code::out_of_range,
     "the blur grid must be larger than zero"},
    // checker: actions
    {"rule r { on actual publish then deny }", Code::verdict_on_actual,
     "'deny' needs a tentative event, but an actual publish has already happened"},
    {"rule r { on tentative subscribe then modify { remove payload.x } }", Code::action_not_applicable,
     "'modify' does not apply to subscribe events"},
    {"rule r { on tentative publish then allow, deny }", Code::conflicting_verdicts,
     "'deny' follows 'allow': a branch holds one verdict"},
    {"rule r { on tentative publish then modify { set client.id = \"x\" } }", Code::not_modifiable,
     "only the payload and its fields can be modified"},
    {"rule r { on tentative publish then modify { round payload to 2 decimals } }", Code::not_modifiable,
     "'round' needs a payload field such as payload.lat"},
    // warnings
    {"rule r { on tentative publish where false then deny }", Code::unreachable_rule,
     "rule 'r' never applies: its where filter is always false"},
    {"rule r { on tentative publish if not true then deny }", Code::unreachable_rule,
     "the then actions of rule 'r' never run: its if condition is always false"},
    {"rule r { on tentative publish where topic == \"a\" and topic == \"b\" then deny }", Code::unreachable_rule,
     "the topic cannot be both \"a\" and \"b\""},
    {"rule r { on tentative publish where topic matches \"x/#\" and topic == \"y/z\" then deny }",
     Code::unreachable_rule, "topic \"y/z\" does not match \"x/#\""},
    {"rule r { on tentative publish then allow else deny }", Code::unreachable_else,
     "the else actions of rule 'r' never run"},
    {"template t() { rule { on tentative ping then allow } }", Code::unconfigured_template,
     "template 't' is never configured"},
};

class DiagnosticCatalogue : public ::testing::TestWithParam<Case> {};

TEST_P(DiagnosticCatalogue, ReportsTheExpectedDiagnostic) {
  const Case& expected = GetParam();
  const Diagnostics diagnostics = diagnose(expected.source);
  const bool found = std::any_of(diagnostics.begin(), diagnostics.end(), [&](const Diagnostic& diagnostic) {
    return diagnostic.code == expected.code && diagnostic.message.find(expected.message) != std::string::npos;
  });
  EXPECT_TRUE(found) << "source:\n"
                     << expected.source << "\nwanted " << to_string(expected.code) << ": " << expected.message
                     << "\ngot:\n"
                     << codes_of(diagnostics);
  EXPECT_EQ(has_errors(diagnostics), severity_of(expected.code) == Severity::error);
}

INSTANTIATE_TEST_SUITE_P(EveryMessage, DiagnosticCatalogue, ::testing::ValuesIn(kCases));

TEST(DiagnosticCatalogue, ReportsAnUnreadableFile) {
  SourceSet sources;
  const auto loaded = load_policy_file("/nonexistent/mqwarden/none.policy", sources, Registry::defaults());
  ASSERT_FALSE(loaded.ok());
  ASSERT_EQ(loaded.error().size(), 1U);
  EXPECT_EQ(loaded.error()[0].code, Code::unreadable_file);
  EXPECT_EQ(loaded.error()[0].message, "cannot read policy file '/nonexistent/mqwarden/none.policy'");
}

TEST(DiagnosticCatalogue, CoversEveryCode) {
  std::set<Code> covered = {Code::unreadable_file};
  for (const Case& entry : kCases) covered.insert(entry.code);
  for (std::size_t code = 0; code < kDiagnosticCodeCount; ++code) {
    EXPECT_TRUE(covered.count(static_cast<Code>(code)) == 1)
        << "no catalogue case for " << to_string(static_cast<Code>(code));
  }
}

}  // namespace
}  // namespace mqwarden::policy

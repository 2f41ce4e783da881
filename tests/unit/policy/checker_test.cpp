// The checker on valid policies: the sketch of DESIGN.md, the annotations it
// leaves for the compiler, the host registry, and scoping rules. The
// negative cases are in diagnostics_catalogue_test.cpp.
#include "policy/checker.hpp"

#include "policy_test_support.hpp"

namespace mqwarden::policy {
namespace {

using testing::as;
using testing::codes_of;
using testing::diagnose;
using testing::load_clean;

// The sketch of ../shared/DESIGN.md, in the final syntax.
constexpr std::string_view kDesignSketch = R"(
# a template with parameters, configured per pair of boards (SecKit fig. 5)
template gps_visible_when_near(target, viewer) {
  rule {
    on tentative deliver
    where publisher.id == target and subscriber.id == viewer and topic matches "gps/+"
    if situation near_100m(target, viewer)
    then allow
    else deny
  }
}
configure gps_visible_when_near(target = "board1", viewer = "board2")

situation near_100m(a, b) = distance(position(a), position(b)) <= 100 m

# modify: anonymise the identity for everybody but admins (SecKit fig. 6)
rule anonymise {
  on tentative deliver
  where topic matches "identity/#" and not subscriber.roles contains "admin"
  then modify { set payload.fullName = "anonymous"; round payload.lat to 2 decimals; round payload.lon to 2 decimals }
}

# cardinality: a TV may fetch firmware once a month; a second time, tell the owner
rule tv_firmware {
  on actual publish where client.id == "smart-tv" and topic == "firmware/request"
  if count(within 30 d, actual publish where client.id == "smart-tv" and topic == "firmware/request") > 1
  then execute notify("owner/alerts", { "device": client.id, "event": "firmware fetched twice this month" })
}

# DoS: more than 20 connection attempts from one address in 10 s
rule connect_flood {
  on tentative connect
  if count(within 10 s, tentative connect where client.ip == event.client.ip) > 20
  then deny, execute ban(client.ip, 5 min), execute log("warning", "connect flood")
}

# consent per purpose (GDPR)
rule health_needs_consent {
  on tentative deliver where topic matches "health/#"
  if not consent(owner = publisher.id, recipient = subscriber.id, purpose = "care")
  then deny, execute request_consent(owner = publisher.id, recipient = subscriber.id, purpose = "care")
}

# STRAC access zone: reputation, logical time and logical location together
calendar work_hours = weekly Mon-Fri 08:00-18:00
zone lab = circle(45.8100, 8.6300, 200 m)
rule lab_sensors {
  on tentative subscribe where topic matches "sensors/lab/#"
  if reputation(client.id) >= 3 and now in work_hours and position(client.id) in lab
  then allow else deny
}
)";

TEST(Checker, AcceptsTheDesignSketch) {
  const Policy policy = load_clean(kDesignSketch);
  EXPECT_EQ(policy.rules.size(), 5U);
  EXPECT_EQ(policy.templates.size(), 1U);
  EXPECT_EQ(policy.configurations.size(), 1U);
  EXPECT_EQ(policy.situations.size(), 1U);
  EXPECT_EQ(policy.zones.size(), 1U);
  EXPECT_EQ(policy.calendars.size(), 1U);
}

TEST(Checker, AnnotatesTypesAndWhatNamesReferTo) {
  const Policy policy = load_clean(kDesignSketch);
  const Rule& lab = policy.rules.back();
  const Logical& all = as<Logical>(*lab.condition);
  EXPECT_EQ(lab.condition->type, Type::boolean);
  const Compare& reputation = as<Compare>(*all.operands[0]);
  EXPECT_EQ(reputation.left->type, Type::number);
  const Compare& in_calendar = as<Compare>(*all.operands[1]);
  EXPECT_EQ(in_calendar.left->type, Type::time);
  EXPECT_EQ(as<Path>(*in_calendar.right).root, PathRoot::calendar);
  const Compare& in_zone = as<Compare>(*all.operands[2]);
  EXPECT_EQ(in_zone.left->type, Type::position);
  EXPECT_EQ(as<Path>(*in_zone.right).root, PathRoot::zone);

  const Rule& templated = policy.templates[0].rules[0];
  const Compare& publisher = as<Compare>(*as<Logical>(*templated.where).operands[0]);
  EXPECT_EQ(as<Path>(*publisher.left).root, PathRoot::event_field);
  EXPECT_EQ(as<Path>(*publisher.right).root, PathRoot::parameter);
  EXPECT_EQ(as<Compare>(*as<Logical>(*templated.where).operands[2]).left->type, Type::topic);
}

TEST(Checker, TypesJsonFieldsAsAbsentAwareValues) {
  const Policy policy = load_clean(
      "rule r { on tentative publish if payload.temp > 30 and user_properties[\"site\"] == \"lab\" and "
      "client.attr.floor == 2 and payload.alarm is present then deny }");
  const Logical& all = as<Logical>(*policy.rules[0].condition);
  for (std::size_t i = 0; i < 3; ++i) EXPECT_EQ(as<Compare>(*all.operands[i]).left->type, Type::json) << i;
}

TEST(Checker, ResolvesEventFieldsPerActivity) {
  load_clean("rule r { on tentative connect if client.clean_start and client.keep_alive > 60 s and will.qos == 1 "
             "and client.protocol == 5 then deny }");
  load_clean("rule r { on tentative subscribe if qos == 2 and share_group == \"g\" then deny }");
  load_clean("rule r { on actual disconnect if reason == \"keep_alive_timeout\" then execute log(\"info\", client.id) }");
  load_clean("rule r { on context position changes where context.entity == \"board1\" then "
             "execute log(\"info\", \"moved\") }");
  load_clean("situation near(a, b) = distance(position(a), position(b)) < 1 km\n"
             "rule r { on situation near starts where situation.a == \"board1\" then execute log(\"info\", situation.b) }");
  EXPECT_EQ(diagnose("rule r { on tentative ping if qos == 1 then deny }")[0].code, DiagnosticCode::unknown_field);
  EXPECT_EQ(diagnose("rule r { on tentative subscribe if client.keep_alive > 1 s then deny }")[0].code,
            DiagnosticCode::unknown_field);
}

TEST(Checker, TypesConcatenationsAsStringsUsableWhereverAStringIs) {
  const Policy policy = load_clean(
      "rule r { on tentative publish if topic matches \"devices/\" + client.id + \"/#\" and "
      "client.username + \"@\" + client.id != topic "
      "then execute notify(\"alerts/\" + client.id, {\"who\": \"user \" + client.username}) }");
  const Logical& all = as<Logical>(*policy.rules[0].condition);
  EXPECT_EQ(as<Compare>(*all.operands[0]).right->type, Type::string);
  EXPECT_EQ(as<Compare>(*all.operands[1]).left->type, Type::string);
  // A filter built at run time is checked when the rule runs, not here: no invalid-topic-filter.
  load_clean("rule r { on tentative subscribe if topic matches \"a/#/\" + client.id then deny }");
  const Diagnostics json = diagnose("rule r { on tentative publish if topic == \"a/\" + payload.owner then deny }");
  ASSERT_EQ(json.size(), 1U) << codes_of(json);
  EXPECT_EQ(json[0].code, DiagnosticCode::type_mismatch);
  EXPECT_EQ(json[0].message, "'+' joins strings, found a json");
}

TEST(Checker, SuggestsTheClosestField) {
  const Diagnostics diagnostics = diagnose("rule r { on tentative publish if client.usernme == \"a\" then deny }");
  ASSERT_EQ(diagnostics.size(), 1U);
  EXPECT_EQ(diagnostics[0].note, "did you mean 'client.username'?");
}

TEST(Checker, AcceptsTheTemporalOperatorsOfOsl) {
  load_clean(
      "template t(window: duration, most: number) { rule {\n"
      "  on tentative publish\n"
      "  if always(not situation busy) and before(1 min, actual ping) and within(window, actual connect)\n"
      "     and during(5 min, reputation(client.id) > 1) and since(retain, actual connect)\n"
      "     and repMax(most, actual publish where topic == event.topic) and repLim(1 h, 0, most, actual ping)\n"
      "     and repSince(3, actual connect, actual publish) and count(within window, retain) < 4\n"
      "  then deny } }\n"
      "configure t(window = 10 min, most = 5)\n"
      "situation busy = reputation(\"broker\") > 100");
}

TEST(Checker, LetsTheUntilFilterOfALifecycleReadTheParameters) {
  load_clean(
      "template watch(device) { rule { on tentative publish where client.id == device then allow } }\n"
      "configure watch(device = client.id) for each actual connect until actual disconnect where client.id == device");
  const Diagnostics diagnostics = diagnose(
      "template watch(device) { rule { on tentative publish where client.id == device then allow } }\n"
      "configure watch(device = client.id) for each actual connect where device == \"x\" until actual disconnect");
  ASSERT_FALSE(diagnostics.empty());
  EXPECT_EQ(diagnostics[0].message, "unknown name 'device'");
}

TEST(Checker, ChecksTemplateArgumentTypes) {
  const Diagnostics diagnostics =
      diagnose("template t(limit: number) { rule { on tentative ping if repMax(limit, actual ping) then deny } }\n"
               "configure t(limit = \"ten\")");
  ASSERT_EQ(diagnostics.size(), 1U) << codes_of(diagnostics);
  EXPECT_EQ(diagnostics[0].message, "parameter 'limit' of template 't' must be a number, found a string");
}

TEST(Checker, AcceptsFunctionsAndReactionsTheHostRegisters) {
  Registry registry;
  ASSERT_TRUE(registry.add_function({"battery", {{"device", Type::string}}, Type::number}));
  ASSERT_TRUE(registry.add_reaction({"page", {{"who", Type::string}}}));
  ASSERT_TRUE(registry.add_context("battery"));
  const Diagnostics diagnostics = diagnose(
      "rule r { on tentative publish if battery(client.id) < 10 then deny, execute page(\"ops\") }\n"
      "rule s { on context battery changes then execute page(context.entity) }",
      registry);
  EXPECT_TRUE(diagnostics.empty()) << codes_of(diagnostics);
  EXPECT_EQ(diagnose("rule r { on tentative publish if reputation(client.id) > 1 then deny }", registry)[0].code,
            DiagnosticCode::unknown_function);
}

TEST(Checker, DefaultRegistryHoldsTheDocumentedFunctionsReactionsAndContexts) {
  const Registry registry = Registry::defaults();
  for (const char* name : {"distance", "position", "consent", "reputation", "context", "in_network"}) {
    EXPECT_NE(registry.function(name), nullptr) << name;
  }
  for (const char* name :
       {"log", "notify", "webhook", "request_consent", "disconnect", "ban", "revoke", "adjust_reputation"}) {
    EXPECT_NE(registry.reaction(name), nullptr) << name;
  }
  for (const char* name : {"position", "reputation", "consent", "presence"}) EXPECT_TRUE(registry.has_context(name));
}

TEST(Checker, RefusesToRegisterReservedOrDuplicateNames) {
  Registry registry = Registry::defaults();
  EXPECT_FALSE(registry.add_function({"count", {}, Type::number}));
  EXPECT_FALSE(registry.add_function({"distance", {}, Type::number}));
  EXPECT_FALSE(registry.add_reaction({"log", {}}));
  EXPECT_FALSE(registry.add_context("position"));
  EXPECT_FALSE(registry.add_context(""));
}

TEST(Checker, LetsExecuteRunOnActualAndSituationEvents) {
  load_clean("rule r { on actual publish then execute log(\"info\", topic) }");
  EXPECT_EQ(diagnose("rule r { on actual connect then delay 1 s }")[0].code, DiagnosticCode::verdict_on_actual);
  EXPECT_EQ(diagnose("situation s = true\nrule r { on situation s ends then deny }")[0].code,
            DiagnosticCode::verdict_on_actual);
}

TEST(Checker, ReportsEveryErrorOfAPolicyInSourceOrder) {
  const Diagnostics diagnostics = diagnose(
      "zone z = circle(95, 8, 1 m)\n"
      "rule a { on tentative publish if nope then deny }\n"
      "zone y = circle(45, 200, 1 m)\n");
  ASSERT_EQ(diagnostics.size(), 3U) << codes_of(diagnostics);
  EXPECT_EQ(diagnostics[0].span.line, 1U);
  EXPECT_EQ(diagnostics[1].span.line, 2U);
  EXPECT_EQ(diagnostics[2].span.line, 3U);
}

TEST(Checker, DoesNotCascadeFromAnUnknownName) {
  const Diagnostics diagnostics =
      diagnose("rule r { on tentative publish if not (nope > 3 and distance(nope, nope) < 1 m) then deny }");
  EXPECT_EQ(diagnostics.size(), 3U) << codes_of(diagnostics);  // each 'nope', nothing else
  for (const Diagnostic& diagnostic : diagnostics) EXPECT_EQ(diagnostic.code, DiagnosticCode::unknown_name);
}

TEST(Checker, ChecksPoliciesSplitOverSeveralFiles) {
  SourceSet sources;
  sources.add("zones.policy", "zone lab = circle(45.81, 8.63, 200 m)\n");
  sources.add("rules.policy", "rule r { on tentative subscribe if position(client.id) in lab then allow }\n");
  const auto loaded = load_policy(sources, Registry::defaults());
  ASSERT_TRUE(loaded.ok()) << format(loaded.error(), sources);
  EXPECT_EQ(loaded->policy.zones.size(), 1U);
  EXPECT_EQ(loaded->policy.rules.size(), 1U);
}

TEST(Checker, DoesNotCheckAPolicyWithSyntaxErrors) {
  const Diagnostics diagnostics = diagnose("rule r { on tentative publish if nope then }");
  ASSERT_EQ(diagnostics.size(), 1U);
  EXPECT_EQ(diagnostics[0].code, DiagnosticCode::syntax);
}

}  // namespace
}  // namespace mqwarden::policy

// Actions, the combination of several rules into one decision, default
// verdicts, and the record of matched rules.
#include <gtest/gtest.h>

#include "engine_test_support.hpp"
#include "policy/payload_edit.hpp"

namespace mqwarden::policy::testing {
namespace {

class DecisionTest : public ::testing::Test {
 protected:
  Event deliver(std::string_view topic, const Payload* payload = nullptr) {
    Event event = tentative(Activity::deliver, topic);
    event.client = publisher;
    event.subscriber = subscriber;
    event.payload = payload;
    return event;
  }

  FakeContext context;
  std::vector<std::string> guest_roles{"guest"};
  Identity publisher{"board1", "", "", "10.0.0.1", 1, 5, {}, nullptr};
  Identity subscriber{"viewer", "", "", "10.0.0.2", 2, 5, guest_roles, nullptr};
};

TEST_F(DecisionTest, NoRuleMeansTheDefaultVerdict) {
  EngineConfig config;
  config.default_verdict[static_cast<std::size_t>(Activity::subscribe)] = Verdict::deny;
  auto engine = engine_for("rule r { on tentative publish where topic == \"x\" then allow }", context, config);
  const Decision publish = engine->decide(tentative(Activity::publish, "y"));
  EXPECT_EQ(publish.verdict, Verdict::allow);
  EXPECT_TRUE(publish.by_default);
  EXPECT_TRUE(publish.matched.empty());
  const Decision subscribe = engine->decide(tentative(Activity::subscribe, "y"));
  EXPECT_TRUE(subscribe.denied());
  EXPECT_TRUE(subscribe.by_default);
}

TEST_F(DecisionTest, AnExplicitAllowOverridesADefaultDeny) {
  EngineConfig config;
  config.default_verdict[static_cast<std::size_t>(Activity::publish)] = Verdict::deny;
  auto engine = engine_for("rule r { on tentative publish where topic == \"x\" then allow }", context, config);
  EXPECT_FALSE(engine->decide(tentative(Activity::publish, "x")).denied());
  EXPECT_FALSE(engine->decide(tentative(Activity::publish, "x")).by_default);
  EXPECT_TRUE(engine->decide(tentative(Activity::publish, "x/y")).denied());
}

TEST_F(DecisionTest, DenyCarriesReasonAndCode) {
  auto engine = engine_for("rule r { on tentative deliver then deny reason \"no consent\" code 0x87 }", context);
  const Decision decision = engine->decide(deliver("a"));
  EXPECT_TRUE(decision.denied());
  EXPECT_FALSE(decision.by_default);
  EXPECT_EQ(decision.deny_reason, "no consent");
  EXPECT_EQ(decision.reason_code, 0x87);
}

TEST_F(DecisionTest, DenyOverridesAllowAndTheFirstDenyGivesTheReason) {
  auto engine = engine_for(
      "rule a { on tentative deliver then allow }\n"
      "rule b { on tentative deliver then deny reason \"first\" }\n"
      "rule c { on tentative deliver then deny reason \"second\" code 0x80 }\n",
      context);
  const Decision decision = engine->decide(deliver("a"));
  EXPECT_TRUE(decision.denied());
  EXPECT_EQ(decision.deny_reason, "first");
  EXPECT_FALSE(decision.reason_code.has_value());
  ASSERT_EQ(decision.matched.size(), 3u);
  EXPECT_EQ(decision.matched[0].rule, "a");
  EXPECT_EQ(decision.matched[2].rule, "c");
}

TEST_F(DecisionTest, ElseBranchAndMatchedRecords) {
  auto engine = engine_for(
      "rule lab {\n"
      "  on tentative subscribe where topic matches \"lab/#\"\n"
      "  if reputation(client.id) >= 3 then allow else deny reason \"low\"\n"
      "}\n",
      context);
  context.reputation["good"] = 5;
  Event event = tentative(Activity::subscribe, "lab/x");
  event.client.id = "good";
  Decision decision = engine->decide(event);
  EXPECT_FALSE(decision.denied());
  ASSERT_EQ(decision.matched.size(), 1u);
  EXPECT_EQ(decision.matched[0].branch, Branch::then_branch);
  EXPECT_EQ(decision.matched[0].span.line, 1u);
  event.client.id = "bad";
  decision = engine->decide(event);
  EXPECT_TRUE(decision.denied());
  EXPECT_EQ(decision.deny_reason, "low");
  ASSERT_EQ(decision.matched.size(), 1u);
  EXPECT_EQ(decision.matched[0].branch, Branch::else_branch);
  EXPECT_TRUE(engine->decide(tentative(Activity::subscribe, "other/x")).matched.empty());
}

TEST_F(DecisionTest, ModificationsApplyInRuleOrder) {
  auto engine = engine_for(
      "rule a { on tentative deliver where topic matches \"identity/#\" then modify {\n"
      "  set payload.fullName = \"anonymous\"; pseudonymise payload.email; round payload.lat to 2 decimals } }\n"
      "rule b { on tentative deliver where subscriber.roles contains \"guest\" then modify {\n"
      "  blur payload.lat, payload.lon to 500 m; remove payload.email; set payload.seenBy = subscriber.id;\n"
      "  truncate payload.temp to 0 decimals; replace payload.ssn with \"***\" } }\n",
      context);
  const Decision decision = engine->decide(deliver("identity/1"));
  EXPECT_EQ(decision.verdict, Verdict::allow);
  EXPECT_TRUE(decision.by_default);
  ASSERT_EQ(decision.edits.size(), 8u);
  EXPECT_EQ(decision.edits[0].kind, EditKind::set);
  EXPECT_EQ(decision.edits[0].target, (JsonPath{{"fullName", std::nullopt}}));
  EXPECT_EQ(decision.edits[0].value, "anonymous");
  EXPECT_EQ(decision.edits[1].kind, EditKind::pseudonymise);
  EXPECT_EQ(decision.edits[2].decimals, 2);
  EXPECT_EQ(decision.edits[3].kind, EditKind::blur);
  EXPECT_EQ(decision.edits[3].second_target, (JsonPath{{"lon", std::nullopt}}));
  EXPECT_DOUBLE_EQ(decision.edits[3].grid_metres, 500);
  EXPECT_EQ(decision.edits[5].value, "viewer");
  EXPECT_EQ(decision.edits[6].kind, EditKind::truncate);
  EXPECT_EQ(decision.edits[7].kind, EditKind::replace);

  // The host applies them to this subscriber's copy.
  nlohmann::json copy = {{"fullName", "Ann"}, {"lat", 45.8123}, {"lon", 8.6345}, {"email", "a@b"}};
  apply_edits(copy, decision.edits, std::as_bytes(std::span("key", 3)));
  EXPECT_EQ(copy["fullName"], "anonymous");
  EXPECT_FALSE(copy.contains("email"));
  EXPECT_EQ(copy["seenBy"], "viewer");
}

TEST_F(DecisionTest, ReplaceTheWholePayload) {
  auto engine = engine_for("rule a { on tentative publish then modify { replace payload with \"{}\" } }", context);
  const Decision decision = engine->decide(tentative(Activity::publish, "x"));
  ASSERT_EQ(decision.edits.size(), 1u);
  EXPECT_TRUE(decision.edits[0].target.empty());
  EXPECT_EQ(decision.edits[0].value, "{}");
}

TEST_F(DecisionTest, LongestDelayWinsCappedByConfiguration) {
  EngineConfig config;
  config.max_delay_ms = 10 * 60 * 1000;
  auto engine = engine_for(
      "rule a { on tentative deliver then delay 5 min }\n"
      "rule b { on tentative deliver where topic == \"slow\" then delay 1 h }\n"
      "rule c { on tentative deliver then delay 30 s }\n",
      context, config);
  EXPECT_EQ(engine->decide(deliver("fast")).delay_ms, 5 * 60 * 1000);
  EXPECT_EQ(engine->decide(deliver("slow")).delay_ms, 10 * 60 * 1000);
}

TEST_F(DecisionTest, ADeniedDecisionHasNoEditsNorDelay) {
  auto engine = engine_for(
      "rule a { on tentative deliver then delay 5 min, modify { remove payload.x } }\n"
      "rule b { on tentative deliver then deny }\n",
      context);
  const Decision decision = engine->decide(deliver("t"));
  EXPECT_TRUE(decision.denied());
  EXPECT_TRUE(decision.edits.empty());
  EXPECT_EQ(decision.delay_ms, 0);
}

TEST_F(DecisionTest, EveryReactionRunsWithArgumentsInParameterOrder) {
  auto engine = engine_for(
      "rule a { on tentative connect then deny, execute ban(client.ip, 5 min), execute log(\"warning\", \"flood\") }\n"
      "rule b { on tentative connect then execute request_consent(purpose = \"care\", owner = client.id, "
      "recipient = \"x\"),\n"
      "  execute notify(\"alerts\", {\"device\": client.id, \"n\": 2, \"ok\": true, \"roles\": client.roles}) }\n",
      context);
  Event event = tentative(Activity::connect);
  std::vector<std::string> roles{"r1"};
  event.client = Identity{"dev", "", "", "1.2.3.4", 1, 5, roles, nullptr};
  const Decision decision = engine->decide(event);
  ASSERT_EQ(decision.reactions.size(), 4u);
  EXPECT_EQ(decision.reactions[0].name, "ban");
  EXPECT_EQ(decision.reactions[0].arguments, (std::vector<nlohmann::json>{"1.2.3.4", 300000}));
  EXPECT_EQ(decision.reactions[0].rule, "a");
  EXPECT_EQ(decision.reactions[1].name, "log");
  EXPECT_EQ(decision.reactions[2].arguments, (std::vector<nlohmann::json>{"dev", "x", "care"}));
  EXPECT_EQ(decision.reactions[3].arguments[1],
            (nlohmann::json{{"device", "dev"}, {"n", 2}, {"ok", true}, {"roles", {"r1"}}}));
}

TEST_F(DecisionTest, ActualEventsOnlyReact) {
  EngineConfig config;
  config.default_verdict[static_cast<std::size_t>(Activity::publish)] = Verdict::deny;
  auto engine = engine_for("rule a { on actual publish where topic == \"t\" then execute log(\"info\", topic) }",
                           context, config);
  Event event = event_of(Mode::actual, Activity::publish);
  event.topic = "t";
  const Decision decision = engine->decide(event);
  EXPECT_EQ(decision.verdict, Verdict::allow);
  ASSERT_EQ(decision.reactions.size(), 1u);
  EXPECT_TRUE(engine->decide(tentative(Activity::publish, "t")).denied());
}

TEST_F(DecisionTest, StaticTemplateInstances) {
  context.positions["board1"] = {45.81, 8.63};
  context.positions["board2"] = {45.8101, 8.63};
  context.positions["board3"] = {46.0, 9.0};
  auto engine = engine_for(
      "situation near(a, b) = distance(position(a), position(b)) <= 100 m\n"
      "template visible(target, viewer, grid: distance) {\n"
      "  rule {\n"
      "    on tentative deliver where publisher.id == target and subscriber.id == viewer and topic matches \"gps/+\"\n"
      "    if situation near(target, viewer) then allow else deny reason \"far\"\n"
      "  }\n"
      "  rule coarse { on tentative deliver where subscriber.id == viewer then modify { blur payload.lat, "
      "payload.lon to grid } }\n"
      "}\n"
      "configure visible(target = \"board1\", viewer = \"board2\", grid = 1 km)\n"
      "configure visible(target = \"board1\", viewer = \"board3\", grid = 2 km)\n",
      context);
  Event event = deliver("gps/1");
  event.subscriber.id = "board2";
  Decision decision = engine->decide(event);
  EXPECT_FALSE(decision.denied());
  ASSERT_EQ(decision.matched.size(), 2u);
  EXPECT_EQ(decision.matched[0].rule, "visible.1");
  EXPECT_EQ(decision.matched[0].instance, "visible(target = \"board1\", viewer = \"board2\", grid = 1 km)");
  EXPECT_EQ(decision.matched[1].rule, "coarse");
  ASSERT_EQ(decision.edits.size(), 1u);
  EXPECT_DOUBLE_EQ(decision.edits[0].grid_metres, 1000);
  event.subscriber.id = "board3";
  decision = engine->decide(event);
  EXPECT_TRUE(decision.denied());
  EXPECT_EQ(decision.deny_reason, "far");
  event.subscriber.id = "board4";
  EXPECT_TRUE(engine->decide(event).matched.empty());
}

TEST_F(DecisionTest, TenThousandInstancesAreIndexedByParameter) {
  std::string text =
      "template t(device, limit: number) {\n  rule { on tentative publish where client.id == device and "
      "payload_size > limit then deny } }\n";
  for (int i = 0; i < 10'000; ++i) {
    text += "configure t(device = \"dev" + std::to_string(i) + "\", limit = " + std::to_string(i) + ")\n";
  }
  auto engine = engine_for(text, context);
  EXPECT_EQ(engine->policy()->index.size(), 10'000u);
  const Payload payload(std::string_view("0123456789"));
  Event event = tentative(Activity::publish, "x");
  event.payload = &payload;
  event.client.id = "dev5";
  Decision decision = engine->decide(event);
  EXPECT_TRUE(decision.denied());
  ASSERT_EQ(decision.matched.size(), 1u);
  EXPECT_EQ(decision.matched[0].instance, "t(device = \"dev5\", limit = 5)");
  event.client.id = "dev50";
  EXPECT_FALSE(engine->decide(event).denied());
  event.client.id = "nobody";
  EXPECT_TRUE(engine->decide(event).matched.empty());
}

TEST_F(DecisionTest, TopicIndexKeepsRuleOrderAcrossBuckets) {
  auto engine = engine_for(
      "rule a { on tentative publish where topic matches \"gps/+\" then modify { set payload.a = 1 } }\n"
      "rule b { on tentative publish then modify { set payload.b = 1 } }\n"
      "rule c { on tentative publish where topic == \"gps/1\" then modify { set payload.c = 1 } }\n"
      "rule d { on tentative publish where topic matches \"+/1\" then modify { set payload.d = 1 } }\n"
      "rule e { on tentative publish where topic == \"other\" then modify { set payload.e = 1 } }\n",
      context);
  const Decision decision = engine->decide(tentative(Activity::publish, "gps/1"));
  ASSERT_EQ(decision.matched.size(), 4u);
  EXPECT_EQ(decision.matched[0].rule, "a");
  EXPECT_EQ(decision.matched[1].rule, "b");
  EXPECT_EQ(decision.matched[2].rule, "c");
  EXPECT_EQ(decision.matched[3].rule, "d");
}

TEST_F(DecisionTest, ATriggerFieldOutsideATopLevelEqualityIsRefused) {
  const auto errors = load_errors(
      "rule r { on tentative connect\n"
      "  if count(within 10 s, tentative connect where client.ip != event.client.ip) > 2 then deny }");
  ASSERT_FALSE(errors.empty());
  EXPECT_EQ(errors[0].code, DiagnosticCode::trigger_field_outside_pattern);
  EXPECT_EQ(errors[0].span.line, 2u);
  EXPECT_EQ(errors[0].span.column, 62u);  // at event.client.ip
}

}  // namespace
}  // namespace mqwarden::policy::testing

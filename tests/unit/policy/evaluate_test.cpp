// Every expression form, evaluated through the engine: each test writes a
// rule `on tentative <activity> where <condition> then deny` and checks
// whether the event is denied.
#include <gtest/gtest.h>

#include "engine_test_support.hpp"

namespace mqwarden::policy::testing {
namespace {

class EvaluateTest : public ::testing::Test {
 protected:
  bool holds(std::string_view condition, const Event& event, std::string_view declarations = {}) {
    const std::string text = std::string(declarations) + "\nrule r { on " + std::string(to_string(event.mode)) + " " +
                             std::string(to_string(event.activity)) + " if " + std::string(condition) +
                             " then execute log(\"info\", \"hit\") }";
    auto engine = engine_for(text, context);
    const Decision decision = engine->decide(event);
    return !decision.reactions.empty();
  }

  Event publish(std::string_view topic, const Payload* payload = nullptr) {
    Event event = tentative(Activity::publish, topic);
    event.client = identity;
    event.payload = payload;
    return event;
  }

  FakeContext context;
  std::vector<std::string> roles{"admin", "ops"};
  nlohmann::json attributes = {{"floor", 3}, {"building", {{"name", "B1"}}}};
  Identity identity{"dev1", "alice", "dev1.example", "10.0.0.7", 40000, 5, roles, &attributes};
};

TEST_F(EvaluateTest, Literals) {
  const Event event = publish("a/b");
  EXPECT_TRUE(holds("true", event));
  EXPECT_FALSE(holds("false", event));
  EXPECT_TRUE(holds("3 == 3", event));
  EXPECT_TRUE(holds("0x10 == 16", event));
  EXPECT_TRUE(holds("-1 < 0", event));
  EXPECT_TRUE(holds("\"a\\\"b\" == \"a\\\"b\"", event));
  EXPECT_TRUE(holds("10 s == 10000 ms", event));
  EXPECT_TRUE(holds("1 km > 999 m", event));
  EXPECT_TRUE(holds("2 min < 1 h", event));
  EXPECT_TRUE(holds("[\"a\", \"b\"] == [\"a\", \"b\"]", event));
}

TEST_F(EvaluateTest, IdentityFields) {
  const Event event = publish("a/b");
  EXPECT_TRUE(holds("client.id == \"dev1\"", event));
  EXPECT_TRUE(holds("publisher.id == \"dev1\"", event));
  EXPECT_TRUE(holds("client.username == \"alice\"", event));
  EXPECT_TRUE(holds("client.cn == \"dev1.example\"", event));
  EXPECT_TRUE(holds("client.ip == \"10.0.0.7\"", event));
  EXPECT_TRUE(holds("client.port == 40000", event));
  EXPECT_TRUE(holds("client.protocol == 5", event));
  EXPECT_TRUE(holds("client.roles contains \"admin\"", event));
  EXPECT_FALSE(holds("client.roles contains \"guest\"", event));
  EXPECT_TRUE(holds("\"ops\" in client.roles", event));
  EXPECT_TRUE(holds("client.attr.floor == 3", event));
  EXPECT_TRUE(holds("client.attr.building.name == \"B1\"", event));
  EXPECT_TRUE(holds("client.attr[\"floor\"] >= 3", event));
  EXPECT_TRUE(holds("client.attr.room is absent", event));
}

TEST_F(EvaluateTest, SubscriberFieldsInDeliveries) {
  Event event = tentative(Activity::deliver, "gps/1");
  event.client = identity;
  std::vector<std::string> guest{"guest"};
  event.subscriber = Identity{"viewer", "bob", "", "10.0.0.9", 1, 4, guest, nullptr};
  EXPECT_TRUE(holds("publisher.id == \"dev1\" and subscriber.id == \"viewer\"", event));
  EXPECT_TRUE(holds("subscriber.protocol == 4 and subscriber.roles contains \"guest\"", event));
  EXPECT_TRUE(holds("subscriber.attr.x is absent", event));
}

TEST_F(EvaluateTest, ConnectFields) {
  Event event = tentative(Activity::connect);
  event.client = identity;
  event.clean_start = true;
  event.keep_alive_ms = 60'000;
  event.will = Will{"last/will", 1, true};
  EXPECT_TRUE(holds("client.clean_start and client.keep_alive == 1 min", event));
  EXPECT_TRUE(holds("will.topic == \"last/will\" and will.qos == 1 and will.retain", event));
}

TEST_F(EvaluateTest, MessageFields) {
  const Payload payload(std::string_view(R"({"temp": 21.5, "who": "ann", "items": [{"v": 1}, {"v": 2}], "ok": true})"));
  Event event = publish("sensors/lab/t", &payload);
  event.qos = 1;
  event.retain = true;
  event.content_type = "application/json";
  const UserProperty properties[] = {{"site", "lab"}, {"site", "second"}};
  event.user_properties = properties;
  EXPECT_TRUE(holds("topic == \"sensors/lab/t\" and qos == 1 and retain", event));
  EXPECT_TRUE(holds("payload contains \"ann\"", event));
  EXPECT_TRUE(holds("payload_size > 20", event));
  EXPECT_TRUE(holds("content_type == \"application/json\"", event));
  EXPECT_TRUE(holds("payload.temp > 21 and payload.temp < 22", event));
  EXPECT_TRUE(holds("payload.who == \"ann\"", event));
  EXPECT_TRUE(holds("payload.items[1].v == 2", event));
  EXPECT_TRUE(holds("payload.ok == true", event));
  EXPECT_TRUE(holds("user_properties[\"site\"] == \"lab\"", event));
  EXPECT_TRUE(holds("user_properties[\"floor\"] is absent", event));
}

TEST_F(EvaluateTest, AbsentJsonIsAValue) {
  const Payload payload(std::string_view(R"({"temp": "warm"})"));
  const Event event = publish("t", &payload);
  EXPECT_TRUE(holds("payload.missing is absent", event));
  EXPECT_FALSE(holds("payload.missing is present", event));
  EXPECT_TRUE(holds("payload.temp is present", event));
  EXPECT_FALSE(holds("payload.missing == 1", event));
  EXPECT_TRUE(holds("payload.missing != 1", event));
  EXPECT_FALSE(holds("payload.missing < 1", event));
  EXPECT_FALSE(holds("payload.missing >= 1", event));
  EXPECT_FALSE(holds("payload.missing in [\"a\"]", event));
  EXPECT_FALSE(holds("payload.missing contains \"a\"", event));
  EXPECT_FALSE(holds("payload.missing matches \"a/+\"", event));
  EXPECT_FALSE(holds("payload.missing =~ \"a\"", event));
  // the wrong kind behaves like absent
  EXPECT_FALSE(holds("payload.temp > 3", event));
  EXPECT_FALSE(holds("payload.temp.deeper == 1", event));
  const Payload not_json(std::string_view("plain text"));
  EXPECT_TRUE(holds("payload.temp is absent", publish("t", &not_json)));
  EXPECT_TRUE(holds("payload == \"plain text\"", publish("t", &not_json)));
}

TEST_F(EvaluateTest, Logic) {
  const Event event = publish("a/b");
  EXPECT_TRUE(holds("not false", event));
  EXPECT_TRUE(holds("true and true and true", event));
  EXPECT_FALSE(holds("true and false", event));
  EXPECT_TRUE(holds("false or true", event));
  EXPECT_FALSE(holds("false or false", event));
  EXPECT_TRUE(holds("not client.roles contains \"guest\"", event));
  EXPECT_TRUE(holds("(false or true) and not (true and false)", event));
}

TEST_F(EvaluateTest, InAndContains) {
  const Payload payload(std::string_view(R"({"tags": ["x", "y"], "n": 2, "o": {"k": 1}})"));
  const Event event = publish("a/b", &payload);
  EXPECT_TRUE(holds("client.id in [\"dev0\", \"dev1\"]", event));
  EXPECT_TRUE(holds("client.id not in [\"dev0\"]", event));
  EXPECT_FALSE(holds("client.id not in [\"dev1\"]", event));
  EXPECT_TRUE(holds("payload.n in [1, 2, 3]", event));
  EXPECT_TRUE(holds("2 in [1, 2]", event));
  EXPECT_TRUE(holds("payload.tags contains \"y\"", event));
  EXPECT_TRUE(holds("\"x\" in payload.tags", event));
  EXPECT_TRUE(holds("\"k\" in payload.o", event));
  EXPECT_TRUE(holds("topic contains \"/\"", event));
  EXPECT_FALSE(holds("topic contains \"secret\"", event));
  EXPECT_TRUE(holds("client.id in [\"x\", client.username, \"dev1\"]", event));
}

TEST_F(EvaluateTest, TopicFilters) {
  EXPECT_TRUE(holds("topic matches \"gps/+\"", publish("gps/1")));
  EXPECT_FALSE(holds("topic matches \"gps/+\"", publish("gps/1/x")));
  EXPECT_TRUE(holds("topic matches \"gps/#\"", publish("gps")));
  EXPECT_FALSE(holds("topic matches \"#\"", publish("$SYS/x")));
  const Payload payload(std::string_view(R"({"t": "a/b"})"));
  EXPECT_TRUE(holds("payload.t matches \"a/+\"", publish("x", &payload)));
}

TEST_F(EvaluateTest, SubscriptionFiltersMatchWhenCovered) {
  const auto subscribe = [&](std::string_view filter) {
    Event event = tentative(Activity::subscribe, filter);
    event.client = identity;
    return event;
  };
  EXPECT_TRUE(holds("topic matches \"sensors/#\"", subscribe("sensors/lab/+")));
  EXPECT_TRUE(holds("topic matches \"sensors/+/t\"", subscribe("sensors/+/t")));
  EXPECT_TRUE(holds("topic matches \"sensors/#\"", subscribe("sensors/#")));
  EXPECT_FALSE(holds("topic matches \"sensors/lab/#\"", subscribe("sensors/#")));
  EXPECT_FALSE(holds("topic matches \"sensors/+\"", subscribe("sensors/#")));
  EXPECT_FALSE(holds("topic matches \"a/b\"", subscribe("a/+")));
  EXPECT_TRUE(holds("topic == \"a/+\"", subscribe("a/+")));
}

TEST_F(EvaluateTest, SubscriptionsStartingWithDollarAreCoveredOnlyByFiltersStartingWithDollar) {
  Event event = tentative(Activity::subscribe, "$SYS/#");
  event.client = identity;
  EXPECT_FALSE(holds("topic matches \"#\"", event));
  EXPECT_FALSE(holds("topic matches \"+/#\"", event));
  EXPECT_TRUE(holds("topic matches \"$SYS/#\"", event));
  event.topic = "#";
  EXPECT_FALSE(holds("topic matches \"$SYS/#\"", event));
}

TEST_F(EvaluateTest, ConcatenationsJoinStrings) {
  const Event event = publish("a/b");
  EXPECT_TRUE(holds("\"x/\" + client.id + \"/\" + client.username == \"x/dev1/alice\"", event));
  EXPECT_TRUE(holds("topic == \"a\" + \"/\" + \"b\"", event));
  EXPECT_TRUE(holds("client.id + \"\" == \"dev1\"", event));
  EXPECT_TRUE(holds("(\"a\" + \"/\") + \"b\" == topic", event));
  context.reputation["dev1"] = 4;
  EXPECT_TRUE(holds("reputation(\"d\" + \"ev1\") == 4", event));
  // Longer than what a comparison builds on the stack.
  const std::string long_text(300, 'x');
  EXPECT_TRUE(holds("\"" + long_text + "\" + client.id == \"" + long_text + "dev1\"", event));
  EXPECT_TRUE(holds("client.id + \"" + long_text + "\" + client.id == \"dev1" + long_text + "dev1\"", event));
}

TEST_F(EvaluateTest, ConcatenationsInReactionArguments) {
  auto engine = engine_for(
      "rule r { on tentative publish "
      "then execute notify(\"alerts/\" + client.id, {\"who\": client.username + \"!\"}) }",
      context);
  const Decision decision = engine->decide(publish("a"));
  ASSERT_EQ(decision.reactions.size(), 1U);
  EXPECT_EQ(nlohmann::json(decision.reactions[0].arguments).dump(), R"(["alerts/dev1",{"who":"alice!"}])");
}

TEST_F(EvaluateTest, FiltersBuiltAtRunTimeMatchTopics) {
  EXPECT_TRUE(holds("topic matches \"gps/\" + client.id + \"/#\"", publish("gps/dev1/x")));
  EXPECT_TRUE(holds("topic matches \"gps/\" + client.id + \"/#\"", publish("gps/dev1")));
  EXPECT_FALSE(holds("topic matches \"gps/\" + client.id + \"/#\"", publish("gps/dev2/x")));
  EXPECT_TRUE(holds("topic matches client.username", publish("alice")));
  // A filter that turns out invalid matches nothing.
  EXPECT_FALSE(holds("topic matches \"a/#/\" + client.id", publish("a/x/dev1")));
  EXPECT_FALSE(holds("topic matches client.id + \"#\"", publish("dev1#")));
  EXPECT_FALSE(holds("topic matches \"$share/g/\" + client.id", publish("dev1")));
}

TEST_F(EvaluateTest, WildcardsInAValueJoinedIntoAFilterAreWildcards) {
  // What the value holds is part of the filter: a client id "+" makes "gps/+/#". Guard such values.
  std::vector<std::string> no_roles;
  Identity plus{"+", "", "", "10.0.0.8", 1, 5, no_roles, nullptr};
  Event event = publish("gps/dev2/x");
  event.client = plus;
  EXPECT_TRUE(holds("topic matches \"gps/\" + client.id + \"/#\"", event));
  EXPECT_FALSE(holds("not client.id =~ \"[+#/]\" and topic matches \"gps/\" + client.id + \"/#\"", event));
}

TEST_F(EvaluateTest, FiltersBuiltAtRunTimeCoverSubscriptions) {
  const auto subscribe = [&](std::string_view filter) {
    Event event = tentative(Activity::subscribe, filter);
    event.client = identity;
    return event;
  };
  // alice's "alice/#" covers "alice/b/+" but not "#" nor "alice/#/x" (not a filter).
  EXPECT_TRUE(holds("topic matches client.username + \"/#\"", subscribe("alice/b/+")));
  EXPECT_TRUE(holds("topic matches client.username + \"/#\"", subscribe("alice/#")));
  EXPECT_FALSE(holds("topic matches client.username + \"/#\"", subscribe("#")));
  EXPECT_FALSE(holds("topic matches client.username + \"/#\"", subscribe("alice/#/x")));
  EXPECT_FALSE(holds("topic matches client.username + \"/#/\"", subscribe("alice/x")));
}

TEST_F(EvaluateTest, RegularExpressions) {
  EXPECT_TRUE(holds("topic =~ \"^gps/[0-9]+$\"", publish("gps/42")));
  EXPECT_FALSE(holds("topic =~ \"^gps/[0-9]+$\"", publish("gps/x")));
  EXPECT_TRUE(holds("client.id matches regex \"ev\"", publish("a")));
  const auto errors = load_errors("rule r { on tentative publish where topic =~ \"(\" then deny }");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].message.find("invalid regular expression"), std::string::npos);
  EXPECT_EQ(errors[0].span.column, 46u);  // at the pattern
}

TEST_F(EvaluateTest, HostFunctions) {
  context.reputation["dev1"] = 4;
  context.consents["dev1/dev2/care"] = "yes";
  context.context["owner/presence"] = "away";
  context.positions["dev1"] = {45.81, 8.63};
  context.positions["dev2"] = {45.8105, 8.63};
  const Event event = publish("a");
  EXPECT_TRUE(holds("reputation(client.id) >= 3", event));
  EXPECT_FALSE(holds("reputation(\"nobody\") >= 3", event));
  EXPECT_TRUE(holds("consent(owner = client.id, recipient = \"dev2\", purpose = \"care\")", event));
  EXPECT_TRUE(holds("consent(client.id, purpose = \"care\", recipient = \"dev2\")", event));
  EXPECT_FALSE(holds("consent(owner = \"dev2\", recipient = client.id, purpose = \"care\")", event));
  EXPECT_TRUE(holds("context(\"owner\", \"presence\") == \"away\"", event));
  EXPECT_TRUE(holds("context(\"owner\", \"mood\") is absent", event));
  EXPECT_TRUE(holds("distance(position(\"dev1\"), position(\"dev2\")) <= 100 m", event));
  EXPECT_FALSE(holds("distance(position(\"dev1\"), position(\"nowhere\")) <= 100 m", event));
}

TEST_F(EvaluateTest, CallOfAFunctionWithoutImplementationIsACompileError) {
  Engine engine(Registry::defaults(), HostFunctions{});
  SourceSet sources;
  sources.add("test.policy", "rule r { on tentative publish if reputation(client.id) > 1 then deny }");
  const auto loaded = engine.load(sources);
  ASSERT_FALSE(loaded);
  EXPECT_EQ(loaded.error().front().code, DiagnosticCode::unknown_function);
}

TEST_F(EvaluateTest, RegisteredHostFunction) {
  Registry registry = Registry::defaults();
  registry.add_function({"shout", {{"text", Type::string}}, Type::string});
  HostFunctions functions = context.functions();
  functions.add("shout", [](std::span<const Value> a, ValueArena& arena) {
    std::string text(a[0].as_string());
    for (char& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return Value::string(arena.keep(std::move(text)));
  });
  Engine engine(std::move(registry), std::move(functions));
  SourceSet sources;
  sources.add("test.policy", "rule r { on tentative publish if shout(client.id) == \"DEV1\" then deny }");
  ASSERT_TRUE(engine.load(sources));
  EXPECT_TRUE(engine.decide(publish("a")).denied());
}

TEST_F(EvaluateTest, SituationsZonesAndCalendars) {
  context.positions["dev1"] = {45.8100, 8.6300};
  context.positions["far"] = {45.9, 8.7};
  const std::string declarations =
      "situation near(a, b) = distance(position(a), position(b)) <= 100 m\n"
      "zone lab = circle(45.8100, 8.6300, 200 m)\n"
      "zone yard = polygon((45.80, 8.62), (45.82, 8.62), (45.82, 8.64), (45.80, 8.64))\n"
      "calendar work = weekly Mon-Fri 08:00-18:00 in \"UTC\"\n"
      "calendar night = weekly Sat 22:00-06:00 in \"UTC\"\n";
  Event event = publish("a");
  EXPECT_TRUE(holds("situation near(client.id, \"dev1\")", event, declarations));
  EXPECT_FALSE(holds("situation near(client.id, \"far\")", event, declarations));
  EXPECT_TRUE(holds("position(client.id) in lab", event, declarations));
  EXPECT_FALSE(holds("position(\"far\") in lab", event, declarations));
  EXPECT_TRUE(holds("position(client.id) in yard", event, declarations));
  EXPECT_FALSE(holds("position(\"far\") in yard", event, declarations));
  event.time_ms = 1'700'218'800'000;  // Fri 2023-11-17 11:00 UTC
  EXPECT_TRUE(holds("now in work", event, declarations));
  event.time_ms = 1'700'301'600'000;  // Sat 2023-11-18 10:00 UTC
  EXPECT_FALSE(holds("now in work", event, declarations));
  event.time_ms = 1'700'352'000'000;  // Sun 2023-11-19 00:00 UTC: after Saturday 22:00
  EXPECT_TRUE(holds("now in night", event, declarations));
}

TEST_F(EvaluateTest, CalendarsUseTheirTimeZone) {
  auto engine = engine_for(
      "calendar work = weekly Mon-Fri 08:00-18:00 in \"Europe/Rome\"\n"
      "rule r { on tentative publish if now in work then deny }",
      context);
  Event event = publish("a");
  event.time_ms = 1'700'204'400'000;  // Fri 2023-11-17 07:00 UTC, 08:00 in Rome
  EXPECT_TRUE(engine->decide(event).denied());
  event.time_ms = 1'700'202'600'000;  // 06:30 UTC, 07:30 in Rome
  EXPECT_FALSE(engine->decide(event).denied());
}

TEST_F(EvaluateTest, SituationAndContextEvents) {
  const Value arguments[] = {Value::string("board1"), Value::string("board2")};
  Event started = event_of(Mode::actual, Activity::situation_starts);
  started.subject = "near";
  started.situation_arguments = arguments;
  const std::string declarations = "situation near(a, b) = distance(position(a), position(b)) <= 100 m\n";
  auto engine = engine_for(declarations +
                               "rule s { on situation near starts where situation.b == \"board2\" and situation.name "
                               "== \"near\" then execute log(\"info\", situation.a) }\n"
                               "rule c { on context presence changes where context.entity == \"owner\" and "
                               "context.value.state == \"away\" then execute log(\"info\", context.name) }",
                           context);
  const Decision decision = engine->decide(started);
  ASSERT_EQ(decision.reactions.size(), 1u);
  EXPECT_EQ(decision.reactions[0].arguments[1], "board1");
  started.subject = "other";
  EXPECT_TRUE(engine->decide(started).reactions.empty());

  const nlohmann::json value = {{"state", "away"}};
  Event changed = event_of(Mode::actual, Activity::context_changes);
  changed.subject = "presence";
  changed.context_entity = "owner";
  changed.context_value = &value;
  const Decision context_decision = engine->decide(changed);
  ASSERT_EQ(context_decision.reactions.size(), 1u);
  EXPECT_EQ(context_decision.reactions[0].arguments[1], "presence");
}

TEST_F(EvaluateTest, DisconnectAndSubscribeFields) {
  Event event = event_of(Mode::actual, Activity::disconnect);
  event.client = identity;
  event.reason = "taken_over";
  EXPECT_TRUE(holds("reason == \"taken_over\" and client.id == \"dev1\"", event));
  Event subscribe = tentative(Activity::subscribe, "a/#");
  subscribe.client = identity;
  subscribe.qos = 2;
  subscribe.share_group = "g1";
  EXPECT_TRUE(holds("qos == 2 and share_group == \"g1\"", subscribe));
}

}  // namespace
}  // namespace mqwarden::policy::testing

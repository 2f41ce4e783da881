// Temporal operators wired into decisions: timed events, the triggering event
// counted as the newest of its step, parametric slices, and state carried
// over a reload.
#include <gtest/gtest.h>

#include "engine_test_support.hpp"

namespace mqwarden::policy::testing {
namespace {

constexpr std::int64_t kStart = 1'700'000'000'000;

class TemporalTest : public ::testing::Test {
 protected:
  Event at(Mode mode, Activity activity, std::int64_t offset_ms, std::string_view client_id = "dev",
           std::string_view topic = {}) {
    Event event = event_of(mode, activity);
    event.time_ms = kStart + offset_ms;
    event.client.id = client_id;
    event.client.ip = client_id;
    event.topic = topic;
    return event;
  }

  std::unique_ptr<Engine> engine(std::string_view text, EngineConfig config = {}) {
    auto out = std::make_unique<Engine>(Registry::defaults(), context.functions(), config);
    SourceSet sources;
    sources.add("test.policy", std::string(text));
    auto loaded = out->load(sources, kStart);
    if (!loaded) ADD_FAILURE() << format(loaded.error(), sources);
    return out;
  }

  FakeContext context;
};

TEST_F(TemporalTest, ConnectFloodCountsAttemptsPerAddress) {
  auto flood = engine(
      "rule connect_flood { on tentative connect\n"
      "  if count(within 10 s, tentative connect where client.ip == event.client.ip) > 3\n"
      "  then deny reason \"flood\" }");
  // The triggering attempt counts: the 4th attempt within 10 s is the first denied.
  for (int i = 0; i < 3; ++i)
    EXPECT_FALSE(flood->decide(at(Mode::tentative, Activity::connect, i * 100, "a")).denied());
  EXPECT_TRUE(flood->decide(at(Mode::tentative, Activity::connect, 400, "a")).denied());
  // Denied attempts count too; another address has its own count.
  EXPECT_TRUE(flood->decide(at(Mode::tentative, Activity::connect, 500, "a")).denied());
  EXPECT_FALSE(flood->decide(at(Mode::tentative, Activity::connect, 500, "b")).denied());
  // Ten seconds later the window has moved on.
  EXPECT_FALSE(flood->decide(at(Mode::tentative, Activity::connect, 11'000, "a")).denied());
}

TEST_F(TemporalTest, OnlyEventsOfThePatternsActivityCount) {
  auto flood = engine(
      "rule r { on tentative connect if count(within 1 min, actual connect where client.ip == event.client.ip) >= 2 "
      "then deny }");
  EXPECT_FALSE(flood->decide(at(Mode::tentative, Activity::connect, 0, "a")).denied());
  flood->decide(at(Mode::actual, Activity::connect, 10, "a"));
  EXPECT_FALSE(flood->decide(at(Mode::tentative, Activity::connect, 20, "a")).denied());
  flood->decide(at(Mode::actual, Activity::connect, 30, "a"));
  EXPECT_TRUE(flood->decide(at(Mode::tentative, Activity::connect, 40, "a")).denied());
}

TEST_F(TemporalTest, FirmwareTwiceInAMonth) {
  auto tv = engine(
      "rule tv { on actual publish where client.id == \"smart-tv\" and topic == \"firmware/request\"\n"
      "  if count(within 30 days, actual publish where client.id == \"smart-tv\" and topic == \"firmware/request\") > "
      "1\n"
      "  then execute notify(\"owner/alerts\", {\"device\": client.id}) }");
  const std::int64_t day = 24LL * 3600 * 1000;
  EXPECT_TRUE(tv->decide(at(Mode::actual, Activity::publish, 0, "smart-tv", "firmware/request")).reactions.empty());
  EXPECT_TRUE(tv->decide(at(Mode::actual, Activity::publish, 0, "other", "firmware/request")).reactions.empty());
  EXPECT_EQ(tv->decide(at(Mode::actual, Activity::publish, 10 * day, "smart-tv", "firmware/request")).reactions.size(),
            1u);
  EXPECT_TRUE(
      tv->decide(at(Mode::actual, Activity::publish, 45 * day, "smart-tv", "firmware/request")).reactions.empty());
}

TEST_F(TemporalTest, WithinKeyedByAPayloadField) {
  auto door = engine(
      "rule door { on tentative publish where topic == \"door/open\"\n"
      "  if within(30 s, actual publish where topic == \"badge/seen\" and payload.who == event.client.id)\n"
      "  then allow else deny }");
  EXPECT_TRUE(door->decide(at(Mode::tentative, Activity::publish, 0, "ann", "door/open")).denied());
  const Payload badge(std::string_view(R"({"who": "ann"})"));
  Event seen = at(Mode::actual, Activity::publish, 1000, "reader", "badge/seen");
  seen.payload = &badge;
  door->decide(seen);
  EXPECT_FALSE(door->decide(at(Mode::tentative, Activity::publish, 5000, "ann", "door/open")).denied());
  EXPECT_TRUE(door->decide(at(Mode::tentative, Activity::publish, 5000, "bob", "door/open")).denied());
  EXPECT_TRUE(door->decide(at(Mode::tentative, Activity::publish, 40'000, "ann", "door/open")).denied());
}

TEST_F(TemporalTest, BeforeLooksAtExactlyOneStep) {
  auto flapping = engine(
      "rule flapping { on tentative connect\n"
      "  if before(1 min, actual disconnect where client.id == event.client.id and reason == \"taken_over\")\n"
      "  then deny }");
  Event disconnect = at(Mode::actual, Activity::disconnect, 0, "a");
  disconnect.reason = "taken_over";
  flapping->decide(disconnect);
  EXPECT_FALSE(flapping->decide(at(Mode::tentative, Activity::connect, 30'000, "a")).denied());
  EXPECT_TRUE(flapping->decide(at(Mode::tentative, Activity::connect, 60'000, "a")).denied());
  EXPECT_FALSE(flapping->decide(at(Mode::tentative, Activity::connect, 60'000, "b")).denied());
  EXPECT_FALSE(flapping->decide(at(Mode::tentative, Activity::connect, 61'000, "a")).denied());
}

TEST_F(TemporalTest, RepMaxCountsStepsOverTheInstancesLife) {
  auto few = engine(
      "rule few { on tentative publish where retain\n"
      "  if not repMax(2, actual publish where retain and client.id == event.client.id) then deny }");
  const auto publish = [&](Mode mode, std::int64_t ms) {
    Event event = at(mode, Activity::publish, ms, "a", "t");
    event.retain = true;
    return few->decide(event);
  };
  EXPECT_FALSE(publish(Mode::tentative, 0).denied());
  publish(Mode::actual, 0);
  publish(Mode::actual, 1000);
  EXPECT_FALSE(publish(Mode::tentative, 2000).denied());
  publish(Mode::actual, 2000);
  EXPECT_TRUE(publish(Mode::tentative, 3000).denied());
}

TEST_F(TemporalTest, DuringOverASituation) {
  context.context["owner/presence"] = "away";
  auto camera = engine(
      "situation owner_away = context(\"owner\", \"presence\") == \"away\"\n"
      "rule camera { on tentative deliver where topic matches \"camera/+/stream\"\n"
      "  if during(3 s, situation owner_away) then allow else deny }");
  const auto deliver = [&](std::int64_t ms) {
    return camera->decide(at(Mode::tentative, Activity::deliver, ms, "p", "camera/1/stream"));
  };
  EXPECT_TRUE(deliver(0).denied());
  EXPECT_TRUE(deliver(1000).denied());
  EXPECT_FALSE(deliver(2000).denied());
  context.context["owner/presence"] = "home";
  EXPECT_TRUE(deliver(3000).denied());
  context.context["owner/presence"] = "away";
  EXPECT_TRUE(deliver(4000).denied());
}

TEST_F(TemporalTest, SinceLoginWithoutLogout) {
  auto commands = engine(
      "rule cmds { on tentative publish where topic matches \"cmd/#\"\n"
      "  if since(not within(1 s, actual publish where topic == \"auth/logout\" and client.id == event.client.id),\n"
      "           actual publish where topic == \"auth/login\" and client.id == event.client.id)\n"
      "  then allow else deny }");
  EXPECT_FALSE(commands->decide(at(Mode::tentative, Activity::publish, 0, "a", "cmd/x")).denied());  // weak since
  commands->decide(at(Mode::actual, Activity::publish, 1000, "a", "auth/login"));
  EXPECT_FALSE(commands->decide(at(Mode::tentative, Activity::publish, 2000, "a", "cmd/x")).denied());
}

TEST_F(TemporalTest, ACappedNumberOfSlicesEvictsTheLeastRecentlyUsed) {
  EngineConfig config;
  config.max_slices = 2;
  auto flood = engine(
      "rule r { on tentative connect if count(within 1 min, tentative connect where client.ip == event.client.ip) > 1 "
      "then deny }",
      config);
  flood->decide(at(Mode::tentative, Activity::connect, 0, "a"));
  flood->decide(at(Mode::tentative, Activity::connect, 0, "b"));
  flood->decide(at(Mode::tentative, Activity::connect, 0, "c"));  // evicts a
  EXPECT_EQ(flood->metrics().slice_evictions, 1U);
  EXPECT_FALSE(flood->decide(at(Mode::tentative, Activity::connect, 10, "a")).denied());  // evicts b
  EXPECT_TRUE(flood->decide(at(Mode::tentative, Activity::connect, 20, "c")).denied());
  EXPECT_EQ(flood->metrics().slice_evictions, 2U);
}

TEST_F(TemporalTest, AReloadKeepsTheStateOfUnchangedRules) {
  const std::string kept =
      "rule kept { on tentative connect if count(within 1 min, tentative connect where client.ip == event.client.ip) "
      "> 2 then deny }\n";
  const std::string changed =
      "rule changed { on tentative publish if count(within 1 min, actual publish) > 1 then deny }\n";
  auto flood = engine(kept + changed);
  flood->decide(at(Mode::tentative, Activity::connect, 0, "a"));
  flood->decide(at(Mode::tentative, Activity::connect, 10, "a"));
  flood->decide(at(Mode::actual, Activity::publish, 10, "a", "t"));
  flood->decide(at(Mode::actual, Activity::publish, 10, "a", "t"));
  EXPECT_TRUE(flood->decide(at(Mode::tentative, Activity::publish, 20, "a", "t")).denied());

  SourceSet sources;
  sources.add("test.policy", kept + "# edited\n" +
                                 "rule changed { on tentative publish if count(within 2 min, actual publish) > 1 then "
                                 "deny }\n");
  ASSERT_TRUE(flood->load(sources, kStart + 30));
  EXPECT_TRUE(flood->decide(at(Mode::tentative, Activity::connect, 40, "a")).denied());  // 3rd attempt: kept state
  EXPECT_FALSE(flood->decide(at(Mode::tentative, Activity::publish, 40, "a", "t")).denied());  // new state

  SourceSet broken;
  broken.add("test.policy", "rule broken { on tentative publsh then deny }");
  EXPECT_FALSE(flood->load(broken, kStart + 50));
  EXPECT_TRUE(flood->decide(at(Mode::tentative, Activity::connect, 60, "a")).denied());  // old policy in force
}

TEST_F(TemporalTest, PatternsMustBindTheSameTriggerFields) {
  const auto errors = load_errors(
      "rule r { on tentative publish\n"
      "  if since(actual publish where client.id == event.client.id, actual publish where topic == event.topic)\n"
      "  then deny }");
  ASSERT_FALSE(errors.empty());
  EXPECT_EQ(errors[0].code, DiagnosticCode::trigger_field_outside_pattern);
  EXPECT_EQ(errors[0].span.line, 2u);
}

TEST_F(TemporalTest, WindowsLongerThanTheMonitorsCanKeepAreRefused) {
  EngineConfig config;
  config.step_ms = 1;
  Engine refusing(Registry::defaults(), context.functions(), config);
  SourceSet sources;
  sources.add("test.policy", "rule r { on tentative publish if within(30 d, actual publish) then deny }");
  const auto loaded = refusing.load(sources);
  ASSERT_FALSE(loaded);
  EXPECT_EQ(loaded.error()[0].code, DiagnosticCode::out_of_range);
}

}  // namespace
}  // namespace mqwarden::policy::testing

// The engine as a host uses it: the example policies, lifecycle-bound
// configurations, the deliver split, and decisions while another thread
// reloads.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "engine_test_support.hpp"

namespace mqwarden::policy::testing {
namespace {

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string example(std::string_view name) {
  return read_file(std::filesystem::path(MQWARDEN_EXAMPLE_POLICIES) / std::string(name));
}

TEST(EngineExamples, EveryExampleCompilesAndLoads) {
  FakeContext context;
  std::size_t count = 0;
  for (const auto& entry : std::filesystem::directory_iterator(MQWARDEN_EXAMPLE_POLICIES)) {
    if (entry.path().extension() != ".policy") continue;
    ++count;
    Engine engine(Registry::defaults(), context.functions());
    SourceSet sources;
    sources.add(entry.path().filename().string(), read_file(entry.path()));
    auto loaded = engine.load(sources);
    EXPECT_TRUE(loaded) << (loaded ? "" : format(loaded.error(), sources));
  }
  EXPECT_GE(count, 9u);
}

TEST(EngineExamples, AnonymiseIdentityForNonAdmins) {
  FakeContext context;
  auto engine = engine_for(example("anonymise_identity.policy"), context);
  Event event = tentative(Activity::deliver, "identity/ann");
  std::vector<std::string> admin{"admin"};
  EXPECT_EQ(engine->decide(event).edits.size(), 4u);
  event.subscriber.roles = admin;
  EXPECT_TRUE(engine->decide(event).edits.empty());
}

TEST(EngineExamples, HealthNeedsConsent) {
  FakeContext context;
  auto engine = engine_for(example("consent_per_purpose.policy"), context);
  Event event = tentative(Activity::deliver, "health/hr");
  event.client.id = "patient";
  event.subscriber.id = "doctor";
  const Decision denied = engine->decide(event);
  EXPECT_TRUE(denied.denied());
  EXPECT_EQ(denied.reason_code, 0x87);
  ASSERT_EQ(denied.reactions.size(), 1u);
  EXPECT_EQ(denied.reactions[0].name, "request_consent");
  context.consents["patient/doctor/care"] = "yes";
  EXPECT_FALSE(engine->decide(event).denied());
}

class LifecycleTest : public ::testing::Test {
 protected:
  Event at(Mode mode, Activity activity, std::int64_t ms, std::string_view client) {
    Event event = event_of(mode, activity);
    event.time_ms = ms;
    event.client.id = client;
    event.topic = "t";
    return event;
  }

  FakeContext context;
};

TEST_F(LifecycleTest, AnInstancePerConnectionUntilItsDisconnect) {
  EngineConfig config;
  auto engine = engine_for(
      "template budget(device, limit: number, window: duration) {\n"
      "  rule over { on tentative publish where client.id == device\n"
      "    if not repLim(window, 0, limit, actual publish where client.id == device)\n"
      "    then deny reason \"budget\" }\n"
      "}\n"
      "configure budget(device = client.id, limit = 2, window = 1 min)\n"
      "  for each actual connect where not client.roles contains \"gateway\"\n"
      "  until actual disconnect where client.id == device\n",
      context, config);
  EXPECT_TRUE(engine->decide(at(Mode::tentative, Activity::publish, 0, "a")).matched.empty());  // not connected
  engine->decide(at(Mode::actual, Activity::connect, 0, "a"));
  std::vector<std::string> gateway{"gateway"};
  Event gateway_connect = at(Mode::actual, Activity::connect, 0, "gw");
  gateway_connect.client.roles = gateway;
  engine->decide(gateway_connect);
  EXPECT_EQ(engine->decide(at(Mode::tentative, Activity::publish, 1000, "a")).matched.size(), 0u);  // within budget
  engine->decide(at(Mode::actual, Activity::publish, 1000, "a"));
  engine->decide(at(Mode::actual, Activity::publish, 2000, "a"));
  EXPECT_FALSE(engine->decide(at(Mode::tentative, Activity::publish, 3000, "a")).denied());  // 2 steps: at the limit
  engine->decide(at(Mode::actual, Activity::publish, 3000, "a"));
  const Decision over = engine->decide(at(Mode::tentative, Activity::publish, 3500, "a"));
  EXPECT_TRUE(over.denied());
  ASSERT_EQ(over.matched.size(), 1u);
  EXPECT_EQ(over.matched[0].instance, "budget#1(device = \"a\", limit = 2.0, window = 60000)");
  EXPECT_TRUE(engine->decide(at(Mode::tentative, Activity::publish, 3000, "gw")).matched.empty());
  // Disconnecting disposes of the instance; a new connection starts afresh.
  engine->decide(at(Mode::actual, Activity::disconnect, 4000, "a"));
  EXPECT_TRUE(engine->decide(at(Mode::tentative, Activity::publish, 5000, "a")).matched.empty());
  engine->decide(at(Mode::actual, Activity::connect, 6000, "a"));
  EXPECT_FALSE(engine->decide(at(Mode::tentative, Activity::publish, 7000, "a")).denied());
}

TEST_F(LifecycleTest, TheNumberOfLiveInstancesIsCapped) {
  EngineConfig config;
  config.max_lifecycle_instances = 2;
  const std::string text =
      "template watch(device) { rule { on tentative publish where client.id == device then deny } }\n"
      "configure watch(device = client.id) for each actual connect until actual disconnect where client.id == device\n";
  auto engine = engine_for(text, context, config);
  for (const char* id : {"a", "b", "c"}) engine->decide(at(Mode::actual, Activity::connect, 0, id));
  EXPECT_EQ(engine->metrics().lifecycle_instances, 2U);
  EXPECT_EQ(engine->metrics().refused_lifecycle_instances, 1U);
  EXPECT_TRUE(engine->decide(at(Mode::tentative, Activity::publish, 1, "a")).denied());
  EXPECT_TRUE(engine->decide(at(Mode::tentative, Activity::publish, 1, "b")).denied());
  EXPECT_FALSE(engine->decide(at(Mode::tentative, Activity::publish, 1, "c")).denied());
  const auto snapshot_policy = engine->policy();
  engine->decide(at(Mode::actual, Activity::disconnect, 2, "a"));
  engine->decide(at(Mode::actual, Activity::connect, 3, "c"));
  EXPECT_TRUE(engine->decide(at(Mode::tentative, Activity::publish, 4, "c")).denied());
  // The count is the engine's, not the policy's: a reload does not reset it.
  SourceSet sources;
  sources.add("test.policy", text + "# reloaded\n");
  ASSERT_TRUE(engine->load(sources));
  EXPECT_EQ(engine->metrics().refused_lifecycle_instances, 1U);
  EXPECT_EQ(engine->metrics().lifecycle_instances, 2U);
}

TEST_F(LifecycleTest, LiveInstancesSurviveAReloadThatKeepsTheirConfiguration) {
  const std::string configuration =
      "template watch(device) { rule { on tentative publish where client.id == device then deny } }\n"
      "configure watch(device = client.id) for each actual connect until actual disconnect where client.id == device\n";
  auto engine = engine_for(configuration, context);
  engine->decide(at(Mode::actual, Activity::connect, 0, "a"));
  SourceSet sources;
  sources.add("test.policy", configuration + "rule other { on tentative ping then allow }\n");
  ASSERT_TRUE(engine->load(sources));
  EXPECT_TRUE(engine->decide(at(Mode::tentative, Activity::publish, 1, "a")).denied());
}

// A decision still in flight on the old policy when a reload puts the new one
// in force: the instance its event starts is not lost with the old policy.
TEST_F(LifecycleTest, AnInstanceStartedOnThePolicyBeingReplacedIsKept) {
  const std::string configuration =
      "template watch(device) { rule { on tentative publish where client.id == device then deny } }\n"
      "configure watch(device = subscriber.id) for each tentative deliver until actual disconnect "
      "where client.id == device\n";
  auto engine = engine_for(configuration, context);
  Event delivery = at(Mode::tentative, Activity::deliver, 0, "publisher");
  const PublicationContext in_flight = engine->prepare_delivery(delivery);  // holds the old policy
  SourceSet sources;
  sources.add("test.policy", configuration + "rule other { on tentative ping then allow }\n");
  ASSERT_TRUE(engine->load(sources));
  Identity subscriber;
  subscriber.id = "s";
  engine->decide_delivery(in_flight, subscriber);  // observed by the old policy's instances
  EXPECT_TRUE(engine->decide(at(Mode::tentative, Activity::publish, 1, "s")).denied());
}

class DeliveryTest : public ::testing::Test {
 protected:
  FakeContext context;
};

TEST_F(DeliveryTest, ThePublicationPartIsEvaluatedOnce) {
  std::atomic<int> reads{0};
  Registry registry = Registry::defaults();
  registry.add_function({"expensive", {{"topic", Type::topic}}, Type::boolean});
  registry.add_function({"per_subscriber", {{"id", Type::string}}, Type::boolean});
  HostFunctions functions = context.functions();
  functions.add("expensive", [&](std::span<const Value>, ValueArena&) {
    ++reads;
    return Value::boolean(true);
  });
  functions.add("per_subscriber",
                [](std::span<const Value> a, ValueArena&) { return Value::boolean(a[0].as_string() != "blocked"); });
  Engine engine(std::move(registry), std::move(functions));
  SourceSet sources;
  sources.add("test.policy",
              "rule r { on tentative deliver where topic matches \"gps/+\" and expensive(topic) and payload.lat is "
              "present and not per_subscriber(subscriber.id) then deny }\n"
              "rule guests { on tentative deliver where subscriber.roles contains \"guest\" then modify { blur "
              "payload.lat, payload.lon to 1 km } }\n"
              "template one(viewer) { rule { on tentative deliver where subscriber.id == viewer then delay 1 min } }\n"
              "configure one(viewer = \"late\")\n");
  ASSERT_TRUE(engine.load(sources));
  const Payload payload(std::string_view(R"({"lat": 45.1, "lon": 8.2})"));
  Event delivery = tentative(Activity::deliver, "gps/1");
  delivery.client.id = "board";
  delivery.payload = &payload;
  const PublicationContext publication = engine.prepare_delivery(delivery);
  EXPECT_EQ(publication.prepared_rules(), 2u);
  std::vector<std::string> guest{"guest"};
  Identity subscriber;
  subscriber.id = "ok";
  EXPECT_FALSE(engine.decide_delivery(publication, subscriber).denied());
  subscriber.id = "blocked";
  EXPECT_TRUE(engine.decide_delivery(publication, subscriber).denied());
  subscriber.id = "late";
  subscriber.roles = guest;
  const Decision late = engine.decide_delivery(publication, subscriber);
  EXPECT_EQ(late.delay_ms, 60'000);
  EXPECT_EQ(late.edits.size(), 1u);
  ASSERT_EQ(late.matched.size(), 2u);
  EXPECT_EQ(late.matched[0].rule, "guests");
  EXPECT_EQ(reads.load(), 1);
  // The same answers as deciding each delivery whole.
  delivery.subscriber = subscriber;
  EXPECT_EQ(engine.decide(delivery).delay_ms, 60'000);
}

TEST_F(DeliveryTest, ARuleWhosePublicationPartFailsIsNotTriedPerSubscriber) {
  auto engine =
      engine_for("rule r { on tentative deliver where topic == \"a\" and subscriber.id == \"x\" then deny }", context);
  Event delivery = tentative(Activity::deliver, "b");
  const PublicationContext publication = engine->prepare_delivery(delivery);
  EXPECT_EQ(publication.prepared_rules(), 0u);
  Identity subscriber;
  subscriber.id = "x";
  EXPECT_FALSE(engine->decide_delivery(publication, subscriber).denied());
}

// Several threads decide while another reloads: every decision comes from
// one whole policy or the other (run under ThreadSanitizer by the tsan preset).
TEST(EngineConcurrency, DecisionsWhileReloading) {
  FakeContext context;
  const std::string lifecycle =
      "template watch(device) { rule { on tentative publish where client.id == device and topic == \"y\"\n"
      "  if count(within 1 min, actual publish where client.id == device) > 1000000 then deny } }\n"
      "configure watch(device = client.id) for each actual connect until actual disconnect where client.id == "
      "device\n";
  const std::string deny_a =
      lifecycle +
      "rule flood { on tentative connect if count(within 10 s, tentative connect where client.ip == event.client.ip) "
      "> 1000000 then deny }\n"
      "rule a { on tentative publish where topic == \"x\" then deny reason \"a\" }\n";
  const std::string deny_b =
      lifecycle +
      "rule flood { on tentative connect if count(within 10 s, tentative connect where client.ip == event.client.ip) "
      "> 1000000 then deny }\n"
      "rule b { on tentative publish where topic == \"x\" then deny reason \"b\" }\n";
  auto engine = engine_for(deny_a, context);
  std::atomic<bool> stop{false};
  std::atomic<int> inconsistent{0};
  std::vector<std::thread> deciders;
  for (int t = 0; t < 3; ++t) {
    deciders.emplace_back([&, t] {
      std::string ip = "10.0.0." + std::to_string(t);
      int i = 0;
      while (!stop.load()) {
        Event publish = tentative(Activity::publish, "x");
        const Decision decision = engine->decide(publish);
        const bool whole =
            decision.denied() && decision.matched.size() == 1 && decision.deny_reason == decision.matched[0].rule;
        if (!whole) ++inconsistent;
        Event connect = tentative(Activity::connect);
        connect.client.ip = ip;
        connect.time_ms = ++i;
        if (engine->decide(connect).denied()) ++inconsistent;
        Event session = event_of(Mode::actual, i % 3 == 0 ? Activity::disconnect : Activity::connect);
        session.client.id = ip;
        engine->decide(session);
        Event own = tentative(Activity::publish, "y");
        own.client.id = ip;
        if (engine->decide(own).denied()) ++inconsistent;
        Event published = event_of(Mode::actual, Activity::publish);
        published.client.id = ip;
        engine->decide(published);
      }
    });
  }
  for (int round = 0; round < 50; ++round) {
    SourceSet sources;
    sources.add("test.policy", round % 2 == 0 ? deny_b : deny_a);
    ASSERT_TRUE(engine->load(sources));
  }
  stop = true;
  for (std::thread& thread : deciders) thread.join();
  EXPECT_EQ(inconsistent.load(), 0);
}

}  // namespace
}  // namespace mqwarden::policy::testing
